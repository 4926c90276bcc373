"""Django's SQLite backend, reading back a decimal that does not fit its column instead of failing.

SQLite stores any number in a decimal column. Before the column bounds were checked
(:mod:`cxo.core.bounds`) a quantity of 1e20 could be saved, and Django's converter, which rounds
each value to the column's places within its digits, then raised on every read of that row: one
bad line made a tenant's RFP and need pages fail for good. Such a value is now returned as it is,
so the page shows it and its owner can correct it.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Callable[[Any, Any, Any], Any]:
        convert = super().get_decimalfield_converter(expression)
        as_stored = decimal.Context(prec=15).create_decimal_from_float

        def converter(value: Any, expression: Any, connection: Any) -> Any:
            try:
                return convert(value, expression, connection)
            except decimal.InvalidOperation:
                return as_stored(float(value)).normalize()

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

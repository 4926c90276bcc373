"""Column bounds: how long a text and how large a number may be, read from the model field that stores it.

The database is the wrong place to find out that a value does not fit: SQLite stores it anyway (and
then cannot read a decimal beyond its digits back), PostgreSQL refuses it with an error that becomes
a 500. So every way in checks the same bounds, taken from the model once:

- API schemas annotate a field with :class:`Column` — ``name: Annotated[str, Column(Programme, "name")]``
  — which gives pydantic the column's ``max_length``, or its ``max_digits`` and ``decimal_places``
  (a 422 naming the field, and ``maxLength`` in the OpenAPI document);
- forms build the field with :func:`form_field`, Django's own form field for the column;
- :func:`record_check` runs before every save of a CXO model (a ``pre_save`` signal, connected in
  ``CoreConfig.ready``) and on objects a service bulk-creates, so whatever still arrives — a value
  a service computed (a line amount), or code that bypassed a schema — is a :class:`ServiceError`
  (400) with a message, never a database error.

NUL characters, which PostgreSQL cannot store in text, are refused in every API body and query
(``cxo.config.api``), in every path and query string (:class:`cxo.core.middleware.RequestLimitsMiddleware`),
by Django's form fields, by the importers (``cxo.registry.importers.base``) and here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

from annotated_types import GroupedMetadata
from django import forms
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import capfirst
from pydantic import Field

from cxo.core.errors import ServiceError

NUL = "\x00"
#: Apps whose models are checked before every save.
CHECKED_APPS = frozenset({"core", "registry", "matching", "sourcing", "quality", "contracts"})


def integer_range(field: object) -> tuple[int, int] | None:
    """The range of an integer column, the same on every database (PostgreSQL's; SQLite would take more)."""
    if isinstance(field, models.AutoField) or not isinstance(field, models.IntegerField):
        return None
    return BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())


class Column(GroupedMetadata):
    """Pydantic constraints of a model column: ``Annotated[str, Column(Programme, "name")]``."""

    def __init__(self, model: type[models.Model], name: str) -> None:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
        self.field = field

    def __iter__(self) -> Iterator[Any]:
        f = self.field
        if isinstance(f, models.DecimalField):
            yield from Field(max_digits=f.max_digits, decimal_places=f.decimal_places).metadata
        elif bounds := integer_range(f):
            yield from Field(ge=bounds[0], le=bounds[1]).metadata
        elif getattr(f, "max_length", None):
            yield from Field(max_length=f.max_length).metadata


def form_field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The Django form field for a model column (its max length, digits and places, NUL refused)."""
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field), f"{model.__name__}.{name} is not a column"
    field = column.formfield(**kwargs)
    assert field is not None, f"{model.__name__}.{name} has no form field"
    return field


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def decimal_problem(value: Decimal, *, max_digits: int, decimal_places: int) -> str:
    """Why ``value`` does not fit a decimal column, or "" when it does."""
    if not value.is_finite():
        return f"{value} is not a number"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if whole > max_digits - decimal_places:
        return f"{value} is too large: at most {max_digits - decimal_places} digits before the decimal point"
    if places > decimal_places:
        return f"{value} has too many decimal places: at most {decimal_places}"
    return ""


def record_check(instance: models.Model) -> None:
    """Refuse a record whose values do not fit its columns: too long, out of range, or with a NUL character.

    Raises ServiceError (400) naming the field; called before every save of a CXO model.
    """
    for f in instance._meta.concrete_fields:
        value = getattr(instance, f.attname)
        if value is None:
            continue
        label = capfirst(str(f.verbose_name))
        if _has_nul(value):
            raise ServiceError(f"{label} contains a NUL character, which is not allowed in text.", field=f.name)
        if isinstance(value, str) and f.max_length and len(value) > f.max_length:
            raise ServiceError(
                f"{label} is too long: at most {f.max_length} characters (not {len(value)}).", field=f.name
            )
        if isinstance(f, models.DecimalField) and isinstance(value, Decimal):
            problem = decimal_problem(value, max_digits=f.max_digits, decimal_places=f.decimal_places)
            if problem:
                raise ServiceError(f"{label} {problem}.", field=f.name)
        if isinstance(value, int) and (bounds := integer_range(f)) and not bounds[0] <= value <= bounds[1]:
            raise ServiceError(f"{label} {value} is out of range ({bounds[0]} to {bounds[1]}).", field=f.name)


M = TypeVar("M", bound=models.Model)


def records_check(instances: Iterable[M], *, label: str = "") -> list[M]:
    """:func:`record_check` for objects about to be bulk-created (which sends no ``pre_save``); returns them.

    With ``label`` ("Line") the message says which one: "Line 2: Quantity … is too large …".
    """
    checked = list(instances)
    for n, instance in enumerate(checked, start=1):
        try:
            record_check(instance)
        except ServiceError as exc:
            if not label:
                raise
            raise ServiceError(f"{label} {n}: {exc.message}", field=exc.field) from exc
    return checked


def check_before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """The ``pre_save`` receiver: every CXO model is checked (fixtures loaded raw are not)."""
    if not raw and sender._meta.app_label in CHECKED_APPS:
        record_check(instance)

"""Writing rows of XLSX workbooks so that what people typed stays text (no formula injection).

A provider's milestone name or a sponsor's RFP title starting with ``=`` became a live formula in
a workbook someone else opens; ``+``, ``-`` and ``@`` (and a leading tab or carriage return) are
treated as formulas by spreadsheet programs when a cell is edited or the sheet is saved as CSV. Every
export writes its rows with :func:`append_row`: such strings are stored as text and marked with
Excel's quote prefix, numbers and dates stay what they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)``, with every string that a spreadsheet could read as a formula kept as text."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        text_cell(cell)


def text_cell(cell: Cell) -> None:
    """Store the cell's string as text (never a formula) when it starts like one."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True

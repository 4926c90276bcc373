"""Exports of the proposal comparison: XLSX (openpyxl) and PDF (fpdf2), built from the same selector data."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cxo.core.pdf import pdf_text
from cxo.core.xlsx import append_row
from cxo.sourcing.comparison import Cell, Comparison, EvaluationResult

LOW_FILL = PatternFill("solid", fgColor="E6F4EC")
HIGH_FILL = PatternFill("solid", fgColor="FDECEB")
BOLD = Font(bold=True)
MONEY = "#,##0.00"


def _cell_note(cell: Cell) -> str:
    if cell.missing:
        return "not quoted"
    notes = []
    if cell.quantity_changed:
        notes.append("quantity differs")
    if cell.changed:
        prev = cell.previous_unit_price
        notes.append(f"changed from {prev:,.2f}" if prev is not None else "new line")
    if cell.lowest:
        notes.append("lowest")
    if cell.highest:
        notes.append("highest")
    return "; ".join(notes)


def comparison_xlsx(*, cmp: Comparison, evaluation: list[EvaluationResult]) -> bytes:
    """A workbook: the bid grid side by side (amount and unit price per provider, flags), totals, timelines, scores.

    Every row goes through :func:`cxo.core.xlsx.append_row`: text the parties typed is never a formula.
    """
    rfp = cmp.rfp
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Comparison"
    append_row(ws, [f"{rfp.reference} {rfp.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(
        ws, [f"{rfp.organisation.name} · currency {rfp.currency} · exported {timezone.now():%Y-%m-%d %H:%M} UTC"]
    )
    append_row(ws, [])
    header = ["Line", "Unit", "Quantity"]
    for p in cmp.proposals:
        version = p.current_version
        header += [f"{p.provider.name} (v{version.number if version else '-'}) amount", "unit price", "note"]
    append_row(ws, header)
    for c in ws[ws.max_row]:
        c.font = BOLD
    for row in cmp.rows:
        values: list[object] = [row.item.description, row.item.unit, float(row.item.quantity)]
        for cell in row.cells:
            values += [
                None if cell.amount is None else float(cell.amount),
                None if cell.unit_price is None else float(cell.unit_price),
                _cell_note(cell),
            ]
        append_row(ws, values)
        r = ws.max_row
        for i, cell in enumerate(row.cells):
            target = ws.cell(row=r, column=4 + 3 * i)
            target.number_format = MONEY
            ws.cell(row=r, column=5 + 3 * i).number_format = MONEY
            if cell.lowest:
                target.fill = LOW_FILL
            elif cell.highest:
                target.fill = HIGH_FILL
    totals: list[object] = ["Total", "", ""]
    for total in cmp.totals:
        totals += [float(total.total), "", ""]
    append_row(ws, totals)
    for i, total in enumerate(cmp.totals):
        c = ws.cell(row=ws.max_row, column=4 + 3 * i)
        c.number_format, c.font = MONEY, BOLD
        c.fill = LOW_FILL if total.lowest else HIGH_FILL if total.highest else PatternFill()
    ws.cell(row=ws.max_row, column=1).font = BOLD
    ws.column_dimensions["A"].width = 40
    for col in range(4, 4 + 3 * len(cmp.proposals)):
        ws.column_dimensions[get_column_letter(col)].width = 18
    ws.freeze_panes = "D5"

    tl = wb.create_sheet("Timelines")
    append_row(tl, ["Provider", "First milestone", "Completion", "Milestones", "Summary"])
    for t in cmp.timelines:
        append_row(
            tl,
            [
                t.proposal.provider.name,
                t.start,
                t.finish,
                "; ".join(f"{m.name} ({m.due_date:%Y-%m-%d})" for m in t.milestones),
                t.summary,
            ],
        )
    ev = wb.create_sheet("Evaluation")
    append_row(ev, ["Provider", "Weighted score (0-10)", "Complete score sheets", "By evaluator"])
    for r in evaluation:
        append_row(
            ev,
            [
                r.proposal.provider.name,
                None if r.weighted is None else float(r.weighted),
                r.complete_evaluators,
                ", ".join(f"{k}: {v}" for k, v in r.by_evaluator.items()),
            ],
        )
    for sheet in (tl, ev):
        for c in sheet[1]:
            c.font = BOLD
            c.alignment = Alignment(wrap_text=True)
        sheet.column_dimensions["A"].width = 32
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


_latin = pdf_text


def comparison_pdf(*, cmp: Comparison, evaluation: list[EvaluationResult]) -> bytes:
    """A landscape A4 report of the same comparison."""
    rfp = cmp.rfp
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(f"{rfp.reference} {rfp.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(
        0,
        5,
        _latin(
            f"{rfp.organisation.name} - proposal comparison in {rfp.currency} - "
            f"exported {timezone.now():%Y-%m-%d %H:%M} UTC"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    n = max(len(cmp.proposals), 1)
    first, qty = 80.0, 20.0
    width = min(55.0, (pdf.w - pdf.l_margin - pdf.r_margin - first - qty) / n)
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(240, 243, 246)
    pdf.cell(first, 7, "Line", border=1, fill=True)
    pdf.cell(qty, 7, "Qty", border=1, align="R", fill=True)
    for p in cmp.proposals:
        version = p.current_version
        pdf.cell(
            width,
            7,
            _latin(f"{p.provider.name[:28]} v{version.number if version else '-'}"),
            border=1,
            align="R",
            fill=True,
        )
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in cmp.rows:
        pdf.cell(first, 7, _latin(f"{row.item.description[:48]} (per {row.item.unit})"), border=1)
        pdf.cell(qty, 7, f"{row.item.quantity.normalize():f}", border=1, align="R")
        for cell in row.cells:
            if cell.lowest:
                pdf.set_fill_color(230, 244, 236)
            elif cell.highest:
                pdf.set_fill_color(253, 236, 235)
            text = "not quoted" if cell.missing else _money(cell.amount)
            flags = ("*" if cell.quantity_changed or cell.changed else "") + (
                " (low)" if cell.lowest else " (high)" if cell.highest else ""
            )
            pdf.cell(width, 7, _latin(text + flags), border=1, align="R", fill=cell.lowest or cell.highest)
        pdf.ln()
    pdf.set_font("Helvetica", "B", 8)
    pdf.cell(first + qty, 7, "Total", border=1)
    for total in cmp.totals:
        if total.lowest:
            pdf.set_fill_color(230, 244, 236)
        elif total.highest:
            pdf.set_fill_color(253, 236, 235)
        pdf.cell(width, 7, _money(total.total), border=1, align="R", fill=total.lowest or total.highest)
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, "* quantity differs from the RFP or the price changed since the previous version.")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Timelines and evaluation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    scores = {r.proposal.pk: r for r in evaluation}
    for t in cmp.timelines:
        r = scores.get(t.proposal.pk)
        weighted = f"{r.weighted}" if r and r.weighted is not None else "not scored"
        finish = f"{t.finish:%d %b %Y}" if t.finish else "-"
        pdf.multi_cell(
            0,
            5,
            _latin(f"{t.proposal.provider.name}: completion {finish}; weighted score {weighted}. {t.summary}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())

"""Exports: the signed work order as PDF (fpdf2), the money view as XLSX (openpyxl) and the accruals as CSV — each
from the same selector figures the page and the API show."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font

from cxo.contracts.content import terms_read, work_order_terms
from cxo.contracts.models import WorkOrder
from cxo.contracts.selectors.money import FIGURES, MoneyView
from cxo.core.money import minor_units, money_display, money_str
from cxo.core.pdf import pdf_text
from cxo.core.xlsx import append_row

BOLD = Font(bold=True)


def _number_format(currency: str) -> str:
    places = minor_units(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def money_xlsx(*, view: MoneyView, organisation_name: str) -> bytes:
    """Three sheets: every work order's figures, the totals per currency, the month's accruals by milestone."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Work orders"
    append_row(ws, [f"{organisation_name}: money by work order"])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(
        ws,
        [
            f"Accruals for {view.month:%B %Y} (to {view.month_end:%d %b %Y}); "
            f"exported {timezone.now():%Y-%m-%d %H:%M} UTC"
        ],
    )
    append_row(ws, [])
    append_row(ws, ["Work order", "Title", "Provider", "Status", "Currency", *(f.capitalize() for f in FIGURES)])
    for c in ws[ws.max_row]:
        c.font = BOLD
    for row in view.rows:
        f = row.figures
        wo = row.work_order
        append_row(
            ws,
            [
                wo.reference,
                wo.title,
                wo.provider.name,
                wo.get_status_display(),
                f.currency,
                *(getattr(f, n) for n in FIGURES),
            ],
        )
        for c in ws[ws.max_row][5:]:
            c.number_format = _number_format(f.currency)
    totals = wb.create_sheet("Totals per currency")
    append_row(totals, ["Currency", *(f.capitalize() for f in FIGURES)])
    for c in totals[1]:
        c.font = BOLD
    for currency, f in view.totals.items():
        append_row(totals, [currency, *(getattr(f, n) for n in FIGURES)])
        for c in totals[totals.max_row][1:]:
            c.number_format = _number_format(currency)
    accruals = wb.create_sheet("Accruals")
    append_row(
        accruals, ["Work order", "Provider", "Milestone", "Accepted on", "Currency", "Accepted", "Invoiced", "Accrued"]
    )
    for c in accruals[1]:
        c.font = BOLD
    for a in view.accruals:
        append_row(
            accruals,
            [
                a.work_order.reference,
                a.work_order.provider.name,
                a.milestone,
                a.accepted_on,
                a.currency,
                a.accepted,
                a.invoiced,
                a.accrued,
            ],
        )
        for c in accruals[accruals.max_row][5:]:
            c.number_format = _number_format(a.currency)
    for sheet in (ws, totals, accruals):
        sheet.column_dimensions["A"].width = 22
        sheet.column_dimensions["B"].width = 30
        sheet.column_dimensions["C"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ACCRUAL_COLUMNS = (
    "month",
    "work_order",
    "provider",
    "milestone",
    "accepted_on",
    "currency",
    "accepted",
    "invoiced",
    "accrued",
)


def accruals_csv(*, view: MoneyView) -> str:
    """The month's accruals, one row per accepted milestone not fully invoiced, then a total row per currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACCRUAL_COLUMNS)
    month = f"{view.month:%Y-%m}"
    for a in view.accruals:
        cur = a.currency
        writer.writerow(
            [
                month,
                a.work_order.reference,
                a.work_order.provider.name,
                a.milestone,
                a.accepted_on.isoformat(),
                cur,
                money_str(a.accepted, cur),
                money_str(a.invoiced, cur),
                money_str(a.accrued, cur),
            ]
        )
    for currency, amount in view.accrual_totals.items():
        writer.writerow([month, "TOTAL", "", "", "", currency, "", "", money_str(amount, currency)])
    return out.getvalue()


def work_order_pdf(*, work_order: WorkOrder) -> bytes:
    """The work order as signed: parties, agreement, budget, milestones, signatures with their content hash."""
    wo = work_order
    cur = wo.currency
    baseline = next((b for b in wo.baselines.all() if b.number == wo.baseline_number), None)
    terms = terms_read(baseline.content if baseline else work_order_terms(wo))
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, pdf_text(f"Work order {wo.reference}: {wo.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    lines = [
        f"Sponsor: {wo.organisation.name}",
        f"Provider: {wo.provider.name}" + (f", {wo.site.name}" if wo.site else ""),
        f"Status: {wo.get_status_display()}"
        + (f" - baseline {baseline.number}: {baseline.label}" if baseline else " - not signed by both yet"),
        f"Master agreement: {wo.agreement.reference} {wo.agreement.title}"
        if wo.agreement
        else "Master agreement: none",
        f"Dates: {terms.start_date or '-'} to {terms.end_date or '-'}",
    ]
    for text in lines:
        pdf.cell(0, 6, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    if terms.scope:
        pdf.ln(2)
        pdf.multi_cell(0, 5, pdf_text(f"Scope: {terms.scope}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Budget", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    widths = (90, 30, 35, 35)
    for text, width in zip(("Line", "Quantity", "Unit price", f"Amount ({cur})"), widths, strict=True):
        pdf.cell(width, 7, text, border=1, align="L" if text == "Line" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in terms.lines:
        pdf.cell(widths[0], 7, pdf_text(line.description[:55]), border=1)
        pdf.cell(widths[1], 7, pdf_text(f"{line.quantity.normalize():f} {line.unit}"[:20]), border=1, align="R")
        pdf.cell(widths[2], 7, money_display(line.unit_price, cur), border=1, align="R")
        pdf.cell(widths[3], 7, money_display(line.amount, cur), border=1, align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(sum(widths[:3]), 7, "Total", border=1)
    pdf.cell(widths[3], 7, money_display(terms.total, cur), border=1, align="R")
    pdf.ln(10)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Milestones", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for m in terms.milestones:
        share = f" ({m.percent.normalize():f}% of the budget)" if m.percent is not None else ""
        pdf.multi_cell(
            0,
            5,
            pdf_text(
                f"{m.due_date:%d %b %Y}  {m.name}: {cur} {money_display(m.amount, cur)}{share}"
                + (f" - acceptance: {m.acceptance_criteria}" if m.acceptance_criteria else "")
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Signatures", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for who, signature in (("Provider", wo.provider_signature), ("Sponsor", wo.sponsor_signature)):
        text = (
            f"{who}: {signature.signer_name} ({signature.signer_username}), "
            f"{signature.signed_at:%Y-%m-%d %H:%M:%S} UTC, meaning '{signature.meaning}'"
            if signature
            else f"{who}: not signed"
        )
        pdf.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    if wo.content_sha256:
        pdf.set_font("Courier", "", 8)
        pdf.multi_cell(0, 4, f"Content SHA-256 {wo.content_sha256}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

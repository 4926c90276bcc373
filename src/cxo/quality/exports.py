"""What an inspector asks for: the approved supplier list as XLSX and PDF (with each decision's electronic
signature), and an audit's report as PDF. Built from the same selector data as the pages."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cxo.core.models import Organisation, Signature
from cxo.core.xlsx import append_row
from cxo.quality.content import finding_classes
from cxo.quality.models import Audit
from cxo.quality.selectors.asl import Asl, AslRow

BOLD = Font(bold=True)
ASL_COLUMNS = [
    ("Provider", 28),
    ("Site", 32),
    ("FEI", 12),
    ("DUNS", 11),
    ("Country", 8),
    ("Service", 28),
    ("State", 18),
    ("Qualification", 12),
    ("Approved on", 12),
    ("Valid until", 12),
    ("Conditions", 30),
    ("Risk", 8),
    ("Risk basis", 50),
    ("Quality agreement in force", 12),
    ("Open findings", 10),
    ("CAPAs overdue", 10),
    ("Last audit", 12),
    ("Next audit due", 12),
    ("Open issues", 50),
    ("Signed by", 24),
    ("Signed at (UTC)", 18),
    ("Meaning", 30),
    ("Signed content SHA-256", 66),
]


def _signature_cells(signature: Signature | None) -> list[Any]:
    if signature is None:
        return ["", "", "", ""]
    return [
        f"{signature.signer_name} ({signature.signer_username})",
        signature.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        signature.meaning,
        signature.content_sha256,
    ]


def _row(row: AslRow) -> list[Any]:
    q = row.qualification
    site = q.site
    return [
        q.provider.name,
        site.name,
        site.fei,
        site.duns or "",
        site.country,
        q.service.name,
        row.status_label,
        q.get_kind_display(),
        q.approved_on,
        q.valid_until,
        q.conditions,
        row.risk.label,
        row.risk.explanation,
        "yes" if row.agreement_in_force else "no",
        row.findings.open_total,
        row.findings.overdue,
        row.last_audit_on,
        row.audit_due_on,
        "; ".join(row.issues),
        *_signature_cells(row.signature),
    ]


def asl_xlsx(*, organisation: Organisation, asl: Asl) -> bytes:
    """The list as a workbook: one row per site and service, the state as of the day, risk, issues, signature."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Approved supplier list"
    append_row(ws, [f"{organisation.name}: approved supplier list"])
    ws["A1"].font = Font(bold=True, size=13)
    exported = f"exported {timezone.now():%Y-%m-%d %H:%M} UTC"
    append_row(ws, [f"As of {asl.today:%d %b %Y}; {exported}; {len(asl.rows)} entries"])
    append_row(ws, [])
    append_row(ws, [name for name, _ in ASL_COLUMNS])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in asl.rows:
        append_row(ws, _row(row))
        for cell in ws[ws.max_row]:
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    for i, (_, width) in enumerate(ASL_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C5"
    return _bytes(wb)


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf_text(text: object) -> str:
    """Text the core PDF fonts (Latin-1) can draw: typographic marks made plain, anything else replaced."""
    value = str(text or "")
    for fancy, plain in (
        ("\u2013", "-"),
        ("\u2014", "-"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u2019", "'"),
        ("\u2192", "->"),
        ("\u00d7", "x"),
        ("\u2026", "..."),
    ):
        value = value.replace(fancy, plain)
    return value.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, pdf_text(f"{self.footer_text} - page {self.page_no()}/{{nb}}"), align="C")


def _pdf(*, landscape: bool, footer: str) -> _Pdf:
    pdf = _Pdf(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.footer_text = footer
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, pdf_text(subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _date(value: Any) -> str:
    return f"{value:%d %b %Y}" if value else "-"


def asl_pdf(*, organisation: Organisation, asl: Asl) -> bytes:
    """The list as a landscape A4 report; under each entry, the electronic signature of its latest decision."""
    pdf = _pdf(landscape=True, footer=f"{organisation.name} - approved supplier list as of {asl.today:%d %b %Y}")
    _heading(
        pdf,
        f"{organisation.name}: approved supplier list",
        f"As of {asl.today:%d %b %Y}; {len(asl.rows)} entries; exported {timezone.now():%Y-%m-%d %H:%M} UTC. "
        "Each decision is signed electronically (re-authentication, meaning, SHA-256 of the signed content).",
    )
    widths = [52, 50, 44, 30, 24, 22, 55]
    header = ["Provider / site", "FEI / DUNS / country", "Service", "State", "Valid until", "Risk", "Open issues"]
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(240, 243, 246)
    for width, text in zip(widths, header, strict=True):
        pdf.cell(width, 6, text, border=1, fill=True)
    pdf.ln()
    for row in asl.rows:
        q = row.qualification
        cells = [
            f"{q.provider.name}\n{q.site.name}",
            f"FEI {q.site.fei or '-'}\nDUNS {q.site.duns or '-'} {q.site.country}",
            q.service.name,
            row.status_label + (f"\n{q.conditions[:60]}" if q.conditions else ""),
            _date(q.valid_until),
            row.risk.label,
            "; ".join(row.issues)[:160] or "-",
        ]
        pdf.set_font("Helvetica", "", 7.5)
        with pdf.table(
            col_widths=widths, first_row_as_headings=False, line_height=3.6, width=sum(widths), align="LEFT"
        ) as table:
            line = table.row()
            for text in cells:
                line.cell(pdf_text(text))
        signature = row.signature
        pdf.set_font("Helvetica", "I", 6.5)
        text = (
            f"Signed by {signature.signer_name} ({signature.signer_username}) on "
            f"{signature.signed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, meaning "
            f'"{signature.meaning}"; content SHA-256 {signature.content_sha256}'
            if signature
            else "No signed decision yet."
        )
        pdf.multi_cell(sum(widths), 3.5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def audit_report_pdf(*, audit: Audit) -> bytes:
    """An audit's report: who, where, when, scope, the conclusion, the findings by class and the checklist."""
    pdf = _pdf(landscape=False, footer=f"{audit.organisation.name} - audit {audit.reference}")
    site = audit.site
    _heading(
        pdf,
        f"Audit report {audit.reference}: {site.name}",
        f"{audit.organisation.name} audit of {audit.provider.name} - {audit.get_kind_display()} - "
        f"{audit.get_status_display()} - generated {timezone.now():%Y-%m-%d %H:%M} UTC",
    )
    team = [u.get_full_name() or u.get_username() for u in audit.auditors.all()]
    facts = [
        ("Site", f"{site.name}, {site.address or ''} (FEI {site.fei or '-'}, DUNS {site.duns or '-'})"),
        ("Services audited", ", ".join(s.name for s in audit.services.all())),
        (
            "Dates",
            f"{_date(audit.starts_on)} to {_date(audit.ends_on)}; conducted (last day) {_date(audit.conducted_on)}",
        ),
        (
            "Lead auditor",
            (audit.lead_auditor.get_full_name() or audit.lead_auditor.get_username()) if audit.lead_auditor else "-",
        ),
        ("Audit team", ", ".join(team) or "-"),
        ("Checklist", audit.checklist),
        ("Scope", audit.scope or "-"),
        ("Reason", audit.reason or "-"),
        ("Report issued", f"{audit.report_issued_at:%d %b %Y}" if audit.report_issued_at else "not yet"),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(38, 5, pdf_text(label))
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Conclusion", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, pdf_text(audit.summary or "Not written yet."), new_x="LMARGIN", new_y="NEXT")
    findings = list(audit.findings.all())
    counts = Counter(f.classification for f in findings)
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    summary = ", ".join(f"{counts[c]} {c}" for c in ("critical", "major", "minor") if counts[c]) or "none"
    pdf.cell(0, 7, pdf_text(f"Findings ({summary})"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)
    if findings:
        with pdf.table(col_widths=(12, 18, 32, 128), line_height=4.2) as table:
            head = table.row()
            for text in ("No.", "Class", "Clause", "Finding"):
                head.cell(text)
            for f in findings:
                line = table.row()
                line.cell(f.label)
                line.cell(f.get_classification_display())
                line.cell(pdf_text(f.clause))
                line.cell(pdf_text(f"{f.title}\n{f.description}"))
    else:
        pdf.multi_cell(0, 5, "No findings.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 6, "Classification of findings", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 7.5)
    for c in finding_classes().values():
        pdf.multi_cell(0, 3.8, pdf_text(f"{c.name}: {c.definition}"), new_x="LMARGIN", new_y="NEXT")
    items = [i for i in audit.checklist_items.all() if i.result != "not_assessed" or i.observation]
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(
        0,
        7,
        pdf_text(f"Checklist ({len(items)} of {audit.checklist_items.count()} lines assessed)"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 8)
    if items:
        with pdf.table(col_widths=(34, 96, 26, 34), line_height=3.8) as table:
            head = table.row()
            for text in ("Clause", "Question", "Result", "Observation"):
                head.cell(text)
            for i in items:
                line = table.row()
                line.cell(pdf_text(i.clause))
                line.cell(pdf_text(i.question))
                line.cell(i.get_result_display())
                line.cell(pdf_text(i.observation or "-"))
    return bytes(pdf.output())

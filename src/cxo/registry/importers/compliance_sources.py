"""The six FDA compliance files, one importer each (``cxo import <source> FILE``; the framework is
:mod:`cxo.registry.importers.compliance`).

Each lists the columns it reads with every header name it accepts: the FDA Data Dashboard's own
export names ("FEI Number", "Inspection End Date", …) and the names of the copies CXO ships
(``data/fda_compliance``, from public repositories that renamed some: "fei_number", "firm_name").

=========================  ==========================  ===========================================
source                     file                        one event per row, identified by
=========================  ==========================  ===========================================
``fda-inspections``        Dashboard inspection        inspection id and project area (one
                           classifications             inspection covers several areas, each
                                                       classified NAI / VAI / OAI)
``fda-citations``          Dashboard inspection        inspection id and citation id (or, in the
                           citations (483 items)       Dashboard's export, the Act/CFR number and
                                                       short description)
``fda-actions``            Dashboard compliance        case / injunction id and FEI (one case may
                           actions                     name several firms)
``fda-483s``               Dashboard published 483s    record id; the PDF's URL is kept
``fda-recalls``            Dashboard recalls (CDER)    product id (an event recalls many products)
``fda-warning-letters``    FDA warning-letter listing  company, issue date, subject, office and
                                                       posting date (the listing has no id; a row
                                                       repeated exactly is read once)
=========================  ==========================  ===========================================
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from cxo.registry.importers.base import Record, RowRejected, RowSkipped
from cxo.registry.importers.compliance import ComplianceImporter, ComplianceRow
from cxo.registry.importers.tabular import Column, cell_date, cell_text
from cxo.registry.models import ComplianceKind, fei_key

FEI = Column("FEI Number", ("fei_number", "FEI"))
FEI_OPTIONAL = Column("FEI Number", FEI.names, required=False)
_INSPECTION_CLASS = re.compile(r"\b(NAI|VAI|OAI)\b")
_RECALL_CLASS = re.compile(r"^class\s+(iii|ii|i|3|2|1)$", re.IGNORECASE)
_ROMAN = {"1": "I", "2": "II", "3": "III"}


def _fei(record: Record, detail: dict[str, Any]) -> str:
    """The FEI key of the row; one that is not an FEI (FDA's files have a few typos) is kept in the detail
    as written, and the record stays, without a join."""
    raw = cell_text(record, "FEI Number")
    if not raw or raw == "-":
        return ""
    digits = raw.replace(",", "")
    if not digits.isdigit() or len(digits) > 10:
        detail["fei_as_written"] = raw[:40]
        return ""
    return fei_key(digits)


def _required(record: Record, field: str, *, limit: int | None = None) -> str:
    text = cell_text(record, field, limit=limit)
    if not text:
        raise RowRejected(f"{field} is empty")
    return text


def _place(record: Record) -> dict[str, str]:
    places = {"city": ("City", "Recalling Firm City"), "state": ("State", "Recalling Firm State")}
    places["country"] = ("Country/Area", "Recalling Firm Country")
    return {k: v for k, fields in places.items() for f in fields if (v := cell_text(record, f))}


class InspectionsImporter(ComplianceImporter):
    """FDA Data Dashboard inspection classifications (NAI / VAI / OAI) for drug project areas."""

    source = "fda-inspections"
    label = "FDA Data Dashboard inspections"
    table = (
        FEI,
        Column("Legal Name", ("firm_name", "Firm Name")),
        Column("Inspection End Date", ("inspection_end_date",)),
        Column("Classification"),
        Column("Project Area", required=False),
        Column("Inspection ID"),
        Column("City", required=False),
        Column("State", required=False),
        Column("Country/Area", ("Country",), required=False),
        Column("Fiscal Year", required=False),
        Column("Product Type", required=False),
    )

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        raw = _required(record, "Classification")
        found = _INSPECTION_CLASS.search(raw.upper())
        if found is None:
            raise RowRejected(f"Classification {raw[:40]!r} is not NAI, VAI or OAI")
        inspection = _required(record, "Inspection ID", limit=40)
        area = cell_text(record, "Project Area", limit=200)
        detail: dict[str, Any] = {"inspection_id": inspection, **_place(record)}
        if area:
            detail["project_area"] = area
        if product := cell_text(record, "Product Type"):
            detail["product_type"] = product
        return ComplianceRow(
            line=line,
            source_ref=f"{inspection}/{area}" if area else inspection,
            kind=ComplianceKind.INSPECTION,
            occurred_on=cell_date(record, "Inspection End Date", required=True),
            firm_name=cell_text(record, "Legal Name"),
            fei=_fei(record, detail),
            classification=found.group(1),
            title=area or "Inspection",
            detail=detail,
        )


class CitationsImporter(ComplianceImporter):
    """FDA Data Dashboard inspection citations: the observations of a Form 483, per inspection."""

    source = "fda-citations"
    label = "FDA Data Dashboard inspection citations"
    table = (
        FEI,
        Column("Legal Name", ("firm_name", "Firm Name")),
        Column("Inspection End Date", ("inspection_date",)),
        Column("Inspection ID"),
        Column("Short Description", ("cfr_citation",)),
        Column("Long Description", ("citation_description",), required=False),
        Column("Citation ID", required=False),
        Column("Act/CFR Number", ("act_cfr_number",), required=False),
        Column("Program Area", required=False),
    )

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        inspection = _required(record, "Inspection ID", limit=40)
        short = _required(record, "Short Description")
        cfr = cell_text(record, "Act/CFR Number", limit=100)
        citation = cell_text(record, "Citation ID", limit=40)
        if citation:
            ref = f"{inspection}/{citation}"
        else:  # the Dashboard's export has no citation id: what was cited identifies it within the inspection
            ref = f"{inspection}/{cfr}/{hashlib.sha1(short.encode()).hexdigest()[:12]}"
        detail: dict[str, Any] = {"inspection_id": inspection}
        if cfr:
            detail["cfr"] = cfr
        if citation:
            detail["citation_id"] = citation
        if area := cell_text(record, "Program Area"):
            detail["program_area"] = area
        return ComplianceRow(
            line=line,
            source_ref=ref,
            kind=ComplianceKind.CITATION,
            occurred_on=cell_date(record, "Inspection End Date", required=True),
            firm_name=cell_text(record, "Legal Name"),
            fei=_fei(record, detail),
            title=f"{cfr}: {short}" if cfr else short,
            text=cell_text(record, "Long Description"),
            detail=detail,
        )


class ActionsImporter(ComplianceImporter):
    """FDA Data Dashboard compliance actions: warning letters, injunctions, seizures, …"""

    source = "fda-actions"
    label = "FDA Data Dashboard compliance actions"
    table = (
        FEI,
        Column("Legal Name", ("firm_name", "Firm Name")),
        Column("Action Taken Date"),
        Column("Action Type"),
        Column("Case/Injunction ID", ("Case ID",)),
        Column("Product Type", required=False),
        Column("State", required=False),
        Column("Country/Area", ("Country",), required=False),
    )

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        action = _required(record, "Action Type", limit=32)
        case = _required(record, "Case/Injunction ID", limit=40)
        detail: dict[str, Any] = {"case_id": case, **_place(record)}
        fei = _fei(record, detail)
        product = cell_text(record, "Product Type")
        if product:
            detail["product_type"] = product
        letter = "warning letter" in action.casefold()
        return ComplianceRow(
            line=line,
            source_ref=f"{case}/{fei}",
            kind=ComplianceKind.WARNING_LETTER if letter else ComplianceKind.ACTION,
            occurred_on=cell_date(record, "Action Taken Date", required=True),
            firm_name=cell_text(record, "Legal Name"),
            fei=fei,
            classification=action,
            title=f"{action} ({product})" if product else action,
            detail=detail,
        )


class Form483Importer(ComplianceImporter):
    """FDA Data Dashboard list of published Form 483s, with the link to each PDF."""

    source = "fda-483s"
    label = "FDA Data Dashboard published Form 483s"
    table = (
        FEI_OPTIONAL,
        Column("Legal Name", ("firm_name", "Firm Name")),
        Column("Record Date", required=False),
        Column("Record ID"),
        Column("Download", ("Download URL", "URL")),
        Column("Record Type", required=False),
        Column("Publish Date", required=False),
    )

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        url = cell_text(record, "Download")
        if url and not url.startswith(("https://", "http://")):
            raise RowRejected(f"Download {url[:40]!r} is not a web address")
        published = cell_date(record, "Publish Date")
        detail: dict[str, Any] = {"record_type": cell_text(record, "Record Type") or "483"}
        if published:
            detail["published"] = published.isoformat()
        return ComplianceRow(
            line=line,
            source_ref=_required(record, "Record ID", limit=40),
            kind=ComplianceKind.FORM_483,
            occurred_on=cell_date(record, "Record Date"),  # a few published 483s have no record date ("-")
            firm_name=cell_text(record, "Legal Name"),
            fei=_fei(record, detail),
            title="Form 483 (inspectional observations)",
            url=url,
            detail=detail,
        )


class RecallsImporter(ComplianceImporter):
    """FDA Data Dashboard recalls: one row per recalled product, classified Class I, II or III."""

    source = "fda-recalls"
    label = "FDA Data Dashboard recalls"
    table = (
        FEI,
        Column("Recalling Firm Name", ("Firm Name", "Legal Name")),
        Column("Product Classification", ("Classification",)),
        Column("Center Classification Date", ("Classification Date",)),
        Column("Product ID"),
        Column("Status", required=False),
        Column("Reason for Recall", required=False),
        Column("Product Description", required=False),
        Column("Event ID", required=False),
        Column("Event Classification", required=False),
        Column("Distribution Pattern", required=False),
        Column("Recall Details", required=False),
        Column("Recalling Firm City", required=False),
        Column("Recalling Firm State", required=False),
        Column("Recalling Firm Country", required=False),
    )

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        raw = _required(record, "Product Classification")
        found = _RECALL_CLASS.match(raw)
        if found is None:
            raise RowRejected(f"Product Classification {raw[:40]!r} is not Class I, II or III")
        level = _ROMAN.get(found.group(1), found.group(1).upper())
        detail: dict[str, Any] = {**_place(record)}
        for key, field in (("event_id", "Event ID"), ("event_class", "Event Classification")):
            if value := cell_text(record, field):
                detail[key] = value
        if distribution := cell_text(record, "Distribution Pattern"):
            detail["distribution"] = distribution[:1000]
        reason = cell_text(record, "Reason for Recall")
        return ComplianceRow(
            line=line,
            source_ref=_required(record, "Product ID", limit=40),
            kind=ComplianceKind.RECALL,
            occurred_on=cell_date(record, "Center Classification Date", required=True),
            firm_name=cell_text(record, "Recalling Firm Name"),
            fei=_fei(record, detail),
            classification=f"Class {level}",
            status=cell_text(record, "Status", limit=32),
            title=reason[:500] or f"Class {level} recall",
            text=cell_text(record, "Product Description"),
            url=cell_text(record, "Recall Details"),
            detail=detail,
        )


class WarningLettersImporter(ComplianceImporter):
    """FDA's public warning-letter listing (all centres): company names only, linked to organisations by name."""

    source = "fda-warning-letters"
    label = "FDA warning-letter listing"
    link_by_name = True
    table = (
        Column("Company Name"),
        Column("Letter Issue Date"),
        Column("Subject"),
        Column("Issuing Office", required=False),
        Column("Posted Date", required=False),
        Column("Response Letter", required=False),
        Column("Closeout Letter", ("Close Out Letter",), required=False),
    )

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[tuple[str, ...], int] = {}

    def parse(self, *, line: int, record: Record) -> ComplianceRow:
        whole = tuple(cell_text(record, c.field) for c in self.table)
        if whole in self._rows:  # the listing repeats a few letters row for row: the same letter, read once
            self.duplicates.append({"line": line, "same_as_line": self._rows[whole]})
            raise RowSkipped
        self._rows[whole] = line
        return super().parse(line=line, record=record)

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        company = _required(record, "Company Name", limit=255)
        subject = _required(record, "Subject", limit=500)
        issued = cell_date(record, "Letter Issue Date", required=True)
        office = cell_text(record, "Issuing Office", limit=300)
        posted = cell_date(record, "Posted Date")
        key = "|".join([company.casefold(), str(issued), subject.casefold(), office.casefold(), str(posted)])
        detail: dict[str, Any] = {}
        if office:
            detail["issuing_office"] = office
        if posted:
            detail["posted"] = posted.isoformat()
        if response := cell_date(record, "Response Letter"):
            detail["response_letter"] = response.isoformat()
        closeout = cell_date(record, "Closeout Letter")
        return ComplianceRow(
            line=line,
            source_ref=hashlib.sha256(key.encode()).hexdigest()[:24],
            kind=ComplianceKind.WARNING_LETTER,
            occurred_on=issued,
            firm_name=company,
            title=subject,
            status="closed out" if closeout else "",
            closed_on=closeout,
            detail=detail,
        )


COMPLIANCE_IMPORTERS: tuple[type[ComplianceImporter], ...] = (
    InspectionsImporter,
    CitationsImporter,
    ActionsImporter,
    Form483Importer,
    RecallsImporter,
    WarningLettersImporter,
)

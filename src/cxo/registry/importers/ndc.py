"""FDA National Drug Code Directory, ``product.txt``: the finished drugs each labeler markets.

The file is tab-separated with CRLF line ends, in latin-1 with a few Windows-1252 quotes, fields
never quoted (a few names contain ``"``); a ``.gz`` file is read as it is. One row is one product
listing: ``PRODUCTID`` (the NDC product code and the SPL document id, unique per row), the labeler
(the company whose name is on the label), dosage form, route(s) and active substance(s),
marketing category and dates.

What the import makes
---------------------

- **Labelers** are linked to registry organisations by name (:mod:`cxo.registry.names`: exact on
  the normalised name, then fuzzy against FDA-registered organisations, with a guard against
  generic names). A labeler that links to nothing becomes a new, unclaimed registry organisation
  (type provider, like the DECRS registrants), one per normalised name, named by the most used
  spelling. The link rate — exact / fuzzy / unmatched labelers — is in ``ImportRun.notes`` and the
  summary, with every fuzzy link listed for review.
- **Capabilities**, at organisation level (``site`` empty: the NDC directory says what a labeler
  markets, not where it is made): one per (labeler, service *Marketed drug products (labeler)*,
  dosage form, route, substance, modality). A product with two routes and three substances is
  evidence for six of them. So "who markets film-coated tablets", "who markets atorvastatin" and
  "who markets atorvastatin as film-coated tablets" are each one indexed lookup, and the count
  stays below the number of products (about 102,000 capabilities for the 128,241 products of the
  2019 file). The modality comes from FDA's own product type or marketing category where that says
  it: vaccine, cellular therapy, plasma derivative / allergenic / BLA (biologic), unapproved medical
  gas; otherwise it is left empty.
- **Evidence** of kind ``ndc_listing`` per product and capability: ``source_ref`` is ``PRODUCTID``,
  ``detail`` the product's NDC, names, type, marketing category, application, labeler as written
  and dates.

Why a labeler service and not "drug product manufacture": a labeler may make the product, have it
made by a contract manufacturer, or only repackage or distribute it under its own name (the file's
largest labelers are repackagers and pharmacy chains). Manufacture is shown by the establishment
sources (DECRS registrations, SPL establishment records). The labeler service sits under
"Distribution & trade", so by the kind rule a labeler with nothing else on record is "other", and
one that is also an FDA-registered manufacturer stays a CMO; matching still sees the dosage forms,
routes and substances of an organisation's labeler capabilities as organisation-level product facts.

Dates and excluded rows
-----------------------

``observed_on`` is 1 January of the year in ``LISTING_RECORD_CERTIFIED_THROUGH`` — a listing
certified through 31 December of year Y was certified as current for year Y, the same convention
as the DECRS registrations — or, for rows without a certification date, ``STARTMARKETINGDATE``.

Rows whose ``NDC_EXCLUDE_FLAG`` is not ``N`` (31,654 in the 2019 file, all with a listing certified
only through 2017 or 2018) are *imported*, with ``"excluded": <flag>`` in the evidence detail and
their own older date, and counted in the notes: they are facts about what the labeler marketed,
and their age lowers their weight in matching.

A dosage form or route the taxonomy does not know does not fail the row: the capability gets no
dosage form (or route), the text is kept in the evidence detail, and the summary counts each
unknown value. Nothing is deleted: a product missing from a later file keeps its dated evidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from cxo.registry.importers.base import ImportContext, Outcome, Record, RowRejected
from cxo.registry.importers.labelers import link_summary, names_link
from cxo.registry.importers.ndc_text import (
    NdcFile,
    listing_dates,
    listing_observed_on,
    ndc_date,
    ndc_split,
    ndc_text,
)
from cxo.registry.importers.upsert import (
    CapabilitySpec,
    EvidenceSpec,
    capabilities_ensure,
    evidence_upsert,
    line_counts,
    statistics_refresh,
)
from cxo.registry.models import Capability, Evidence, EvidenceKind, Term, Vocabulary
from cxo.registry.taxonomy import taxonomy_load, term_lookup

LABELER_SERVICE = "svc.distribution.labeler"

# FDA's product type or marketing category -> modality term, where FDA's classification says it.
_TYPE_MODALITY = {
    "VACCINE": "mod.vaccine",
    "CELLULAR THERAPY": "mod.cell_therapy",
    "PLASMA DERIVATIVE": "mod.biologic",
    "STANDARDIZED ALLERGENIC": "mod.biologic",
    "NON-STANDARDIZED ALLERGENIC": "mod.biologic",
}
_CATEGORY_MODALITY = {"BLA": "mod.biologic", "UNAPPROVED MEDICAL GAS": "mod.medical_gas"}

_FLAG = re.compile(r"[A-Z]")


@dataclass(frozen=True, slots=True)
class NdcProduct:
    line: int
    product_id: str
    ndc: str
    labeler: str
    product_type: str
    name: str
    generic_name: str
    dosage_form: str
    routes: tuple[str, ...]
    substances: tuple[str, ...]
    category: str
    application: str
    start: dt.date | None
    end: dt.date | None
    certified_through: dt.date | None
    exclude_flag: str  # "N" for a listed product

    @property
    def excluded(self) -> bool:
        return self.exclude_flag != "N"

    @property
    def observed_on(self) -> dt.date | None:
        return listing_observed_on(self.certified_through, self.start)

    @property
    def modality(self) -> str | None:
        return _TYPE_MODALITY.get(self.product_type) or _CATEGORY_MODALITY.get(self.category)


class NdcImporter(NdcFile[NdcProduct]):
    """FDA NDC directory ``product.txt`` (plain or gzipped; see the module docstring)."""

    source = "ndc"
    label = "FDA NDC directory product.txt"
    columns = (
        "PRODUCTID",
        "PRODUCTNDC",
        "PRODUCTTYPENAME",
        "PROPRIETARYNAME",
        "NONPROPRIETARYNAME",
        "DOSAGEFORMNAME",
        "ROUTENAME",
        "STARTMARKETINGDATE",
        "MARKETINGCATEGORYNAME",
        "LABELERNAME",
        "SUBSTANCENAME",
    )
    #: Read when present: suffix, end date, application, exclusion flag and certification date.
    optional_columns = (
        "PROPRIETARYNAMESUFFIX",
        "ENDMARKETINGDATE",
        "APPLICATIONNUMBER",
        "NDC_EXCLUDE_FLAG",
        "LISTING_RECORD_CERTIFIED_THROUGH",
    )

    def parse(self, *, line: int, record: Record) -> NdcProduct:
        fields = self.listing_fields(line=line, record=record)
        flag = ndc_text(record, "NDC_EXCLUDE_FLAG").upper() or "N"
        if not _FLAG.fullmatch(flag):
            raise RowRejected(f"NDC_EXCLUDE_FLAG {flag!r} is not a one-letter flag (N for a listed product)")
        start = ndc_date(record, "STARTMARKETINGDATE")
        end = ndc_date(record, "ENDMARKETINGDATE")
        certified = ndc_date(record, "LISTING_RECORD_CERTIFIED_THROUGH")
        parts = (ndc_text(record, "PROPRIETARYNAME"), ndc_text(record, "PROPRIETARYNAMESUFFIX"))
        name = " ".join(p for p in parts if p)
        self.seen(fields.product_id, line)
        return NdcProduct(
            line=line,
            product_id=fields.product_id,
            ndc=fields.ndc,
            labeler=fields.labeler,
            product_type=ndc_text(record, "PRODUCTTYPENAME").upper(),
            name=name,
            generic_name=ndc_text(record, "NONPROPRIETARYNAME"),
            dosage_form=fields.dosage_form,
            routes=ndc_split(ndc_text(record, "ROUTENAME")),
            substances=fields.substances,
            category=ndc_text(record, "MARKETINGCATEGORYNAME").upper(),
            application=ndc_text(record, "APPLICATIONNUMBER"),
            start=start,
            end=end,
            certified_through=certified,
            exclude_flag=flag,
        )

    def apply(self, *, rows: list[NdcProduct], context: ImportContext) -> Outcome:
        taxonomy_load(actor=context.actor)  # the terms must exist; a no-op once loaded
        service_id = Term.objects.get(code=LABELER_SERVICE).pk
        forms = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
        routes = term_lookup(vocabulary=Vocabulary.ROUTE)
        modalities = dict(
            Term.objects.filter(code__in={*_TYPE_MODALITY.values(), *_CATEGORY_MODALITY.values()}).values_list(
                "code", "pk"
            )
        )
        outcome = Outcome()
        linked = names_link(Counter(row.labeler for row in rows), create_missing=True)
        outcome.organisation_ids |= linked.created
        org_of = {name: org_id for name, org_id in linked.organisation_of.items() if org_id is not None}
        links = linked.figures

        form_ids: dict[str, int | None] = {}
        route_ids_by_name: dict[str, int | None] = {}
        unknown_forms: Counter[str] = Counter()
        unknown_routes: Counter[str] = Counter()
        per_row: list[tuple[NdcProduct, list[CapabilitySpec], dict[str, Any]]] = []
        for row in context.progress(rows, desc="products"):
            if row.dosage_form not in form_ids:  # a few hundred distinct forms: look each up once
                form_ids[row.dosage_form] = forms.id_of(row.dosage_form)
            form_id = form_ids[row.dosage_form]
            detail = self._detail(row)
            if form_id is None:
                unknown_forms[row.dosage_form] += 1
                detail["dosage_form"] = row.dosage_form
            route_ids: list[int | None] = []
            for route in row.routes:
                if route not in route_ids_by_name:
                    route_ids_by_name[route] = routes.id_of(route)
                route_id = route_ids_by_name[route]
                if route_id is None:
                    unknown_routes[route] += 1
                    detail.setdefault("routes", []).append(route)
                route_ids.append(route_id)
            modality = modalities.get(row.modality) if row.modality else None
            org_id = org_of[row.labeler]
            specs = [
                CapabilitySpec(
                    organisation_id=org_id,
                    service_id=service_id,
                    dosage_form_id=form_id,
                    route_id=route_id,
                    modality_id=modality,
                    substance=substance,
                )
                for route_id in dict.fromkeys(route_ids or [None])
                for substance in row.substances or ("",)
            ]
            per_row.append((row, specs, detail))

        caps = capabilities_ensure(
            (spec for _, specs, _ in per_row for spec in specs),
            scope=Capability.objects.filter(site__isnull=True, service_id=service_id),
        )
        evidence = [
            EvidenceSpec(
                line=row.line,
                organisation_id=spec.organisation_id,
                capability_id=caps.ids[spec],
                source_ref=row.product_id,
                observed_on=row.observed_on,
                detail=detail,
            )
            for row, specs, detail in per_row
            for spec in specs
        ]
        written = evidence_upsert(
            kind=EvidenceKind.NDC_LISTING,
            specs=evidence,
            existing=Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING),
            run=context.run,
        )
        statistics_refresh(rows_written=caps.created + written.created + written.updated)
        outcome.created, outcome.updated, outcome.unchanged = line_counts((r.line for r in rows), written)
        outcome.organisation_ids |= caps.organisation_ids | written.organisation_ids
        self._report(rows, outcome, links, caps.created, written.counts(), unknown_forms, unknown_routes)
        return outcome

    @staticmethod
    def _detail(row: NdcProduct) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "ndc": row.ndc,
            "product": row.name,
            "generic": row.generic_name,
            "type": row.product_type,
            "category": row.category,
        }
        if row.application:
            detail["application"] = row.application
        detail["labeler"] = row.labeler
        detail.update(listing_dates(row.start, row.end, row.certified_through))
        if row.excluded:
            detail["excluded"] = row.exclude_flag
        return detail

    def _report(
        self,
        rows: list[NdcProduct],
        outcome: Outcome,
        links: dict[str, Any],
        capabilities_created: int,
        evidence: dict[str, int],
        unknown_forms: Counter[str],
        unknown_routes: Counter[str],
    ) -> None:
        excluded = Counter(row.exclude_flag for row in rows if row.excluded)
        dated = Counter(
            "certified_through" if row.certified_through else "start_marketing" if row.start else "undated"
            for row in rows
        )
        total = links["names"]
        rate = {k: round(100 * links[k] / total, 1) if total else 0.0 for k in ("exact", "fuzzy", "unmatched")}
        outcome.notes = {
            "labelers": links,
            "link_rate_percent": rate,
            "products": {"listed": len(rows) - sum(excluded.values()), "excluded": dict(excluded)},
            "capabilities": {"created": capabilities_created},
            "evidence": evidence,
            "dated_by": dict(dated),
            "unknown_dosage_forms": dict(unknown_forms.most_common()),
            "unknown_routes": dict(unknown_routes.most_common()),
        }
        outcome.summary = [
            link_summary(links),
            f"Products: {len(rows) - sum(excluded.values()):,} listed, {sum(excluded.values()):,} excluded "
            "(NDC_EXCLUDE_FLAG other than N: imported, marked 'excluded' in the evidence). "
            f"Capabilities: {capabilities_created:,} created; evidence: {evidence['created']:,} created, "
            f"{evidence['updated']:,} updated.",
            f"Dated by LISTING_RECORD_CERTIFIED_THROUGH: {dated['certified_through']:,}; "
            f"by STARTMARKETINGDATE: {dated['start_marketing']:,}; undated: {dated['undated']:,}.",
        ]
        if unknown_forms:
            listed = ", ".join(f"{name} ({n:,})" for name, n in unknown_forms.most_common())
            outcome.summary.append(f"Unknown dosage forms, imported without a dosage form: {listed}.")
        if unknown_routes:
            listed = ", ".join(f"{name} ({n:,})" for name, n in unknown_routes.most_common())
            outcome.summary.append(f"Unknown routes, imported without a route: {listed}.")

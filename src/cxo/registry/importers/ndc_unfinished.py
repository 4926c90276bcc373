"""FDA NDC "unfinished drugs", ``unfinished_product.txt``: bulk active ingredients and drugs for further processing.

Read like the finished NDC file (:mod:`cxo.registry.importers.ndc_text`), with the columns PRODUCTID,
PRODUCTNDC, PRODUCTTYPENAME, NONPROPRIETARYNAME, DOSAGEFORMNAME, STARTMARKETINGDATE,
MARKETINGCATEGORYNAME, LABELERNAME, SUBSTANCENAME and, when present, ENDMARKETINGDATE,
ACTIVE_NUMERATOR_STRENGTH, ACTIVE_INGRED_UNIT, DEASCHEDULE, LISTING_RECORD_CERTIFIED_THROUGH.

The labeler of an unfinished listing is, in practice, the company that makes or sells that drug
substance — the primary-manufacturing side of the registry, which the finished-product file lacks.

What the import makes
---------------------

- **What a listing shows.** A *bulk ingredient* — marketing category ``BULK INGREDIENT`` (also
  "… FOR HUMAN PRESCRIPTION COMPOUNDING", "… FOR ANIMAL DRUG COMPOUNDING"), product type
  ``LICENSED VACCINE BULK INTERMEDIATE``, or any listing in a bulk-substance form (powder, crystal,
  liquid, granule, pellet, oil, concentrate, extract, gas; :data:`BULK_FORMS`) — is **drug
  substance (API) manufacture** of its substance(s). Any other listing is a drug for further
  processing in a finished dosage form (bulk tablets, capsules, injections made to be packed or
  finished elsewhere): **drug product manufacture** in that dosage form, with its substance(s).
- **Where.** Labelers are linked to registry organisations with the same linker as the NDC
  directory (:mod:`cxo.registry.importers.labelers`); a labeler that links to nothing becomes a new
  organisation. The capability is at the **site** when the labeler's name points to one site (the
  name of exactly one of the organisation's sites, or an organisation with a single site), else
  at the organisation (``site`` empty).
- **Capabilities**: one per (organisation, site, service, dosage form for drug products, substance,
  modality for vaccines). A listing with three substances is evidence for three. Substances are
  kept as FDA lists them, in upper case ("ATORVASTATIN CALCIUM TRIHYDRATE"); the evidence keeps the
  field as written. Normalising salts and hydrates to the active moiety is left to matching.
- **Evidence** of kind ``ndc_unfinished`` per listing and capability: ``source_ref`` is
  ``PRODUCTID``, ``observed_on`` 1 January of the year in ``LISTING_RECORD_CERTIFIED_THROUGH`` (as
  for the finished file) or else ``STARTMARKETINGDATE``; ``detail`` the NDC, names, type, category,
  labeler as written, dosage form, strength, DEA schedule and dates.

A dosage form the taxonomy does not know leaves a drug-product capability without one (the text is
kept in the evidence and counted). Nothing is deleted: a listing missing from a later file keeps
its dated evidence.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxo.registry.importers.base import ImportContext, ImportFailed, Outcome, Record
from cxo.registry.importers.labelers import link_summary, names_link
from cxo.registry.importers.ndc_text import NdcFile, listing_dates, listing_observed_on, ndc_date, ndc_text
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

API_SERVICE = "svc.mfg.api"
DRUG_PRODUCT_SERVICE = "svc.mfg.drug_product"

#: Dosage forms in which a listing is a drug substance or intermediate, not a finished dosage form.
BULK_FORMS = frozenset(
    {"POWDER", "CRYSTAL", "LIQUID", "GRANULE", "PELLET", "BEAD", "OIL", "CONCENTRATE", "EXTRACT", "GAS", "FLAKE"}
    | {"NOT APPLICABLE"}
)
_VACCINE_TYPES = {"LICENSED VACCINE BULK INTERMEDIATE": "mod.vaccine", "VACCINE": "mod.vaccine"}


@dataclass(frozen=True, slots=True)
class UnfinishedListing:
    line: int
    product_id: str
    ndc: str
    labeler: str
    product_type: str
    category: str
    generic_name: str
    dosage_form: str
    substances: tuple[str, ...]
    substance_text: str
    strength: str
    dea_schedule: str
    start: dt.date | None
    end: dt.date | None
    certified_through: dt.date | None

    @property
    def bulk_ingredient(self) -> bool:
        """Whether the listing is a drug substance (API), not a drug product for further processing."""
        return (
            self.category.startswith("BULK INGREDIENT")
            or self.product_type == "LICENSED VACCINE BULK INTERMEDIATE"
            or self.dosage_form.upper() in BULK_FORMS
        )

    @property
    def observed_on(self) -> dt.date | None:
        return listing_observed_on(self.certified_through, self.start)


class NdcUnfinishedImporter(NdcFile[UnfinishedListing]):
    """FDA NDC ``unfinished_product.txt`` (plain or gzipped; see the module docstring)."""

    source = "ndc-unfinished"
    label = "FDA NDC unfinished drugs unfinished_product.txt"
    columns = (
        "PRODUCTID",
        "PRODUCTNDC",
        "PRODUCTTYPENAME",
        "NONPROPRIETARYNAME",
        "DOSAGEFORMNAME",
        "STARTMARKETINGDATE",
        "MARKETINGCATEGORYNAME",
        "LABELERNAME",
        "SUBSTANCENAME",
    )

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        for line, record in super().records(path):
            if line == 2 and "PROPRIETARYNAME" in record:
                raise ImportFailed(
                    "line 1: this is the NDC directory of finished products (it has PROPRIETARYNAME and ROUTENAME): "
                    "import it with `cxo import ndc`."
                )
            yield line, record

    def parse(self, *, line: int, record: Record) -> UnfinishedListing:
        fields = self.listing_fields(line=line, record=record)
        start = ndc_date(record, "STARTMARKETINGDATE")
        end = ndc_date(record, "ENDMARKETINGDATE")
        certified = ndc_date(record, "LISTING_RECORD_CERTIFIED_THROUGH")
        strength = " ".join(
            p for p in (ndc_text(record, "ACTIVE_NUMERATOR_STRENGTH"), ndc_text(record, "ACTIVE_INGRED_UNIT")) if p
        )
        self.seen(fields.product_id, line)
        return UnfinishedListing(
            line=line,
            product_id=fields.product_id,
            ndc=fields.ndc,
            labeler=fields.labeler,
            product_type=ndc_text(record, "PRODUCTTYPENAME").upper(),
            category=ndc_text(record, "MARKETINGCATEGORYNAME").upper(),
            generic_name=ndc_text(record, "NONPROPRIETARYNAME"),
            dosage_form=fields.dosage_form,
            substances=fields.substances,
            substance_text=ndc_text(record, "SUBSTANCENAME"),
            strength=strength,
            dea_schedule=ndc_text(record, "DEASCHEDULE"),
            start=start,
            end=end,
            certified_through=certified,
        )

    def apply(self, *, rows: list[UnfinishedListing], context: ImportContext) -> Outcome:
        taxonomy_load(actor=context.actor)  # the terms must exist; a no-op once loaded
        services = dict(Term.objects.filter(code__in=[API_SERVICE, DRUG_PRODUCT_SERVICE]).values_list("code", "pk"))
        modalities = dict(Term.objects.filter(code__in=set(_VACCINE_TYPES.values())).values_list("code", "pk"))
        forms = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
        outcome = Outcome()
        linked = names_link(Counter(row.labeler for row in rows), create_missing=True)
        outcome.organisation_ids |= linked.created

        form_ids: dict[str, int | None] = {}
        unknown_forms: Counter[str] = Counter()
        shows: Counter[str] = Counter()
        per_row: list[tuple[UnfinishedListing, list[CapabilitySpec], dict[str, Any]]] = []
        for row in context.progress(rows, desc="listings"):
            detail = self._detail(row)
            org_id = linked.organisation_of[row.labeler]
            assert org_id is not None  # names_link created every missing organisation
            modality = modalities.get(_VACCINE_TYPES.get(row.product_type, ""))
            if row.bulk_ingredient:
                service_id, form_id = services[API_SERVICE], None
                shows["api"] += 1
            else:
                if row.dosage_form not in form_ids:  # a few hundred distinct forms: look each up once
                    form_ids[row.dosage_form] = forms.id_of(row.dosage_form)
                service_id, form_id = services[DRUG_PRODUCT_SERVICE], form_ids[row.dosage_form]
                shows["drug_product"] += 1
                if form_id is None:
                    unknown_forms[row.dosage_form] += 1
            specs = [
                CapabilitySpec(
                    organisation_id=org_id,
                    service_id=service_id,
                    site_id=linked.site_of(row.labeler),
                    dosage_form_id=form_id,
                    modality_id=modality,
                    substance=substance,
                )
                for substance in row.substances or ("",)
            ]
            per_row.append((row, specs, detail))

        caps = capabilities_ensure(
            (spec for _, specs, _ in per_row for spec in specs),
            scope=Capability.objects.filter(service_id__in=list(services.values())),
        )
        written = evidence_upsert(
            kind=EvidenceKind.NDC_UNFINISHED,
            specs=[
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
            ],
            existing=Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED),
            run=context.run,
        )
        statistics_refresh(rows_written=caps.created + written.created + written.updated)
        outcome.created, outcome.updated, outcome.unchanged = line_counts((r.line for r in rows), written)
        outcome.organisation_ids |= caps.organisation_ids | written.organisation_ids
        at_site = sum(1 for row, specs, _ in per_row if specs[0].site_id is not None)
        outcome.notes = {
            "labelers": linked.figures,
            "listings": {"api": shows["api"], "drug_product": shows["drug_product"], "at_a_site": at_site},
            "capabilities": {"created": caps.created},
            "evidence": written.counts(),
            "unknown_dosage_forms": dict(unknown_forms.most_common()),
        }
        outcome.summary = [
            link_summary(linked.figures),
            f"Listings: {shows['api']:,} bulk ingredients (drug substance manufacture), {shows['drug_product']:,} "
            f"drugs for further processing (drug product manufacture); {at_site:,} placed at the one site their "
            f"labeler names, the rest organisation-wide. Capabilities: {caps.created:,} created; evidence: "
            f"{written.created:,} created, {written.updated:,} updated.",
        ]
        if unknown_forms:
            listed = ", ".join(f"{name} ({n:,})" for name, n in unknown_forms.most_common())
            outcome.summary.append(f"Unknown dosage forms, imported without a dosage form: {listed}.")
        return outcome

    @staticmethod
    def _detail(row: UnfinishedListing) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "ndc": row.ndc,
            "generic": row.generic_name,
            "type": row.product_type,
            "category": row.category,
            "labeler": row.labeler,
            "dosage_form": row.dosage_form,
            "substance": row.substance_text,
        }
        if row.strength:
            detail["strength"] = row.strength
        if row.dea_schedule:
            detail["dea_schedule"] = row.dea_schedule
        detail.update(listing_dates(row.start, row.end, row.certified_through))
        return detail

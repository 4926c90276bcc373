"""A plain, column-wise copy of the registry: what both the index and the reference implementation read.

It is read from the database with ``values_list`` queries (no model instances), or built directly
from records in tests. Columns are tuples in the order of the rows; dates may be ``None``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

EVIDENCE_KINDS: tuple[str, ...] = (
    "fda_registration",
    "ndc_listing",
    "spl_establishment",
    "clinical_trial",
    "audit",
    "self_declared",
    "ndc_unfinished",
)
REGULATORY_KINDS = frozenset(
    {"fda_registration", "ndc_listing", "spl_establishment", "clinical_trial", "ndc_unfinished"}
)
PRODUCT_VOCABULARIES: tuple[str, ...] = ("dosage_form", "route", "modality", "scale")


def _columns(rows: Iterable[Sequence[Any]], width: int) -> list[tuple[Any, ...]]:
    cols = list(zip(*rows, strict=True))
    return cols if cols else [() for _ in range(width)]


@dataclass
class Terms:
    id: tuple[int, ...] = ()
    vocabulary: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    name: tuple[str, ...] = ()
    synonyms: tuple[Sequence[str], ...] = ()
    parent: tuple[int | None, ...] = ()
    sort: tuple[int, ...] = ()
    cdisc_code: tuple[str, ...] = ()


@dataclass
class Organisations:
    id: tuple[int, ...] = ()
    name: tuple[str, ...] = ()
    slug: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()


@dataclass
class Sites:
    id: tuple[int, ...] = ()
    organisation: tuple[int, ...] = ()
    name: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    duns: tuple[str | None, ...] = ()
    fei: tuple[str, ...] = ()
    registration_expiry: tuple[dt.date | None, ...] = ()


@dataclass
class Capabilities:
    id: tuple[int, ...] = ()
    organisation: tuple[int, ...] = ()
    site: tuple[int | None, ...] = ()
    service: tuple[int, ...] = ()
    dosage_form: tuple[int | None, ...] = ()
    route: tuple[int | None, ...] = ()
    modality: tuple[int | None, ...] = ()
    scale: tuple[int | None, ...] = ()
    substance: tuple[str, ...] = ()


@dataclass
class EvidenceRecords:
    id: tuple[int, ...] = ()
    capability: tuple[int, ...] = ()
    kind: tuple[str, ...] = ()
    source_ref: tuple[str, ...] = ()
    observed_on: tuple[dt.date | None, ...] = ()


@dataclass
class ComplianceRecords:
    """FDA compliance events joined to sites by FEI key: inspections, warning letters, Class I recalls."""

    fei: tuple[str, ...] = ()  # FEI key (registry.models.fei_key)
    kind: tuple[str, ...] = ()  # "inspection", "warning_letter" or "recall" (Class I only)
    day: tuple[dt.date | None, ...] = ()
    classification: tuple[str, ...] = ()  # NAI / VAI / OAI for inspections


@dataclass
class RegistrySnapshot:
    """The registry as columns. Build with :func:`snapshot_from_db` or :meth:`from_records`."""

    terms: Terms = field(default_factory=Terms)
    organisations: Organisations = field(default_factory=Organisations)
    sites: Sites = field(default_factory=Sites)
    capabilities: Capabilities = field(default_factory=Capabilities)
    evidence: EvidenceRecords = field(default_factory=EvidenceRecords)
    compliance: ComplianceRecords = field(default_factory=ComplianceRecords)

    @classmethod
    def from_records(
        cls,
        *,
        terms: Iterable[Sequence[Any]],
        organisations: Iterable[Sequence[Any]],
        sites: Iterable[Sequence[Any]],
        capabilities: Iterable[Sequence[Any]],
        evidence: Iterable[Sequence[Any]],
        compliance: Iterable[Sequence[Any]] = (),
    ) -> RegistrySnapshot:
        """Rows as tuples in the field order of :class:`Terms`, :class:`Organisations`, … ."""
        terms = [(*t, "") if len(t) == 7 else t for t in terms]  # cdisc_code is optional
        return cls(
            terms=Terms(*_columns(terms, 8)),
            organisations=Organisations(*_columns(organisations, 4)),
            sites=Sites(*_columns(sites, 7)),
            capabilities=Capabilities(*_columns(capabilities, 9)),
            evidence=EvidenceRecords(*_columns(evidence, 5)),
            compliance=ComplianceRecords(*_columns(compliance, 4)),
        )


def snapshot_from_db() -> RegistrySnapshot:
    """Read the whole public registry with five ``values_list`` queries."""
    from django.db.models import CharField, Exists, OuterRef, Q
    from django.db.models.functions import Cast

    from cxo.core.models import Organisation
    from cxo.registry.models import (
        Capability,
        ComplianceEvent,
        ComplianceKind,
        Evidence,
        EvidenceKind,
        Site,
        Term,
        term_display,
    )

    terms = Term.objects.order_by("id").values_list(
        "id", "vocabulary", "code", "name", "synonyms", "parent_id", "sort", "cdisc_code"
    )
    in_registry = Q(Exists(Site.objects.filter(organisation=OuterRef("pk")))) | Q(
        Exists(Capability.objects.filter(organisation=OuterRef("pk")))
    )
    organisations = Organisation.objects.filter(in_registry).order_by("id").values_list("id", "name", "slug", "kind")
    # Dates are read as ISO text and parsed once per distinct value: the per-row date converters of
    # the database layer were most of the time of reading 100k sites and 300k evidence records.
    sites = (
        Site.objects.order_by("id")
        .annotate(expiry=Cast("registration_expiry", CharField()))
        .values_list("id", "organisation_id", "name", "country", "duns", "fei", "expiry")
    )
    # A trial an organisation sponsors or collaborates on shows it bought (or funded, or hosted)
    # clinical services, not that it sells them (the same reading as cxo.registry.kind): such evidence
    # is left out, and so is a capability that rests on nothing else.
    sponsor_led = Q(kind=EvidenceKind.CLINICAL_TRIAL)
    own_evidence = Evidence.objects.filter(capability=OuterRef("pk"))
    bought_only = Exists(own_evidence.filter(sponsor_led)) & ~Exists(own_evidence.exclude(sponsor_led))
    capabilities = (
        Capability.objects.exclude(bought_only)
        .order_by("id")
        .values_list(
            "id",
            "organisation_id",
            "site_id",
            "service_id",
            "dosage_form_id",
            "route_id",
            "modality_id",
            "scale_id",
            "substance",
        )
    )
    evidence = (
        Evidence.objects.exclude(sponsor_led)
        .order_by("id")
        .annotate(observed=Cast("observed_on", CharField()))
        .values_list("id", "capability_id", "kind", "source_ref", "observed")
    )
    flagged = (
        Q(kind=ComplianceKind.INSPECTION)
        | Q(kind=ComplianceKind.WARNING_LETTER)
        | Q(kind=ComplianceKind.RECALL, classification="Class I")
    )
    compliance = (
        ComplianceEvent.objects.filter(flagged)
        .exclude(fei="")
        .order_by("id")
        .annotate(day=Cast("occurred_on", CharField()))
        .values_list("fei", "kind", "day", "classification")
    )
    return RegistrySnapshot.from_records(
        # Names as people read them (SPL's "TABLET, FILM COATED" as "Tablet, film coated"): every label, chip and
        # explanation comes from here; matching compares case-folded text, so nothing else changes.
        terms=[(*t[:3], term_display(t[3]), tuple(t[4] or ()), *t[5:]) for t in terms],
        organisations=organisations,
        sites=[(*site[:6], _date(site[6])) for site in sites],
        capabilities=capabilities,
        evidence=[(*ev[:4], _date(ev[4])) for ev in evidence],
        compliance=[(fei, kind, _date(day), classification) for fei, kind, day, classification in compliance],
    )


@functools.cache
def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None

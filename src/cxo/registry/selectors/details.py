"""Organisation and site pages: capabilities with their newest evidence, registration status, compliance record.

Detail pages read the registry's own tables, in a fixed number of queries however much evidence there is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet

from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Organisation
from cxo.registry import geo
from cxo.registry.compliance import (
    ComplianceRecord,
    OrganisationCompliance,
    TimelineEntry,
    organisation_compliance_summary,
    site_compliance_record,
)
from cxo.registry.models import (
    Capability,
    ComplianceKind,
    Evidence,
    ImportRun,
    Site,
)
from cxo.registry.registration import RegistrationSource, RegistrationStatus, registration_source
from cxo.registry.search import (
    country_name,
)

# A detail page shows each capability's evidence count and only its newest few records; the rest
# come a page at a time (:func:`evidence_page`). NDC alone gives a labeler one record per product.
EVIDENCE_SHOWN = 5
EVIDENCE_PAGE_SIZE = 50
EVIDENCE_ORDER = (F("observed_on").desc(nulls_last=True), F("kind").asc(), F("source_ref").asc(), F("pk").asc())


def _capabilities() -> QuerySet[Capability]:
    """Capabilities with their terms, their evidence count, and their newest EVIDENCE_SHOWN records.

    The records are limited in SQL: Django prefetches a sliced queryset with a ROW_NUMBER() window
    partitioned by capability (SQLite and PostgreSQL alike).
    """
    newest = Evidence.objects.select_related("import_run").order_by(*EVIDENCE_ORDER)[:EVIDENCE_SHOWN]
    return (
        Capability.objects.select_related("service", "dosage_form", "route", "modality", "scale")
        .annotate(evidence_count=Count("evidence"))
        .prefetch_related(Prefetch("evidence", queryset=newest, to_attr="evidence_newest"))
    )


def _evidence_kinds(capabilities: Sequence[Capability]) -> None:
    """Set ``evidence_kinds`` on each capability (the kinds of all its evidence, in one query) and
    ``evidence_more`` (how many records beyond its newest)."""
    kinds: dict[int, set[str]] = {}
    pairs = Evidence.objects.filter(capability__in=[c.pk for c in capabilities]).order_by()
    for capability_id, kind in pairs.values_list("capability_id", "kind").distinct():
        kinds.setdefault(capability_id, set()).add(kind)
    for c in capabilities:
        c.evidence_kinds = sorted(kinds.get(c.pk, ()))  # type: ignore[attr-defined]  # attached by this selector (Prefetch to_attr / computed)
        c.evidence_more = c.evidence_count - len(c.evidence_newest)  # type: ignore[attr-defined]  # attached by this selector (Prefetch to_attr / computed)


def _import_runs(capabilities: Q) -> list[ImportRun]:
    """The import runs behind any evidence of these capabilities, newest first (one query)."""
    evidence = Evidence.objects.filter(import_run__isnull=False).filter(
        capability__in=Capability.objects.filter(capabilities).values("pk")
    )
    return list(
        ImportRun.objects.select_related("actor")
        .filter(pk__in=evidence.values("import_run_id"))
        .order_by("-started_at", "-pk")
    )


def _capability_order(capability: Capability) -> tuple[int, str, str, str]:
    return (
        capability.service.sort,
        capability.service.name,
        capability.dosage_form.name if capability.dosage_form else "",
        capability.route.name if capability.route else "",
    )


@dataclass(frozen=True)
class SiteDetail:
    site: Site
    capabilities: list[Capability]
    registration: RegistrationSource
    compliance: ComplianceRecord
    organisation_capabilities: list[Capability] = field(default_factory=list)
    import_runs: list[ImportRun] = field(default_factory=list)

    @property
    def registration_status(self) -> RegistrationStatus:
        return self.registration.status(self.site.registration_expiry)

    @property
    def registration_text(self) -> str:
        return self.registration.explain(self.site.registration_expiry)

    @property
    def recent_letters(self) -> list[TimelineEntry]:
        """Warning letters within the last five years, at the site and to its company by name."""
        return self.compliance.recent(ComplianceKind.WARNING_LETTER)

    @property
    def recent_class1_recalls(self) -> list[TimelineEntry]:
        return self.compliance.recent(ComplianceKind.RECALL, classification="Class I")

    @property
    def country_name(self) -> str:
        return country_name(self.site.country)

    @property
    def region_name(self) -> str:
        region = geo.region_of(self.site.country)
        return geo.region_name(region) if region else ""


def site_get(*, key: str | int, today: dt.date | None = None) -> SiteDetail:
    """A site by its DUNS number (nine digits) or its id, with its own and its organisation's capabilities,
    its registration status and its FDA compliance record as of ``today``.

    Capabilities come with their terms, their evidence count and kinds, their newest EVIDENCE_SHOWN
    evidence records (``evidence_newest``), and the import runs: seven queries however much evidence.
    """
    text = str(key).strip()
    if len(text) == 9 and text.isdigit():
        lookup = Q(duns=text)
    elif text.isdigit():
        lookup = Q(pk=int(text))
    else:
        raise NotFound(f"No site '{text}': give a nine-digit DUNS number or a site id.")
    site = Site.objects.select_related("organisation").filter(lookup).first()
    if site is None:
        raise NotFound(f"No site with {'DUNS' if len(text) == 9 else 'id'} {text}.")
    scope = Q(site=site) | Q(organisation_id=site.organisation_id, site=None)
    capabilities = list(_capabilities().filter(scope))
    _evidence_kinds(capabilities)
    capabilities.sort(key=_capability_order)
    registration = registration_source(today=today)
    return SiteDetail(
        site=site,
        capabilities=[c for c in capabilities if c.site_id == site.pk],
        registration=registration,
        compliance=site_compliance_record(site=site, today=registration.today),
        organisation_capabilities=[c for c in capabilities if c.site_id is None],
        import_runs=_import_runs(scope),
    )


@dataclass(frozen=True)
class CapabilityGroup:
    """The same capability (service, dosage form, route, …) at one or more sites of an organisation."""

    capabilities: list[Capability]

    @property
    def first(self) -> Capability:
        return self.capabilities[0]

    @property
    def sites(self) -> list[Site]:
        return [c.site for c in self.capabilities if c.site is not None]

    @property
    def several_sites(self) -> bool:
        return len(self.sites) > 1

    @property
    def organisation_wide(self) -> bool:
        return any(c.site_id is None for c in self.capabilities)

    @property
    def evidence(self) -> list[tuple[Capability, Evidence]]:
        """The group's newest EVIDENCE_SHOWN records: among its capabilities' newest, so no query."""
        rows = [(c, e) for c in self.capabilities for e in c.evidence_newest]  # type: ignore[attr-defined]  # attached by this selector (Prefetch to_attr / computed)
        rows.sort(
            key=lambda r: (
                r[1].observed_on is None,
                -(r[1].observed_on or dt.date.min).toordinal(),
                r[1].kind,
                r[1].source_ref,
            )
        )
        return rows[:EVIDENCE_SHOWN]

    @property
    def evidence_count(self) -> int:
        return sum(c.evidence_count for c in self.capabilities)  # type: ignore[attr-defined]  # attached by this selector (Prefetch to_attr / computed)

    @property
    def evidence_more(self) -> int:
        return self.evidence_count - len(self.evidence)

    @property
    def evidence_kinds(self) -> list[str]:
        return sorted({k for c in self.capabilities for k in c.evidence_kinds})  # type: ignore[attr-defined]  # attached by this selector (Prefetch to_attr / computed)


@dataclass(frozen=True)
class OrganisationDetail:
    organisation: Organisation
    sites: list[Site]
    capabilities: list[Capability]
    import_runs: list[ImportRun]
    registration: RegistrationSource
    compliance: OrganisationCompliance

    @property
    def registrations(self) -> list[tuple[str, str, int]]:
        """(status, label, number of its sites) as of today, for the statuses its sites have."""
        counts: dict[str, int] = {}
        for site in self.sites:
            status = self.registration.status(site.registration_expiry)
            counts[status] = counts.get(status, 0) + 1
        return [(str(s.value), str(s.label), counts[s]) for s in RegistrationStatus if counts.get(s)]

    @property
    def capability_groups(self) -> list[CapabilityGroup]:
        groups: dict[tuple[object, ...], list[Capability]] = {}
        for c in self.capabilities:
            what = (c.service_id, c.dosage_form_id, c.route_id, c.modality_id, c.scale_id, c.substance)
            groups.setdefault(what, []).append(c)
        return [CapabilityGroup(caps) for caps in groups.values()]

    @property
    def sites_with_services(self) -> list[tuple[Site, list[str]]]:
        """Each site with the names of the services it is registered for."""
        services: dict[int, list[str]] = {}
        for c in self.capabilities:
            if c.site_id is not None and c.service.name not in services.setdefault(c.site_id, []):
                services[c.site_id].append(c.service.name)
        return [(site, services.get(site.pk, [])) for site in self.sites]

    @property
    def site_rows(self) -> list[tuple[Site, list[str], RegistrationStatus, str]]:
        """Each site with its services, its registration status today and its latest inspection's outcome."""
        outcomes = {site.pk: record.latest_classification for site, record in self.compliance.sites}
        return [
            (site, services, self.registration.status(site.registration_expiry), outcomes.get(site.pk, ""))
            for site, services in self.sites_with_services
        ]

    @property
    def known_countries(self) -> int:
        return len({site.country for site in self.sites if site.country})

    @property
    def countries(self) -> list[tuple[str, str, int]]:
        """(code, name, number of sites) per country of its sites, most sites first; sites without one last."""
        counts: dict[str, int] = {}
        for site in self.sites:
            counts[site.country] = counts.get(site.country, 0) + 1
        return sorted(((c, country_name(c), n) for c, n in counts.items()), key=lambda t: (not t[0], -t[2], t[1]))


def organisation_get(*, key: str | int, today: dt.date | None = None) -> OrganisationDetail:
    """A registry organisation by id or slug, with its sites, capabilities, evidence and import runs.

    Organisations without any site or capability (tenants that are not in the registry) are not
    found. Each capability has its evidence count and kinds and its newest EVIDENCE_SHOWN records
    (``evidence_newest``), its sites' registration statuses and compliance records as of ``today``. Eight
    queries however many sites and evidence records it has.
    """
    text = str(key).strip()
    lookup = Q(pk=int(text)) if text.isdigit() else Q(slug=text)
    organisation = Organisation.objects.filter(lookup).select_related("registry_merged_into__into").first()
    if organisation is None:
        raise NotFound(f"No organisation '{text}' in the registry.")
    # A curator merged it: the organisation it went into answers for it (read in the same query).
    merge = (
        getattr(organisation, "registry_merged_into", None) if hasattr(organisation, "registry_merged_into") else None
    )
    if merge is not None:
        organisation = merge.into
    sites = list(Site.objects.filter(organisation=organisation).order_by("country", "name", "pk"))
    by_id = {s.pk: s for s in sites}
    capabilities = list(_capabilities().filter(organisation=organisation))
    if not sites and not capabilities:
        raise NotFound(f"No organisation '{text}' in the registry.")
    _evidence_kinds(capabilities)
    for capability in capabilities:
        if capability.site_id is not None:
            capability.site = by_id[capability.site_id]  # no query per capability
    capabilities.sort(key=lambda c: (*_capability_order(c), c.site.name if c.site else ""))
    registration = registration_source(today=today)
    return OrganisationDetail(
        organisation=organisation,
        sites=sites,
        capabilities=capabilities,
        import_runs=_import_runs(Q(organisation=organisation)),
        registration=registration,
        compliance=organisation_compliance_summary(
            organisation_id=organisation.pk, sites=sites, today=registration.today
        ),
    )


@dataclass(frozen=True)
class EvidencePage:
    """One page of a capability's evidence, or of its capability group's (same terms, any site)."""

    capability: Capability
    group: bool
    rows: list[Evidence]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.rows)
        return end if end < self.total else None

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.offset - len(self.rows))


def evidence_page(
    *, capability_id: int, group: bool = False, offset: int = 0, limit: int = EVIDENCE_PAGE_SIZE
) -> EvidencePage:
    """Evidence of a capability, newest first, ``limit`` records from ``offset``; three queries.

    With ``group``, the evidence of every capability of its organisation with the same terms
    (service, dosage form, route, modality, scale, substance) at any site, as the organisation page
    groups them; each record comes with its capability's site.
    """
    if offset < 0:
        raise ServiceError("offset must be 0 or more.", field="offset")
    if not 1 <= limit <= 500:
        raise ServiceError("limit must be between 1 and 500.", field="limit")
    capability = Capability.objects.filter(pk=capability_id).first()
    if capability is None:
        raise NotFound(f"No capability {capability_id}.")
    if group:
        same = Capability.objects.filter(
            organisation_id=capability.organisation_id,
            service_id=capability.service_id,
            dosage_form_id=capability.dosage_form_id,
            route_id=capability.route_id,
            modality_id=capability.modality_id,
            scale_id=capability.scale_id,
            substance=capability.substance,
        )
        evidence = Evidence.objects.filter(capability__in=same.values("pk"))
    else:
        evidence = Evidence.objects.filter(capability=capability)
    total = evidence.count()
    rows = list(
        evidence.select_related("import_run", "capability__site").order_by(*EVIDENCE_ORDER)[offset : offset + limit]
    )
    return EvidencePage(capability=capability, group=group, rows=rows, total=total, offset=offset, limit=limit)

"""API schemas of the registry: directory filters (input) and sites, organisations, evidence (output)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

# --- input --------------------------------------------------------------------------------------


class DirectoryQuery(Schema):
    """Filters of a directory search. Values of one filter are alternatives; different filters all apply."""

    q: str = Field(
        "",
        description="Free text: every word must appear in the organisation name, site name, address, DUNS or FEI "
        "number. Case, accents and punctuation are ignored.",
    )
    country: list[str] = Field(
        [],
        description="Country, repeatable: an ISO 3166 alpha-3 code (IND), alpha-2 code (IN) or English name (India).",
    )
    region: list[str] = Field(
        [],
        description="Region, repeatable: a region code (south_asia, europe, east_asia, …), its name, or the group "
        "eu. Combined with country, a site in any of them matches.",
    )
    service: list[str] = Field(
        [],
        description="Service, repeatable: a taxonomy code (svc.mfg.api), name or synonym (API manufacture). A "
        "service matches its narrower services too: svc.mfg finds API and drug product makers.",
    )
    dosage_form: list[str] = Field(
        [],
        description="Dosage form, repeatable: a code (frm.tablet), CDISC C-code (C42998), FDA SPL name (TABLET) or "
        "family (frm.family.solid_oral).",
    )
    route: list[str] = Field(
        [], description="Route of administration, repeatable: a code (route.oral), C-code or name (ORAL)."
    )
    substance: list[str] = Field(
        [],
        description="Active substance, repeatable, as sources write it (ATORVASTATIN CALCIUM TRIHYDRATE) or by its "
        "moiety (atorvastatin): salt and hydrate words are dropped. An unknown substance is a 400 with the closest "
        "on record.",
    )
    kind: list[str] = Field(
        [], description="Organisation role, repeatable: sponsor, generic, cdmo, cmo, maker, api, cro, lab, logistics."
    )
    evidence: list[str] = Field(
        [],
        description="Evidence source, repeatable: fda_registration, ndc_listing, ndc_unfinished, spl_establishment, "
        "clinical_trial, audit or self_declared.",
    )
    registration: list[str] = Field(
        [],
        description="FDA registration status as of today, repeatable: current, expired (not renewed in the newest "
        "DECRS file), source_expired (listed in the newest file, which has itself expired) or unregistered.",
    )
    compliance: list[str] = Field(
        [],
        description="FDA compliance record, repeatable: inspection_oai, inspection_vai, inspection_nai (the latest "
        "inspection's outcome), uninspected, warning_letter_recent, recall_class1_recent (within 5 years of today).",
    )
    sort: str = Field("name", description="Order of the hits: name, -name, country (sites) or sites (organisations).")
    page: int = Field(1, description="Page number, from 1 to 100,000. A page past the last one is empty.")
    page_size: int = Field(25, description="Hits per page, from 1 to 100.")


class PageQuery(Schema):
    page: int = Field(1, description="Page number, from 1 to 100,000. A page past the last one is empty.")
    page_size: int = Field(50, description="Items per page, from 1 to 100.")


# --- output -------------------------------------------------------------------------------------


class TermRefOut(Schema):
    code: str = Field(description="Stable taxonomy code, usable as a filter value.")
    name: str = Field(description="Display name.")


class OrganisationRefOut(Schema):
    id: int = Field(description="Organisation id.")
    slug: str = Field(description="Organisation slug, usable in /registry/organisations/{id_or_slug}.")
    name: str = Field(description="Organisation name.")
    kind: str = Field(description="Its first role (see roles), or empty when it has none on record.")
    roles: list[str] = Field(
        description="Roles derived from the record: sponsor, generic, cdmo, cmo, maker, api, cro, lab, logistics."
    )


class FacetValueOut(Schema):
    code: str = Field(description="The value to pass as a filter.")
    name: str = Field(description="Display name.")
    count: int = Field(description="Hits with this value, counted with all the other filters applied.")
    selected: bool = Field(description="Whether this value is among the current filters.")
    depth: int = Field(description="Depth in the taxonomy tree (0 for top-level terms and flat facets).")
    organisation_wide: int = Field(
        0,
        description="Of count, the hits that have this value only through organisation-wide facts (their "
        "organisation's products, not a site's own record).",
    )


class FacetsOut(Schema):
    country: list[FacetValueOut] = Field(description="Countries (ISO alpha-3), most hits first.")
    region: list[FacetValueOut] = Field(description="Regions, most hits first.")
    service: list[FacetValueOut] = Field(description="Services in taxonomy order; a parent counts its descendants.")
    dosage_form: list[FacetValueOut] = Field(description="Dosage forms and their families, in taxonomy order.")
    route: list[FacetValueOut] = Field(description="Routes of administration and their families, in taxonomy order.")
    substance: list[FacetValueOut] = Field(
        description="Active substances (moieties), most hits first: the 30 most frequent, and any chosen."
    )
    kind: list[FacetValueOut] = Field(description="Organisation roles, most hits first.")
    evidence: list[FacetValueOut] = Field(description="Evidence sources, most hits first.")
    registration: list[FacetValueOut] = Field(description="FDA registration statuses as of today, every one listed.")
    compliance: list[FacetValueOut] = Field(description="FDA compliance record values with hits.")


class ProfileFields(Schema):
    services: list[TermRefOut] = Field(description="The most specific services on record (parents left out).")
    dosage_forms: list[TermRefOut] = Field(description="Dosage forms on record, including organisation-wide ones.")
    organisation_wide: list[str] = Field(
        default_factory=list,
        description="Codes of the dosage forms and routes above that are organisation-wide only (the "
        "organisation's products), not on a site's own record.",
    )
    routes: list[TermRefOut] = Field(description="Routes of administration on record.")
    evidence_kinds: list[str] = Field(description="Kinds of evidence behind these capabilities.")
    compliance: list[str] = Field(description="Its compliance facet values as of today, e.g. inspection_oai.")


class SiteFields(Schema):
    id: int = Field(description="Site id.")
    duns: str | None = Field(description="The site's DUNS number (nine digits), when known.")
    fei: str = Field(description="FDA Establishment Identifier; empty when none or a placeholder.")
    name: str = Field(description="The establishment's name as registered.")
    organisation: OrganisationRefOut = Field(description="The organisation the site belongs to (its registrant).")
    country: str = Field(description="ISO 3166 alpha-3 country code.")
    country_name: str = Field(description="Country name.")
    region: str | None = Field(description="Region code of the country.")
    status: str = Field(
        description="FDA registration status as of today (never stored): current, expired, source_expired (listed in "
        "the newest DECRS file imported, which has itself expired) or unregistered."
    )
    registration_expiry: dt.date | None = Field(description="When the FDA registration expires (or expired).")


class SiteSummaryOut(ProfileFields, SiteFields):
    """A site as the directory lists it."""


class RegistrationSourceOut(Schema):
    fiscal_year: int | None = Field(description="Fiscal year of the newest DECRS file imported, if any.")
    valid_until: dt.date | None = Field(description="When the registrations it lists expire.")
    expired: bool = Field(description="Whether that date is past: every registration on record has expired.")
    notice: str = Field(description="Said once, at the source, when the newest file has expired; else empty.")
    today: dt.date = Field(description="The day statuses are computed for.")


class SearchPageFields(Schema):
    registration_source: RegistrationSourceOut = Field(description="The registration file statuses are read from.")
    empty_reason: str = Field(description="Why these filters must find nothing whatever the registry holds, or empty.")
    total: int = Field(description="Number of hits over all pages.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Hits per page.")
    pages: int = Field(description="Number of pages (at least 1).")
    sort: str = Field(description="The order of the hits.")
    facets: FacetsOut = Field(description="Every facet's values with counts.")


class SitePageOut(SearchPageFields):
    results: list[SiteSummaryOut] = Field(description="This page's sites.")


class OrganisationFields(Schema):
    id: int = Field(description="Organisation id.")
    slug: str = Field(description="Organisation slug.")
    name: str = Field(description="Organisation name.")
    kind: str = Field(description="Its first role (see roles), or empty when it has none on record.")
    roles: list[str] = Field(
        description="Roles derived from the record: sponsor, generic, cdmo, cmo, maker, api, cro, lab, logistics."
    )
    registrant_duns: str | None = Field(description="DUNS number under which its sites are registered with FDA.")
    site_count: int = Field(description="Number of its sites in the registry.")
    countries: list[str] = Field(description="ISO alpha-3 codes of the countries of its sites.")


class OrganisationSummaryOut(ProfileFields, OrganisationFields):
    """An organisation as the directory lists it."""


class OrganisationPageOut(SearchPageFields):
    results: list[OrganisationSummaryOut] = Field(description="This page's organisations.")


class EvidenceOut(Schema):
    kind: str = Field(description="Evidence source kind, e.g. fda_registration.")
    kind_name: str = Field(description="Evidence source, in words.")
    source_ref: str = Field(description="The record's identifier in its source (registration, NDC, SPL set id, NCT).")
    observed_on: dt.date | None = Field(description="When the source showed this.")
    detail: dict[str, Any] = Field(description="Source-specific detail, e.g. the operation as the source wrote it.")
    import_run_id: int | None = Field(description="The import run that recorded it, if imported.")

    @staticmethod
    def resolve_kind_name(obj: Any) -> str:
        return str(obj.get_kind_display())


class CapabilityOut(Schema):
    id: int = Field(description="Capability id.")
    site_id: int | None = Field(description="The site, or null for an organisation-wide capability.")
    service: TermRefOut = Field(description="What is done.")
    dosage_form: TermRefOut | None = Field(description="Dosage form, if specific to one.")
    route: TermRefOut | None = Field(description="Route of administration, if specific to one.")
    modality: TermRefOut | None = Field(description="Modality, if specific to one.")
    scale: TermRefOut | None = Field(description="Phase or scale, if specific to one.")
    substance: str = Field(description="Substance, if specific to one.")
    evidence_count: int = Field(description="How many evidence records it has in all.")
    evidence: list[EvidenceOut] = Field(
        description="Why we believe it: its newest evidence records (at most 5), newest first. When "
        "evidence_count is larger, page through all of them with GET /registry/capabilities/{id}/evidence."
    )

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence_newest)


class ComplianceEventOut(Schema):
    id: int = Field(description="Event id.")
    kind: str = Field(description="inspection, citation, form_483, warning_letter, action or recall.")
    kind_name: str = Field(description="The kind, in words.")
    source: str = Field(description="The import source, e.g. fda-inspections.")
    source_ref: str = Field(description="The row's own id in its source file.")
    occurred_on: dt.date | None = Field(description="Inspection end, action, letter or recall classification date.")
    classification: str = Field(description="NAI / VAI / OAI, Class I / II / III, or the action type.")
    status: str = Field(description="As the source gives it, e.g. a recall's Ongoing.")
    closed_on: dt.date | None = Field(description="When the source says it was closed out.")
    title: str = Field(description="Project area, citation, subject or reason for recall.")
    text: str = Field(description="Long description, e.g. of a citation or the recalled product.")
    fei: str = Field(description="The FEI it is recorded under (digits, no leading zeros); empty for none.")
    firm_name: str = Field(description="The firm as the source names it.")
    url: str = Field(description="Link to the record at FDA (a Form 483 PDF, a recall's page), if any.")
    detail: dict[str, Any] = Field(description="Source-specific detail.")

    @staticmethod
    def resolve_kind_name(obj: Any) -> str:
        return str(obj.get_kind_display())


class TimelineEntryOut(Schema):
    event: ComplianceEventOut = Field(description="The event.")
    organisation_wide: bool = Field(
        description="True for records that name the company only (FDA's warning-letter listing), not this site's FEI."
    )
    open: bool = Field(description="Open as the source says: an ongoing recall, a letter with no close-out on record.")
    closed_on: dt.date | None = Field(description="Close-out date, from this record or the listing's copy of it.")
    citations: list[ComplianceEventOut] = Field(description="An inspection's citations (Form 483 observations).")
    also_listed: ComplianceEventOut | None = Field(description="The same warning letter in FDA's listing, if there.")


class ComplianceSummaryOut(Schema):
    latest_classification: str = Field(description="The latest inspection's outcome (NAI, VAI or OAI), or empty.")
    latest_inspection_on: dt.date | None = Field(description="When that inspection ended.")
    counts: dict[str, int] = Field(description="Events on record per kind (citations one by one).")
    warning_letters_recent: int = Field(description="Warning letters within 5 years of today (site and by name).")
    recalls_class1_recent: int = Field(description="Class I recalls within 5 years of today.")
    open_actions: list[TimelineEntryOut] = Field(description="Ongoing recalls and letters with no close-out on record.")


class ComplianceRecordOut(ComplianceSummaryOut):
    total: int = Field(description="Timeline entries in all.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Entries per page.")
    pages: int = Field(description="Number of pages (at least 1).")
    timeline: list[TimelineEntryOut] = Field(description="This page of the dated timeline, newest first.")


class RegistrationOut(Schema):
    status: str = Field(description="current, expired, source_expired or unregistered, as of today.")
    label: str = Field(description="The status, in words.")
    text: str = Field(description="The status in a sentence, with its dates.")
    expiry: dt.date | None = Field(description="When the registration expires (or expired).")


class ImportRunOut(Schema):
    id: int = Field(description="Import run id.")
    source: str = Field(description="Data source, e.g. decrs, ndc, spl, ctgov.")
    file_name: str = Field(description="The imported file's name.")
    checksum: str = Field(description="SHA-256 of the file.")
    status: str = Field(description="running, succeeded or failed.")
    started_at: dt.datetime = Field(description="When it started.")
    finished_at: dt.datetime | None = Field(description="When it finished.")
    actor: str = Field(description="Who ran it: the curator's username, 'cli' (the command line) or the job.")
    command: str = Field(description="The command that makes this import, e.g. 'cxo import ndc product.txt.gz'.")
    rows: int = Field(description="Records read.")
    created: int = Field(description="Records that created registry entries.")
    updated: int = Field(description="Records that changed registry entries.")
    unchanged: int = Field(description="Records that changed nothing.")
    rejected: int = Field(description="Records rejected (with --skip-bad).")
    notes: dict[str, Any] = Field(description="Source-specific figures.")
    error: str = Field(description="Why it failed, if it did.")

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.run_by)


class EvidencePageOut(Schema):
    total: int = Field(description="Number of evidence records of the capability.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Records per page.")
    pages: int = Field(description="Number of pages (at least 1).")
    results: list[EvidenceOut] = Field(description="This page's records, newest first.")


class ImportRunPageOut(Schema):
    total: int = Field(description="Number of import runs.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Runs per page.")
    pages: int = Field(description="Number of pages (at least 1).")
    results: list[ImportRunOut] = Field(description="This page's runs, newest first.")


class SiteDetailOut(SiteSummaryOut):
    address: str = Field(description="Address as registered.")
    us_agent_name: str = Field(description="The US agent of a foreign establishment.")
    us_agent_duns: str = Field(description="The US agent's DUNS number.")
    capabilities: list[CapabilityOut] = Field(description="Capabilities of this site, with evidence.")
    organisation_capabilities: list[CapabilityOut] = Field(
        description="Capabilities of its organisation as a whole (not tied to a site), with evidence."
    )
    import_runs: list[ImportRunOut] = Field(description="The imports its evidence came from, newest first.")
    registration: RegistrationOut = Field(description="Its FDA registration as of today.")
    registration_source: RegistrationSourceOut = Field(description="The registration file that status is read from.")
    compliance_record: ComplianceSummaryOut = Field(
        description="Its FDA compliance record: latest inspection outcome, counts, open actions. The whole timeline "
        "is at GET /registry/sites/{duns_or_id}/compliance."
    )


class SiteRefOut(Schema):
    id: int = Field(description="Site id.")
    duns: str | None = Field(description="DUNS number.")
    fei: str = Field(description="FEI number; empty when none or a placeholder.")
    name: str = Field(description="Site name.")
    country: str = Field(description="ISO alpha-3 country code.")
    status: str = Field(description="FDA registration status as of today.")
    latest_inspection: str = Field(description="Its latest inspection's outcome (NAI, VAI, OAI), or empty.")


class OrganisationComplianceOut(Schema):
    sites_with_records: int = Field(description="Sites with any compliance record.")
    latest_outcomes: dict[str, int] = Field(description="Sites per latest inspection outcome (OAI, VAI, NAI).")
    warning_letters_recent: int = Field(description="Warning letters within 5 years, at its sites and by name.")
    recalls_class1_recent: int = Field(description="Class I recalls within 5 years at its sites.")
    open_actions: int = Field(description="Ongoing recalls and letters with no close-out on record.")


class OrganisationDetailOut(Schema):
    id: int = Field(description="Organisation id.")
    slug: str = Field(description="Organisation slug.")
    name: str = Field(description="Organisation name.")
    kind: str = Field(description="Its first role (see roles), or empty when it has none on record.")
    roles: list[str] = Field(
        description="Roles derived from the record: sponsor, generic, cdmo, cmo, maker, api, cro, lab, logistics."
    )
    kind_reason: str = Field(description="Why it has those roles: the facts on record, and what is none on record.")
    registrant_duns: str | None = Field(description="DUNS number under which its sites are registered.")
    sites: list[SiteRefOut] = Field(description="Its sites.")
    registration_source: RegistrationSourceOut = Field(description="The registration file statuses are read from.")
    compliance_summary: OrganisationComplianceOut = Field(description="Its sites' FDA compliance records, summed.")
    capabilities: list[CapabilityOut] = Field(
        description="Its capabilities (site and organisation-wide), with evidence."
    )
    import_runs: list[ImportRunOut] = Field(description="The imports its evidence came from, newest first.")


class TaxonomyTermOut(Schema):
    code: str = Field(description="Stable code, usable as a filter value.")
    name: str = Field(description="Display name (for CDISC terms, the FDA SPL wording).")
    parent: str | None = Field(description="Code of the broader term.")
    depth: int = Field(description="Depth in the tree (0 at the top).")
    cdisc_code: str = Field(description="CDISC/NCI C-code, for dosage forms and routes.")
    synonyms: list[str] = Field(description="Other names that filters accept.")


class VocabularyOut(Schema):
    code: str = Field(description="Vocabulary code: service, dosage_form, route, modality or scale.")
    name: str = Field(description="Vocabulary name.")
    terms: list[TaxonomyTermOut] = Field(description="Its terms in tree order, parents before children.")


class TaxonomyOut(Schema):
    vocabularies: list[VocabularyOut] = Field(description="The vocabularies asked for.")

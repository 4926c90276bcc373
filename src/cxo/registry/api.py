"""Registry API: directory search with facet counts, sites and organisations with their evidence, taxonomy, imports.

Registry data is public to every signed-in user (token or session); nothing here is tenant-owned.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from cxo.core.pagination import page_check
from cxo.core.schemas import Message
from cxo.registry import geo, selectors
from cxo.registry.compliance import ComplianceRecord
from cxo.registry.facets import TermNode
from cxo.registry.kind import roles_of
from cxo.registry.models import ComplianceKind, Site, Vocabulary
from cxo.registry.record_facets import facts_values
from cxo.registry.registration import RegistrationSource
from cxo.registry.schemas import (
    ComplianceRecordOut,
    DirectoryQuery,
    EvidencePageOut,
    ImportRunPageOut,
    OrganisationDetailOut,
    OrganisationPageOut,
    PageQuery,
    SiteDetailOut,
    SitePageOut,
    TaxonomyOut,
)
from cxo.registry.search import SearchPage, country_name

router = Router(tags=["registry"])

ERRORS: dict[int, Any] = {400: Message, 404: Message}


def _terms(nodes: list[TermNode]) -> list[dict[str, str]]:
    return [{"code": n.code, "name": n.name} for n in nodes]


def _profile(profile: selectors.Profile) -> dict[str, Any]:
    return {
        "services": _terms(profile.services),
        "dosage_forms": _terms(profile.dosage_forms),
        "routes": _terms(profile.routes),
        "evidence_kinds": profile.evidence_kinds,
        "compliance": list(profile.compliance),
        "organisation_wide": [t.code for t in profile.organisation_wide],
    }


def _source(source: RegistrationSource) -> dict[str, Any]:
    return {
        "fiscal_year": source.fiscal_year,
        "valid_until": source.valid_until,
        "expired": source.expired,
        "notice": source.notice,
        "today": source.today,
    }


def _roles(value: str) -> dict[str, Any]:
    roles = roles_of(value)
    return {"kind": roles[0] if roles else "", "roles": roles}


def _site(site: Site, status: str) -> dict[str, Any]:
    organisation = site.organisation
    return {
        "id": site.pk,
        "duns": site.duns,
        "fei": site.fei_number,
        "name": site.name,
        "organisation": {
            "id": organisation.pk,
            "slug": organisation.slug,
            "name": organisation.name,
            **_roles(organisation.kind),
        },
        "country": site.country,
        "country_name": country_name(site.country),
        "region": geo.region_of(site.country),
        "status": status,
        "registration_expiry": site.registration_expiry,
    }


def _page(result: SearchPage[Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "registration_source": _source(result.filters.as_of),
        "empty_reason": result.filters.empty_reason,
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "sort": result.sort,
        "facets": {key: [value.__dict__ for value in values] for key, values in result.facets.items()},
        "results": results,
    }


def _search_args(query: DirectoryQuery) -> dict[str, Any]:
    return {
        "q": query.q,
        "countries": query.country,
        "regions": query.region,
        "services": query.service,
        "dosage_forms": query.dosage_form,
        "routes": query.route,
        "substances": query.substance,
        "kinds": query.kind,
        "evidence_kinds": query.evidence,
        "registrations": query.registration,
        "compliance": query.compliance,
        "sort": query.sort,
        "page": query.page,
        "page_size": query.page_size,
    }


@router.get("/sites", response={200: SitePageOut, **ERRORS})
def site_list(request: HttpRequest, query: Query[DirectoryQuery]) -> dict[str, Any]:
    """Search the registry's sites, with facet counts.

    Each facet is counted with all the *other* filters applied, so the counts tell what choosing a
    value would give. Values of one filter are alternatives (OR); different filters all apply (AND).
    An unknown filter value is a 400 naming it.
    """
    result = selectors.site_search(**_search_args(query))
    return _page(
        result, [{**_site(hit.site, hit.profile.registration), **_profile(hit.profile)} for hit in result.hits]
    )


@router.get("/organisations", response={200: OrganisationPageOut, **ERRORS})
def organisation_list(request: HttpRequest, query: Query[DirectoryQuery]) -> dict[str, Any]:
    """Search the registry's organisations, with facet counts (counting organisations).

    An organisation matches when any of its sites or capabilities matches the country, service,
    dosage form, route or evidence filters; the free text also searches its sites' names,
    addresses, DUNS and FEI numbers.
    """
    result = selectors.organisation_search(**_search_args(query))
    results = [
        {
            "id": hit.organisation.pk,
            "slug": hit.organisation.slug,
            "name": hit.organisation.name,
            **_roles(hit.organisation.kind),
            "registrant_duns": hit.organisation.registrant_duns,
            "site_count": hit.site_count,
            "countries": hit.countries,
            **_profile(hit.profile),
        }
        for hit in result.hits
    ]
    return _page(result, results)


@router.get("/sites/{duns_or_id}", response={200: SiteDetailOut, **ERRORS})
def site_detail(
    request: HttpRequest,
    duns_or_id: Annotated[str, Path(description="The site's nine-digit DUNS number, or its id.")],
) -> dict[str, Any]:
    """A site by its nine-digit DUNS number or its id: address, registration, US agent, and every
    capability with its evidence count and newest evidence (source, reference, date), plus its
    organisation's organisation-wide capabilities.

    Each capability carries at most its 5 newest evidence records; when ``evidence_count`` is larger,
    page through the rest with ``GET /registry/capabilities/{id}/evidence?page=2``. The registration
    status is computed for today; ``registration_source.notice`` says once when the newest DECRS file
    imported has itself expired. ``compliance_record`` summarises its FDA compliance record."""
    detail = selectors.site_get(key=duns_or_id)
    capabilities = [*detail.capabilities, *detail.organisation_capabilities]

    def distinct(terms: list[Any]) -> list[dict[str, str]]:
        unique = {t.code: t.name for t in terms if t is not None}
        return [{"code": code, "name": name} for code, name in unique.items()]

    status = detail.registration_status
    return {
        **_site(detail.site, status),
        "services": distinct([c.service for c in capabilities]),
        "dosage_forms": distinct([c.dosage_form for c in capabilities]),
        "routes": distinct([c.route for c in capabilities]),
        "evidence_kinds": sorted({k for c in capabilities for k in c.evidence_kinds}),  # type: ignore[attr-defined]  # attached by the selector
        "address": detail.site.address,
        "us_agent_name": detail.site.us_agent_name,
        "us_agent_duns": detail.site.us_agent_duns,
        "capabilities": detail.capabilities,
        "organisation_capabilities": detail.organisation_capabilities,
        "import_runs": detail.import_runs,
        "compliance": list(facts_values(detail.compliance.facts, detail.registration.today)),
        "registration": {
            "status": status,
            "label": status.label,
            "text": detail.registration_text,
            "expiry": detail.site.registration_expiry,
        },
        "registration_source": _source(detail.registration),
        "compliance_record": _compliance_summary(detail.compliance),
    }


def _compliance_summary(record: ComplianceRecord) -> dict[str, Any]:
    return {
        "latest_classification": record.latest_classification,
        "latest_inspection_on": record.latest_inspection_on,
        "counts": record.counts,
        "warning_letters_recent": len(record.recent(ComplianceKind.WARNING_LETTER)),
        "recalls_class1_recent": len(record.recent(ComplianceKind.RECALL, classification="Class I")),
        "open_actions": record.open_actions,
    }


@router.get("/sites/{duns_or_id}/compliance", response={200: ComplianceRecordOut, **ERRORS})
def site_compliance(
    request: HttpRequest,
    duns_or_id: Annotated[str, Path(description="The site's nine-digit DUNS number, or its id.")],
    query: Query[PageQuery],
) -> dict[str, Any]:
    """A site's FDA compliance record as of today: the dated timeline (newest first; an inspection carries its
    citations, a warning letter its copy in FDA's listing), the latest inspection outcome, open actions.

    Events are joined to the site by FEI; warning letters from FDA's listing name the company only and
    are linked to the site's organisation by name (``organisation_wide``)."""
    page_check(page=query.page, page_size=query.page_size)
    record = selectors.site_get(key=duns_or_id).compliance
    offset = (query.page - 1) * query.page_size
    return {
        **_compliance_summary(record),
        "total": len(record.entries),
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(len(record.entries) / query.page_size)),
        "timeline": record.entries[offset : offset + query.page_size],
    }


@router.get("/organisations/{id_or_slug}", response={200: OrganisationDetailOut, **ERRORS})
def organisation_detail(
    request: HttpRequest,
    id_or_slug: Annotated[str, Path(description="The organisation's id or slug.")],
) -> dict[str, Any]:
    """An organisation by id or slug: its derived kind and why, its sites, its capabilities with their
    evidence count and newest evidence, and the imports the evidence came from.

    Each capability carries at most its 5 newest evidence records; when ``evidence_count`` is larger,
    page through the rest with ``GET /registry/capabilities/{id}/evidence?page=2``."""
    detail = selectors.organisation_get(key=id_or_slug)
    organisation = detail.organisation
    summary = detail.compliance
    latest = {site.pk: record.latest_classification for site, record in summary.sites}
    return {
        "id": organisation.pk,
        "slug": organisation.slug,
        "name": organisation.name,
        **_roles(organisation.kind),
        "kind_reason": organisation.kind_reason,
        "registrant_duns": organisation.registrant_duns,
        "sites": [
            {
                "id": site.pk,
                "duns": site.duns,
                "fei": site.fei_number,
                "name": site.name,
                "country": site.country,
                "status": detail.registration.status(site.registration_expiry),
                "latest_inspection": latest.get(site.pk, ""),
            }
            for site in detail.sites
        ],
        "capabilities": detail.capabilities,
        "import_runs": detail.import_runs,
        "registration_source": _source(detail.registration),
        "compliance_summary": {
            "sites_with_records": len(summary.sites),
            "latest_outcomes": {code: n for code, _, n in summary.outcomes},
            "warning_letters_recent": summary.recent(ComplianceKind.WARNING_LETTER),
            "recalls_class1_recent": summary.recent(ComplianceKind.RECALL, classification="Class I"),
            "open_actions": summary.open_actions,
        },
    }


@router.get("/capabilities/{capability_id}/evidence", response={200: EvidencePageOut, **ERRORS})
def capability_evidence(
    request: HttpRequest,
    capability_id: Annotated[int, Path(description="The capability's id, as in a site's or organisation's detail.")],
    query: Query[PageQuery],
) -> dict[str, Any]:
    """All the evidence of one capability, newest first, a page at a time (``page``, ``page_size``)."""
    page_check(page=query.page, page_size=query.page_size)
    result = selectors.evidence_page(
        capability_id=capability_id, offset=(query.page - 1) * query.page_size, limit=query.page_size
    )
    return {
        "total": result.total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(result.total / query.page_size)),
        "results": result.rows,
    }


@router.get("/taxonomy", response={200: TaxonomyOut, **ERRORS})
def taxonomy(
    request: HttpRequest,
    vocabulary: Annotated[
        str | None, Query(description="Only this vocabulary: service, dosage_form, route, modality or scale.")
    ] = None,
) -> dict[str, Any]:
    """The controlled taxonomy, by vocabulary (service, dosage_form, route, modality, scale), in tree order.

    Every code, name and synonym here is accepted by the directory filters. ``vocabulary`` limits
    the answer to one vocabulary.
    """
    tree = selectors.TermAncestry.load()
    by_vocabulary = selectors.taxonomy_get(tree=tree, vocabulary=vocabulary)
    names = dict(Vocabulary.choices)
    vocabularies = []
    for code, nodes in by_vocabulary.items():
        codes = {n.id: n.code for n in nodes}
        depth: dict[int, int] = {}
        terms = []
        for n in nodes:  # parents come before their children
            depth[n.id] = depth[n.parent_id] + 1 if n.parent_id in depth else 0
            terms.append(
                {
                    "code": n.code,
                    "name": n.name,
                    "parent": codes.get(n.parent_id) if n.parent_id else None,
                    "depth": depth[n.id],
                    "cdisc_code": n.cdisc_code,
                    "synonyms": list(tree.synonyms(n.id)),
                }
            )
        vocabularies.append({"code": code, "name": str(names[code]), "terms": terms})
    return {"vocabularies": vocabularies}


@router.get("/imports", response={200: ImportRunPageOut, **ERRORS})
def import_runs(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Every import of public data into the registry, newest first: source, file and its SHA-256,
    row counts, who ran it, when, and how it ended."""
    page_check(page=query.page, page_size=query.page_size)
    runs = selectors.import_run_list()
    total = runs.count()
    offset = (query.page - 1) * query.page_size
    return {
        "total": total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(total / query.page_size)),
        "results": list(runs[offset : offset + query.page_size]),
    }

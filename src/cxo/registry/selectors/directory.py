"""Directory search: sites and organisations matching filters, one page of them, and every facet's counts.

Searches read the facet index (:mod:`cxo.registry.facets`, :mod:`cxo.registry.search`), never the
registry's own tables; date-relative facets are decided as of the search's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q

from cxo.core.models import Organisation
from cxo.core.pagination import page_check
from cxo.registry.facets import TermAncestry, TermNode, signature_values
from cxo.registry.models import (
    FacetGroup,
    FactScope,
    OrganisationFacets,
    Site,
    SiteFacets,
)
from cxo.registry.record_facets import COMPLIANCE_VALUES, UNINSPECTED, compliance_values
from cxo.registry.registration import RegistrationSource, registration_source
from cxo.registry.search import (
    PAGE_SIZE,
    FacetIndex,
    SearchPage,
    country_name,
    directory_filters_parse,
    facet_values,
    sort_check,
)

# Both directories filter and count fact groups (FacetGroup), so that the facts a filter combines are
# facts of one site (cxo.registry.search), and page through their own index rows.
SITE_INDEX = FacetIndex(
    hits=SiteFacets,
    entity="site",
    sorts={
        "name": ("sort_name", "site_id"),
        "-name": ("-sort_name", "-site_id"),
        "country": ("country", "sort_name", "site_id"),
    },
    text_filter=lambda token: Q(search_text__contains=token),
)

ORGANISATION_INDEX = FacetIndex(
    hits=OrganisationFacets,
    entity="organisation",
    sorts={
        "name": ("sort_name", "organisation_id"),
        "-name": ("-sort_name", "-organisation_id"),
        "sites": ("-site_count", "sort_name", "organisation_id"),
    },
    # An organisation matches by its own name and DUNS, or by any of its sites' names, addresses, DUNS and FEI.
    text_filter=lambda token: (
        Q(search_text__contains=token)
        | Q(organisation_id__in=SiteFacets.objects.filter(search_text__contains=token).values("organisation_id"))
    ),
)


@dataclass(frozen=True)
class Profile:
    """What the facet index says an entry does: the most specific terms, its evidence sources, and its
    registration status and compliance facet values as of the search's day."""

    services: list[TermNode]
    dosage_forms: list[TermNode]
    routes: list[TermNode]
    evidence_kinds: list[str]
    registration: str = ""
    compliance: tuple[str, ...] = ()
    #: The dosage forms and routes above that are organisation-wide only: its organisation's products,
    #: not a record of the site (or of any site of the organisation) itself.
    organisation_wide: tuple[TermNode, ...] = ()

    @classmethod
    def of(
        cls,
        row: SiteFacets | OrganisationFacets,
        tree: TermAncestry,
        as_of: RegistrationSource,
        own: set[int] | None = None,
    ) -> Profile:
        def terms(sig: str) -> list[TermNode]:
            return tree.most_specific([int(v) for v in signature_values(sig)])

        forms, routes = terms(row.dosage_forms), terms(row.routes)
        return cls(
            terms(row.services),
            forms,
            routes,
            signature_values(row.evidence),
            registration=str(as_of.status(row.registration_expiry).value),
            compliance=compliance_values((row.inspections, row.warning_letter_on, row.recall_class1_on), as_of.today),
            organisation_wide=tuple(t for t in (*forms, *routes) if own is not None and t.id not in own),
        )

    @property
    def own_dosage_forms(self) -> list[TermNode]:
        """Dosage forms on a site's own record."""
        return [t for t in self.dosage_forms if t not in self.organisation_wide]

    @property
    def wide_dosage_forms(self) -> list[TermNode]:
        """Dosage forms only of the organisation's products (organisation-wide)."""
        return [t for t in self.dosage_forms if t in self.organisation_wide]

    @property
    def compliance_labels(self) -> list[tuple[str, str]]:
        """(code, label) of the compliance values worth a badge: outcomes and recent letters or recalls."""
        return [(c, COMPLIANCE_VALUES[c]) for c in self.compliance if c != UNINSPECTED]


def _own_terms(entity: str, ids: Sequence[int]) -> dict[int, set[int]]:
    """The dosage-form and route term ids each site or organisation has on a site's own record."""
    own: dict[int, set[int]] = {i: set() for i in ids}
    rows = FacetGroup.objects.filter(**{f"{entity}__in": ids}, scope=FactScope.SITE)
    for hit, forms, routes in rows.values_list(entity, "dosage_forms", "routes"):
        own[hit].update(int(v) for v in (*signature_values(forms), *signature_values(routes)))
    return own


@dataclass(frozen=True)
class SiteHit:
    site: Site
    profile: Profile

    @property
    def country_name(self) -> str:
        return country_name(self.site.country)


@dataclass(frozen=True)
class OrganisationHit:
    organisation: Organisation
    site_count: int
    countries: list[str]
    profile: Profile


def _search(
    index: FacetIndex[Any],
    *,
    q: str,
    countries: Sequence[str],
    regions: Sequence[str],
    services: Sequence[str],
    dosage_forms: Sequence[str],
    routes: Sequence[str],
    substances: Sequence[str],
    kinds: Sequence[str],
    evidence_kinds: Sequence[str],
    registrations: Sequence[str],
    compliance: Sequence[str],
    today: dt.date | None,
    sort: str,
    page: int,
    page_size: int,
    related: Sequence[str],
) -> tuple[SearchPage[Any], list[Any]]:
    tree = TermAncestry.load()
    filters = directory_filters_parse(
        tree=tree,
        q=q,
        countries=countries,
        regions=regions,
        services=services,
        dosage_forms=dosage_forms,
        routes=routes,
        substances=substances,
        kinds=kinds,
        evidence_kinds=evidence_kinds,
        registrations=registrations,
        compliance=compliance,
        as_of=registration_source(today=today),
    )
    page_check(page=page, page_size=page_size)
    sort_check(index, sort)
    counted = index.count(filters)
    # The page's keys from the columns alone, then those few rows with their site and organisation.
    keys = index.page_keys(counted, sort=sort, page=page, page_size=page_size)
    hits = index.hits._default_manager.filter(pk__in=keys)
    rows = list(hits.select_related(*related).order_by(*index.sorts[sort])) if keys else []
    result: SearchPage[Any] = SearchPage(
        hits=[],
        total=counted.tally.total,
        page=page,
        page_size=page_size,
        sort=sort,
        filters=filters,
        facets=facet_values(counted.tally, filters, tree),
        tree=tree,
    )
    return result, rows


def site_search(
    *,
    q: str = "",
    countries: Sequence[str] = (),
    regions: Sequence[str] = (),
    services: Sequence[str] = (),
    dosage_forms: Sequence[str] = (),
    routes: Sequence[str] = (),
    substances: Sequence[str] = (),
    kinds: Sequence[str] = (),
    evidence_kinds: Sequence[str] = (),
    registrations: Sequence[str] = (),
    compliance: Sequence[str] = (),
    today: dt.date | None = None,
    sort: str = "name",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchPage[SiteHit]:
    """Sites matching the filters, one page of them, and the facet counts around them.

    Filters take taxonomy codes, names or synonyms (services, dosage forms, routes), substances as sources
    write them (reduced to the active moiety: "atorvastatin calcium" finds atorvastatin), ISO country codes
    or names, region codes or names, organisation kinds, evidence kinds, registration statuses and
    compliance values (:mod:`cxo.registry.record_facets`, decided as of ``today``); an unknown value
    raises ServiceError naming it. A service matches its descendants too ("Manufacturing" finds API makers).
    A finished-goods site's dosage forms, routes and evidence include its organisation's
    organisation-wide capabilities (see :mod:`cxo.registry.facets`). At most six queries whatever the
    filters and page size (counts and the page's keys come from the fact groups in memory).
    """
    result, rows = _search(
        SITE_INDEX,
        q=q,
        countries=countries,
        regions=regions,
        services=services,
        dosage_forms=dosage_forms,
        routes=routes,
        substances=substances,
        kinds=kinds,
        evidence_kinds=evidence_kinds,
        registrations=registrations,
        compliance=compliance,
        today=today,
        sort=sort,
        page=page,
        page_size=page_size,
        related=("site", "site__organisation"),
    )
    own = _own_terms("site_id", [row.site_id for row in rows])
    hits = [
        SiteHit(site=row.site, profile=Profile.of(row, result.tree, result.filters.as_of, own[row.site_id]))
        for row in rows
    ]
    return replace(result, hits=hits)


def organisation_search(
    *,
    q: str = "",
    countries: Sequence[str] = (),
    regions: Sequence[str] = (),
    services: Sequence[str] = (),
    dosage_forms: Sequence[str] = (),
    routes: Sequence[str] = (),
    substances: Sequence[str] = (),
    kinds: Sequence[str] = (),
    evidence_kinds: Sequence[str] = (),
    registrations: Sequence[str] = (),
    compliance: Sequence[str] = (),
    today: dt.date | None = None,
    sort: str = "name",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchPage[OrganisationHit]:
    """Organisations in the registry matching the filters, with facet counts (counting organisations).

    An organisation matches a country, service, dosage form, route or evidence filter when any of its
    sites or capabilities does, and the free text when its name or any of its sites' names,
    addresses, DUNS or FEI numbers contain every word.
    """
    result, rows = _search(
        ORGANISATION_INDEX,
        q=q,
        countries=countries,
        regions=regions,
        services=services,
        dosage_forms=dosage_forms,
        routes=routes,
        substances=substances,
        kinds=kinds,
        evidence_kinds=evidence_kinds,
        registrations=registrations,
        compliance=compliance,
        today=today,
        sort=sort,
        page=page,
        page_size=page_size,
        related=("organisation",),
    )
    own = _own_terms("organisation_id", [row.organisation_id for row in rows])
    hits = [
        OrganisationHit(
            organisation=row.organisation,
            site_count=row.site_count,
            countries=signature_values(row.countries),
            profile=Profile.of(row, result.tree, result.filters.as_of, own[row.organisation_id]),
        )
        for row in rows
    ]
    return replace(result, hits=hits)

"""Reads of the public registry: directory search with facet counts, organisation and site pages, imports.

The directory's selectors are in :mod:`.directory`, the detail pages' in :mod:`.details`; both are
re-exported here, so callers write ``from cxo.registry import selectors`` and ``selectors.site_get``.

Registry data is public to every signed-in user, so nothing here is tenant-scoped; views and the
API require sign-in. Searches read the facet index (:mod:`cxo.registry.facets`), detail pages the
registry's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from cxo.core.errors import ServiceError
from cxo.registry.facets import TermAncestry, TermNode
from cxo.registry.kind import role_counts
from cxo.registry.models import Capability, Evidence, ImportRun, OrganisationFacets, Vocabulary
from cxo.registry.search import DirectoryFilters, FacetValue
from cxo.registry.selectors.details import (
    EVIDENCE_PAGE_SIZE,
    EVIDENCE_SHOWN,
    CapabilityGroup,
    EvidencePage,
    OrganisationDetail,
    SiteDetail,
    evidence_page,
    organisation_get,
    site_get,
)
from cxo.registry.selectors.directory import (
    ORGANISATION_INDEX,
    SITE_INDEX,
    OrganisationHit,
    Profile,
    SiteHit,
    organisation_search,
    site_search,
)

__all__ = [
    "EVIDENCE_PAGE_SIZE",
    "EVIDENCE_SHOWN",
    "ORGANISATION_INDEX",
    "SITE_INDEX",
    "CapabilityGroup",
    "EvidencePage",
    "OrganisationDetail",
    "OrganisationHit",
    "Profile",
    "RegistryStats",
    "SiteDetail",
    "SiteHit",
    "TermAncestry",
    "evidence_page",
    "import_run_list",
    "organisation_get",
    "organisation_search",
    "registry_stats",
    "site_get",
    "site_search",
    "taxonomy_get",
]


def taxonomy_get(*, vocabulary: str | None = None, tree: TermAncestry | None = None) -> dict[str, list[TermNode]]:
    """Taxonomy terms by vocabulary, in tree order (parents before their children)."""
    if vocabulary and vocabulary not in Vocabulary.values:
        raise ServiceError(
            f"Unknown vocabulary '{vocabulary}'. Known vocabularies: {', '.join(Vocabulary.values)}.",
            field="vocabulary",
        )
    tree = tree or TermAncestry.load()
    return {v: tree.vocabulary(v) for v in Vocabulary.values if vocabulary in (None, "", v)}


def import_run_list() -> QuerySet[ImportRun]:
    """Every import run, newest first."""
    return ImportRun.objects.select_related("actor").order_by("-started_at", "-pk")


@dataclass(frozen=True)
class RegistryStats:
    sites: int
    organisations: int
    capabilities: int
    evidence: int
    facets: dict[str, list[FacetValue]]
    organisations_by_kind: dict[str, int]
    last_import: ImportRun | None

    @property
    def countries(self) -> list[FacetValue]:
        return self.facets["country"]

    @property
    def kinds(self) -> list[tuple[FacetValue, int]]:
        """Each role with its sites (the facet value) and its number of organisations (cxo.registry.kind)."""
        return [(v, self.organisations_by_kind.get(v.code, 0)) for v in self.facets["kind"]]

    @property
    def top_services(self) -> list[FacetValue]:
        return [v for v in self.facets["service"] if v.depth == 0]


def registry_stats() -> RegistryStats:
    """Registry totals and the unfiltered facet counts (sites per country, region, service, kind, source)."""
    tree = TermAncestry.load()
    filters = DirectoryFilters()
    facets, total = SITE_INDEX.facets(filters, tree)
    return RegistryStats(
        sites=total,
        organisations=OrganisationFacets.objects.count(),
        capabilities=Capability.objects.count(),
        evidence=Evidence.objects.count(),
        facets=facets,
        organisations_by_kind=role_counts(),
        last_import=import_run_list().filter(status=ImportRun.Status.SUCCEEDED).first(),
    )

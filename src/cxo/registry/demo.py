"""The demo registry: the taxonomy and, into an empty registry, the real FDA DECRS FY2025 file shipped with CXO."""

from __future__ import annotations

from dataclasses import dataclass

from cxo.registry.importers.base import ImportResult, registry_import
from cxo.registry.importers.decrs import DEMO_FILE, DecrsImporter
from cxo.registry.models import Site
from cxo.registry.taxonomy import TaxonomyLoaded, taxonomy_load


@dataclass(frozen=True)
class DemoRegistry:
    taxonomy: TaxonomyLoaded
    imported: ImportResult | None
    sites: int


def demo_registry_load(*, show_progress: bool = False) -> DemoRegistry:
    """Load the taxonomy, and the shipped DECRS file if the registry has no sites yet.

    Idempotent and quick the second time: the taxonomy load is then a comparison, and the import
    is skipped because the registry is no longer empty.
    """
    taxonomy = taxonomy_load(actor=None)
    imported = None
    if not Site.objects.exists():
        imported = registry_import(
            actor=None, importer=DecrsImporter(), path=DEMO_FILE, show_progress=show_progress, actor_label="demo"
        )
    return DemoRegistry(taxonomy=taxonomy, imported=imported, sites=Site.objects.count())

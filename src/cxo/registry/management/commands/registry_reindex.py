"""``cxo registry_reindex``: rebuild the directory's search index from the registry tables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from cxo.registry.facets import facets_rebuild


class Command(BaseCommand):
    help = "Rebuild the registry directory's search index (facet counts) from sites, capabilities and evidence."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = facets_rebuild()
        self.stdout.write(
            f"Indexed {result.sites:,} sites and {result.organisations:,} organisations "
            f"in {time.perf_counter() - started:.1f} s."
        )

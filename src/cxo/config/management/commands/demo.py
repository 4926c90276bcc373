"""``cxo demo``: every app's demo data, in order. It lives in config because it composes all of them."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from cxo.core.demo import DEMO_PASSWORD, demo_tenants_load
from cxo.registry.demo import demo_registry_load
from cxo.sourcing.demo import sourcing_demo_load


class Command(BaseCommand):
    help = "Load the demo tenants and users, the taxonomy and the real FDA registry data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        registry = demo_registry_load(show_progress=sys.stdout.isatty() and options["verbosity"] > 0)
        taxonomy = registry.taxonomy
        self.stdout.write(
            f"Taxonomy: {taxonomy.created} terms created, {taxonomy.updated} updated, {taxonomy.unchanged} unchanged."
        )
        if registry.imported is not None:
            for line in registry.imported.summary_lines():
                self.stdout.write(f"  {line}")
        self.stdout.write(f"Registry: {registry.sites:,} sites (FDA DECRS FY2025, loaded once into an empty registry).")
        users = demo_tenants_load()
        self.stdout.write(
            self.style.SUCCESS(f"Demo tenants ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        )
        for u in users:
            self.stdout.write(f"  {u.username:<10} {u.what}")
        for line in sourcing_demo_load().lines:
            self.stdout.write(line)

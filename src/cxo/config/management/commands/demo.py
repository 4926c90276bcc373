"""``cxo demo``: every app's demo data, in order. It lives in config because it composes all of them."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxo.contracts.demo import contracts_demo_load
from cxo.core.demo import DEMO_PASSWORD, demo_tenants_load
from cxo.quality.demo import quality_demo_load
from cxo.registry.demo import DemoFile, FileLoaded, demo_registry_load
from cxo.registry.importers import ImportFailed
from cxo.sourcing.demo import sourcing_demo_load


class Command(BaseCommand):
    help = "Load the demo tenants and users, the taxonomy and the real FDA registry data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 0
        self.stdout.write("Loading the demo registry: every public file CXO ships, each once.")
        try:
            registry = demo_registry_load(
                show_progress=sys.stdout.isatty() and verbose,
                starting=self._starting if verbose else None,
                report=self._report_file if verbose else None,
            )
        except ImportFailed as exc:
            raise CommandError(f"The demo registry could not be loaded: {exc.message}") from exc
        taxonomy = registry.taxonomy
        self.stdout.write(
            f"Taxonomy: {taxonomy.created} terms created, {taxonomy.updated} updated, {taxonomy.unchanged} unchanged."
        )
        if not registry.imported:
            self.stdout.write("Registry already loaded: nothing was imported again.")
        self.stdout.write(
            f"Registry: {registry.sites:,} sites, {registry.organisations:,} organisations, "
            f"{registry.capabilities:,} capabilities, {registry.evidence:,} evidence records, "
            f"{registry.compliance_events:,} FDA compliance records"
            + (
                f" ({registry.seconds:.1f} s, the directory index {registry.index_seconds:.1f} s of it)."
                if registry.imported
                else "."
            )
        )
        users = demo_tenants_load()
        self.stdout.write(
            self.style.SUCCESS(f"Demo tenants ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        )
        for u in users:
            self.stdout.write(f"  {u.username:<10} {u.what}")
        for line in sourcing_demo_load().lines:
            self.stdout.write(line)
        for line in quality_demo_load().lines:
            self.stdout.write(line)
        for line in contracts_demo_load().lines:
            self.stdout.write(line)

    def _starting(self, demo: DemoFile) -> None:
        self.stdout.write(f"  {demo.label} ({demo.path.name}) …")
        self.stdout.flush()

    def _report_file(self, done: FileLoaded) -> None:
        if done.result is None:
            self.stdout.write(f"  {done.file.label} ({done.file.path.name}): {done.skipped_because}.")
            return
        result = done.result
        self.stdout.write(f"    {result.rows:,} rows: {result.counts_line()} [{done.seconds:.1f} s]")
        for line in result.details:
            self.stdout.write(f"      {line}")

"""``cxo registry kinds``: how many organisations hold each role, and (``--refresh``) derive them again."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxo.core.models import Organisation
from cxo.registry.facets import facets_rebuild
from cxo.registry.kind import ROLE_ORDER, organisation_kinds_refresh, role_counts, role_label


class Command(BaseCommand):
    help = "Registry upkeep: 'kinds' prints the organisations per role (--refresh derives every role again)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        kinds = sub.add_parser("kinds", help="Organisations per role, by the rule of cxo.registry.kind.")
        kinds.add_argument("--refresh", action="store_true", help="Derive every organisation's roles again first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "kinds":
            raise CommandError(f"Unknown action {options['action']!r}.")
        if options["refresh"]:
            started = time.perf_counter()
            changed = organisation_kinds_refresh(
                organisation_ids=list(Organisation.objects.values_list("pk", flat=True))
            )
            facets_rebuild()
            self.stdout.write(
                f"Roles derived again: {changed:,} organisations changed ({time.perf_counter() - started:.1f} s)."
            )
        counts = role_counts()
        without = Organisation.objects.filter(kind="").count()
        self.stdout.write(f"{'role':<24} {'organisations':>13}")
        for role in ROLE_ORDER:
            self.stdout.write(f"{role_label(role):<24} {counts[role]:>13,}")
        self.stdout.write(f"{'no role on record':<24} {without:>13,}")

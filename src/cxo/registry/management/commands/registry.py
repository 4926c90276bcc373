"""``cxo registry kinds``: how many organisations hold each role, and (``--refresh``) derive them again.

``cxo registry duplicates`` lists candidate duplicate organisations with their evidence;
``cxo registry merge A B`` folds A into B and ``cxo registry split ORG --sites ID ... --name NAME`` moves
sites to a new organisation (cxo.registry.services.identity; audited as the command line).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxo.core.errors import ServiceError
from cxo.core.models import Organisation
from cxo.registry.duplicates import duplicate_candidates
from cxo.registry.facets import facets_rebuild
from cxo.registry.kind import ROLE_ORDER, organisation_kinds_refresh, role_counts, role_label
from cxo.registry.models import Site
from cxo.registry.services.identity import organisation_merge, organisation_resolve, organisation_split

CLI = "cli"


class Command(BaseCommand):
    help = "Registry upkeep: 'kinds' prints the organisations per role (--refresh derives every role again)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        kinds = sub.add_parser("kinds", help="Organisations per role, by the rule of cxo.registry.kind.")
        kinds.add_argument("--refresh", action="store_true", help="Derive every organisation's roles again first.")
        dups = sub.add_parser("duplicates", help="Candidate duplicate organisations, with their evidence.")
        dups.add_argument("--limit", type=int, default=200, help="At most this many pairs (default 200).")
        merge = sub.add_parser("merge", help="Merge organisation A into B (slugs, ids or registrant DUNS).")
        merge.add_argument("source", help="The organisation merged away (its page redirects to B).")
        merge.add_argument("target", help="The organisation that remains.")
        merge.add_argument("--reason", default="", help="Why (kept in both audit trails).")
        split = sub.add_parser("split", help="Move sites of an organisation to a new organisation.")
        split.add_argument("organisation", help="Slug, id or registrant DUNS.")
        split.add_argument("--sites", nargs="+", required=True, help="Site ids or DUNS numbers to move.")
        split.add_argument("--name", required=True, help="The new organisation's name.")
        split.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "duplicates":
                return self._duplicates(options["limit"])
            if options["action"] == "merge":
                return self._merge(options["source"], options["target"], options["reason"])
            if options["action"] == "split":
                return self._split(options["organisation"], options["sites"], options["name"], options["reason"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
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

    def _duplicates(self, limit: int) -> None:
        pairs = duplicate_candidates(curator=None, limit=limit)
        self.stdout.write(f"{len(pairs):,} candidate pairs (same name key first, then by similarity).")
        for pair in pairs:
            a, b = pair.a, pair.b
            self.stdout.write(f"{pair.method:<12} {pair.score:>5.1f}  {a.name} [{a.slug}]  <->  {b.name} [{b.slug}]")
            self.stdout.write(f"{'':19}{'; '.join(pair.evidence)}")

    def _merge(self, source: str, target: str, reason: str) -> None:
        result = organisation_merge(
            actor=None,
            source=organisation_resolve(source),
            target=organisation_resolve(target),
            reason=reason,
            actor_label=CLI,
        )
        moved = ", ".join(f"{label} {n}" for label, n in sorted(result.moved.items())) or "no tenant data"
        self.stdout.write(
            f"Merged {result.source.name} [{result.source.slug}] into {result.target.name} [{result.target.slug}]: "
            f"{result.sites:,} sites, {result.capabilities:,} capabilities, {moved}."
        )

    def _split(self, organisation: str, sites: list[str], name: str, reason: str) -> None:
        org = organisation_resolve(organisation)
        ids: list[int] = []
        for value in sites:
            site = Site.objects.filter(organisation=org, duns=value).first() if len(value) == 9 else None
            if site is None and not value.isdigit():
                raise CommandError(f"'{value}' is not a site id or DUNS number.")
            ids.append(site.pk if site is not None else int(value))
        new = organisation_split(actor=None, organisation=org, site_ids=ids, name=name, reason=reason, actor_label=CLI)
        self.stdout.write(f"Split {len(ids)} sites of {org.name} into {new.name} [{new.slug}].")

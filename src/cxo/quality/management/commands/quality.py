"""``cxo quality``: the watch of the public record, and the approved supplier list as a file.

cxo quality watch                          # daily: every sponsor's approved qualifications
cxo quality watch --today 2026-12-31       # as of another day (validity, "dated after the approval")
cxo quality asl --organisation demo-sponsor --format pdf --output asl.pdf
"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxo.core.models import Organisation
from cxo.quality import exports
from cxo.quality.selectors.asl import AslFilters, asl
from cxo.quality.watch import quality_watch


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Quality: run the watch of FDA's record over approved qualifications, or export an approved supplier list."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        watch = sub.add_parser("watch", help="Check every approved qualification against the public record (daily).")
        watch.add_argument("--today", help="Run as of this day (YYYY-MM-DD); default today")
        watch.add_argument("--json", action="store_true", help="Print what moved as JSON")
        export = sub.add_parser("asl", help="Write a sponsor's approved supplier list as XLSX or PDF.")
        export.add_argument("--organisation", required=True, help="The sponsor's slug")
        export.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        export.add_argument("--output", help="File to write (default asl-<slug>-<date>.<format>)")
        export.add_argument("--status", default="", help="Only entries in this state, e.g. approved")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "watch":
            self._watch(options)
        else:
            self._export(options)

    def _watch(self, options: dict[str, Any]) -> None:
        today = _day(options["today"]) if options.get("today") else None
        result = quality_watch(today=today)
        if options["json"]:
            out = {
                "today": result.today.isoformat(),
                "checked": result.checked,
                "under_review": [
                    {
                        "sponsor": q.organisation.slug,
                        "site": q.site.name,
                        "service": q.service.code,
                        "evidence": [e["label"] for e in evidence],
                    }
                    for q, evidence in result.reviewed
                ],
                "expired": [
                    {"sponsor": q.organisation.slug, "site": q.site.name, "service": q.service.code}
                    for q in result.expired
                ],
                "reminders": result.reminders,
            }
            self.stdout.write(json.dumps(out, indent=2))
            return
        for line in result.lines():
            self.stdout.write(line)

    def _export(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None or not organisation.is_sponsor:
            raise CommandError(f"No sponsor with the slug {options['organisation']!r}.")
        result = asl(organisation=organisation, filters=AslFilters(status=options["status"]))
        fmt = options["format"]
        body = (exports.asl_pdf if fmt == "pdf" else exports.asl_xlsx)(organisation=organisation, asl=result)
        path = Path(options.get("output") or f"asl-{organisation.slug}-{result.today:%Y%m%d}.{fmt}")
        path.write_bytes(body)
        self.stdout.write(
            f"{len(result.rows)} entries of {organisation.name}'s approved supplier list written to {path}."
        )

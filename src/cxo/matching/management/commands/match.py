from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from cxo.core.errors import ServiceError
from cxo.matching.need import Need
from cxo.matching.selectors import need_match

STATUS_MARK = {"met": "✓", "partly": "~", "not_met": "✗"}


class Command(BaseCommand):
    help = "Rank registry sites for a need (service, dosage form, country, evidence …), with explanations."

    def add_arguments(self, parser: CommandParser) -> None:
        many: dict[str, Any] = {"action": "append", "default": [], "metavar": "TEXT"}
        parser.add_argument("--service", dest="services", help="Service: code, name or synonym (repeatable).", **many)
        parser.add_argument("--dosage-form", dest="dosage_forms", help="Dosage form (repeatable).", **many)
        parser.add_argument("--route", dest="routes", help="Route of administration (repeatable).", **many)
        parser.add_argument("--modality", dest="modalities", help="Modality (repeatable).", **many)
        parser.add_argument("--scale", dest="scales", help="Phase / scale (repeatable).", **many)
        parser.add_argument("--substance", default="", help="Active substance (for API sourcing).")
        parser.add_argument("--country", dest="countries", help="Only these countries: ISO code or name.", **many)
        parser.add_argument("--region", dest="regions", help="Only these regions, e.g. europe, south_asia.", **many)
        parser.add_argument("--exclude-country", dest="exclude_countries", help="Leave out a country.", **many)
        parser.add_argument("--exclude-region", dest="exclude_regions", help="Leave out a region.", **many)
        parser.add_argument(
            "--require-evidence",
            dest="require_evidence",
            help="Evidence every service must carry, e.g. fda_registration, fda_registration_current.",
            **many,
        )
        parser.add_argument(
            "--exclude-organisation", dest="exclude_organisations", help="Organisation id or slug.", **many
        )
        parser.add_argument("--limit", type=int, default=50, help="How many results (default 50).")
        parser.add_argument("--all", action="store_true", help="Every match (ignores --limit).")
        parser.add_argument("--per-organisation", action="store_true", help="Only the best site of each organisation.")
        parser.add_argument("--json", action="store_true", help='JSON: {"total", "results": [...]}.')
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Score as of this date.")

    def handle(self, *args: Any, **options: Any) -> None:
        fields = [
            "services",
            "dosage_forms",
            "routes",
            "modalities",
            "scales",
            "substance",
            "countries",
            "regions",
            "exclude_countries",
            "exclude_regions",
            "require_evidence",
            "exclude_organisations",
            "limit",
        ]
        try:
            need = Need(
                **{f: options[f] for f in fields}, all=options["all"], per_organisation=options["per_organisation"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
        try:
            result = need_match(need=need, today=options["today"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
            return
        self._table(result.as_json())

    def _table(self, data: dict[str, Any]) -> None:
        rows = data["results"]
        self.stdout.write(f"{data['total']} match{'es' if data['total'] != 1 else ''}, showing {len(rows)}")
        for note in data.get("notes", []):
            self.stdout.write(note)
        if not rows:
            return
        self.stdout.write(f"{'#':>4} {'score':>5}  {'site':<44} {'country':<7} organisation")
        for r in rows:
            site = r["site"]["name"] or "(organisation-wide)"
            self.stdout.write(
                f"{r['rank']:>4} {r['score']:>5}  {site[:44]:<44} {(r['site']['country'] or '—'):<7} "
                f"{r['organisation']['name']}"
            )
            marks = " ".join(
                f"{e['criterion']}{STATUS_MARK.get(e['status'], '?')}"
                + (f"{e['points']}" if e.get("points") is not None else "")
                for e in r["explanation"]
            )
            self.stdout.write(f"{'':>11} {marks}")

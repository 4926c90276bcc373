from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from cxo.core.errors import ServiceError
from cxo.matching.need import FLAG, NEED_FIELDS, Need
from cxo.matching.selectors import need_match

STATUS_MARK = {"met": "✓", "partly": "~", "not_met": "✗"}


class Command(BaseCommand):
    help = "Rank registry sites for a need (service, dosage form, country, evidence …), with explanations."

    def add_arguments(self, parser: CommandParser) -> None:
        for f in NEED_FIELDS:  # the need's one field list
            if f.kind == FLAG:
                parser.add_argument(f.option, dest=f.name, action="store_true", help=f"{f.label}.")
            elif f.many:
                hint = f" ({f.placeholder})" if f.placeholder else ""
                parser.add_argument(
                    f.option,
                    dest=f.name,
                    action="append",
                    default=[],
                    metavar="TEXT",
                    help=f"{f.label}{hint}; repeatable.",
                )
            else:
                parser.add_argument(
                    f.option, dest=f.name, default="", metavar="TEXT", help=f"{f.label} ({f.placeholder})."
                )
        parser.add_argument("--limit", type=int, default=50, help="How many results (default 50).")
        parser.add_argument("--all", action="store_true", help="Every match (ignores --limit).")
        parser.add_argument("--per-organisation", action="store_true", help="Only the best site of each organisation.")
        parser.add_argument("--json", action="store_true", help='JSON: {"total", "results": [...]}.')
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Score as of this date.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = [f.name for f in NEED_FIELDS] + ["limit", "all", "per_organisation"]
        try:
            need = Need(**{name: options[name] for name in names})
        except ValidationError as exc:
            message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise CommandError(message, returncode=2) from exc
        try:
            result = need_match(need=need, today=options["today"])
        except ServiceError as exc:
            # A term that names nothing (TermNotFound) or bad input: exit 2, the usage-error code.
            raise CommandError(exc.message, returncode=2) from exc
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

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxo.core.errors import ServiceError
from cxo.core.models import User
from cxo.registry.importers import IMPORTERS, ImportFailed, importer_for, registry_import


class Command(BaseCommand):
    help = "Import a public data file into the registry: all rows or none, unless --skip-bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=sorted(IMPORTERS), help="What the file is, e.g. decrs (FDA DECRS).")
        parser.add_argument("path", help="The file to import.")
        parser.add_argument(
            "--skip-bad", action="store_true", help="Import the good rows and write the rejected ones to a CSV."
        )
        parser.add_argument(
            "--rejected-file",
            help="Where to write rejected rows (default: var/imports/<source>-<timestamp>.rejected.csv).",
        )
        parser.add_argument("--user", help="Record the import as done by this username.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user '{options['user']}'.")
        try:
            result = registry_import(
                actor=actor,
                importer=importer_for(options["source"]),
                path=options["path"],
                skip_bad=options["skip_bad"],
                rejected_path=options["rejected_file"],
                show_progress=sys.stdout.isatty() and options["verbosity"] > 0,
                # The server's OS account says nothing to users: a run without --user is "cli".
                actor_label="" if actor else "cli",
            )
        except ImportFailed as exc:
            run = f" (import run {exc.run.pk})" if exc.run is not None else ""
            raise CommandError(f"Import failed{run}: {exc.message}") from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        *details, counts = result.summary_lines()
        for line in details:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(counts))

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxo.registry.taxonomy import taxonomy_load


class Command(BaseCommand):
    help = "Load or update the registry taxonomy (services, dosage forms, routes, modalities, scale); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        result = taxonomy_load(actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Taxonomy: {result.created} terms created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxo.core.demo import DEMO_PASSWORD, demo_tenants_load


class Command(BaseCommand):
    help = "Load the demo tenants and users (idempotent: running it again changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_tenants_load()
        self.stdout.write(
            self.style.SUCCESS(f"Demo tenants ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        )
        for u in users:
            self.stdout.write(f"  {u.username:<10} {u.what}")

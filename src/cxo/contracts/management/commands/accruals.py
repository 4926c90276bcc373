"""``cxo accruals --organisation SLUG --month YYYY-MM --format csv``: the month's accruals for finance.

One row per accepted milestone with something not invoiced by the month's last day, then a total per currency:
the same figures as the money page, ``GET /api/v1/organisations/{slug}/accruals`` and the XLSX.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxo.contracts.exports import accruals_csv
from cxo.contracts.selectors.money import money_view, month_parse
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation
from cxo.core.money import money_display


class Command(BaseCommand):
    help = "The accruals of a month (accepted but not invoiced by its last day), per currency, as CSV or a table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The sponsor's slug (as in its URLs).")
        parser.add_argument("--month", default="", help="YYYY-MM (default: this month).")
        parser.add_argument("--format", choices=("csv", "table"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation '{options['organisation']}'.")
        try:
            view = money_view(organisation=organisation, month=month_parse(options["month"] or None))
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["format"] == "csv":
            self.stdout.write(accruals_csv(view=view), ending="")
            return
        self.stdout.write(f"Accruals of {organisation.name} for {view.month:%B %Y} (to {view.month_end:%d %b %Y})")
        for a in view.accruals:
            amount = money_display(a.accrued, a.currency)
            self.stdout.write(f"  {a.work_order.reference:<18} {a.milestone[:36]:<36} {a.currency} {amount:>14}")
        if not view.accruals:
            self.stdout.write("  nothing to accrue")
        for currency, total in view.accrual_totals.items():
            self.stdout.write(f"  {'Total':<55} {currency} {money_display(total, currency):>14}")

"""``{{ amount|money:currency }}``: an amount to its currency's minor units, grouped (``1,234.50``; JPY ``1,235``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from cxo.core.money import money_display

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "-"
    return money_display(Decimal(amount), currency)

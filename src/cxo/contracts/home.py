"""Contracts on the home page: the link to an organisation's work orders (``cxo.core.home``)."""

from __future__ import annotations

from django.urls import reverse

from cxo.core.home import HomeLink, home_link_register
from cxo.core.models import Organisation


def _work_orders(organisation: Organisation) -> str:
    return reverse("contracts:work_order_list", kwargs={"org": organisation.slug})


def register() -> None:
    home_link_register(HomeLink(key="contracts.work_orders", label="Work orders", url=_work_orders, order=50))

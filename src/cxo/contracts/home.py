"""Contracts on the home page (``cxo.core.home``): what needs the organisation on its contracts, and the link to
its work orders."""

from __future__ import annotations

from django.urls import reverse

from cxo.contracts.selectors.agenda import AgendaItem, agenda_for
from cxo.core.home import HomeLink, HomeSection, home_link_register, home_section_register
from cxo.core.models import Membership, Organisation


def _work_orders(organisation: Organisation) -> str:
    return reverse("contracts:work_order_list", kwargs={"org": organisation.slug})


def home_agenda(membership: Membership) -> list[AgendaItem]:
    """The member's organisation's contracts to-do (late first), sponsor and provider alike."""
    return agenda_for(organisation=membership.organisation).items


def register() -> None:
    home_section_register(
        HomeSection(
            key="contracts.agenda",
            title="Contracts: what needs you",
            template="contracts/_agenda_items.html",
            items=home_agenda,
            order=50,
            empty="Nothing waiting: no late milestones, nothing to sign, accept or invoice.",
            more=_work_orders,
            more_label="Work orders",
        )
    )
    home_link_register(HomeLink(key="contracts.work_orders", label="Work orders", url=_work_orders, order=50))

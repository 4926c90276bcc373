"""How contracts follows sourcing: an award drafts a work order, and the award links to it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse

from cxo.contracts.models import WorkOrder
from cxo.contracts.services.work_orders import work_order_create_from_award
from cxo.core.links import RecordLink, record_links_register
from cxo.core.models import Organisation, User
from cxo.sourcing.models import Award
from cxo.sourcing.signals import award_signed

DISPATCH_UID = "cxo.contracts.work_order_from_award"


def on_award_signed(sender: Any, *, award: Award, actor: User, **kwargs: Any) -> None:
    """Draft the work order in the award's own transaction: if it fails, the award does not happen."""
    work_order_create_from_award(actor=actor, award=award)


def award_links(award: models.Model, organisation: Organisation) -> list[RecordLink]:
    """The work order drafted from ``award``, if ``organisation`` is one of its parties."""
    work_order = WorkOrder.objects.for_party(organisation).filter(award_id=award.pk).first()
    if work_order is None:
        return []
    kwargs = {"org": organisation.slug, "work_order_id": work_order.pk}
    return [
        RecordLink(
            rel="work-order",
            label=f"Work order {work_order.reference} ({work_order.get_status_display().lower()})",
            url=reverse("contracts:work_order_detail", kwargs=kwargs),
            api_url=f"/organisations/{organisation.slug}/work-orders/{work_order.pk}",
        )
    ]


def connect() -> None:
    award_signed.connect(on_award_signed, sender=Award, dispatch_uid=DISPATCH_UID)
    record_links_register(Award, award_links)

"""Work orders: reads. The sponsor sees its own; the provider sees those it is the provider of."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cxo.contracts.models import WorkOrder
from cxo.core.errors import NotFound
from cxo.core.models import Organisation


def work_order_list(*, organisation: Organisation) -> QuerySet[WorkOrder]:
    """Work orders the organisation placed (sponsor) or received (provider)."""
    return (
        WorkOrder.unscoped.filter(Q(organisation=organisation) | Q(provider=organisation))
        .select_related("organisation", "provider", "award__rfp")
        .order_by("-created_at", "-id")
    )


def work_order_get(*, organisation: Organisation, work_order_id: int) -> WorkOrder:
    work_order = (
        work_order_list(organisation=organisation)
        .select_related("award__signature", "award__version")
        .prefetch_related("budget_lines", "milestones")
        .filter(pk=work_order_id)
        .first()
    )
    if work_order is None:
        raise NotFound("No such work order.")
    return work_order

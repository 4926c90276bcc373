"""Work orders: reads. The sponsor sees those it placed, the provider those it received (the work order's parties)."""

from __future__ import annotations

from django.db.models import QuerySet

from cxo.contracts.models import WorkOrder
from cxo.core.errors import NotFound
from cxo.core.models import Organisation


def work_order_list(*, organisation: Organisation, rfp_id: int | None = None) -> QuerySet[WorkOrder]:
    """Work orders the organisation placed (sponsor) or received (provider), newest first; ``rfp_id`` filters."""
    qs = WorkOrder.objects.for_party(organisation).select_related("organisation", "provider", "award__rfp")
    if rfp_id is not None:
        qs = qs.filter(award__rfp_id=rfp_id)
    return qs.order_by("-created_at", "-id")


def work_order_get(*, organisation: Organisation, work_order_id: int) -> WorkOrder:
    """One of the organisation's work orders, with its budget lines, milestones and the award it came from."""
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

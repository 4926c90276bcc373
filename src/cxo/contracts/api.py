"""Contracts API: the work orders an organisation placed (sponsor) or received (provider)."""

from __future__ import annotations

from django.db.models import QuerySet

from cxo.contracts import selectors
from cxo.contracts.models import WorkOrder
from cxo.contracts.schemas import WorkOrderOut, WorkOrderSummaryOut
from cxo.core.access import OrganisationRouter, OrgRequest

org_api = OrganisationRouter(tags=["contracts"])


@org_api.get("/work-orders", response=list[WorkOrderSummaryOut])
def work_order_list(request: OrgRequest, rfp_id: int | None = None) -> QuerySet[WorkOrder]:
    """Work orders the organisation placed or received, newest first; ``rfp_id`` gives the one drafted from that
    RFP's award."""
    return selectors.work_order_list(organisation=request.organisation, rfp_id=rfp_id)


@org_api.get("/work-orders/{work_order_id}", response=WorkOrderOut)
def work_order_get(request: OrgRequest, work_order_id: int) -> WorkOrder:
    """A work order with its budget lines and milestones."""
    return selectors.work_order_get(organisation=request.organisation, work_order_id=work_order_id)

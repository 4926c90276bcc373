"""Work order pages: the sponsor's and the provider's (each sees the work orders it is a party to)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from cxo.contracts import selectors
from cxo.core.access import OrgRequest, found


def work_order_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    return render(
        request,
        "contracts/work_order_list.html",
        {"organisation": org, "work_orders": selectors.work_order_list(organisation=org)},
    )


def work_order_detail(request: OrgRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation
    work_order = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    # Only the sponsor reaches the RFP the work order came from; the provider has it in its inbox.
    rfp_url = (
        reverse("sourcing:rfp_detail", kwargs={"org": org.slug, "rfp_id": work_order.award.rfp_id})
        if work_order.award_id and work_order.organisation_id == org.pk
        else ""
    )
    return render(
        request, "contracts/work_order_detail.html", {"organisation": org, "wo": work_order, "rfp_url": rfp_url}
    )

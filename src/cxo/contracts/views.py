"""Work order pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cxo.contracts import selectors
from cxo.core.access import org_member
from cxo.sourcing.views.common import found


@org_member()
def work_order_list(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "contracts/work_order_list.html",
        {"organisation": org, "work_orders": selectors.work_order_list(organisation=org)},
    )


@org_member()
def work_order_detail(request: HttpRequest, work_order_id: int) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    work_order = found(selectors.work_order_get, organisation=org, work_order_id=work_order_id)
    return render(request, "contracts/work_order_detail.html", {"organisation": org, "wo": work_order})

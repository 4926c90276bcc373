"""What the contracts pages share: the way back to a record (each step runs through ``cxo.core.steps.post_step``)."""

from __future__ import annotations

from django.urls import reverse

from cxo.contracts.forms import ReasonForm
from cxo.core.access import OrgRequest


def work_order_page(request: OrgRequest, work_order_id: int, anchor: str = "") -> str:
    url = reverse(
        "contracts:work_order_detail", kwargs={"org": request.organisation.slug, "work_order_id": work_order_id}
    )
    return f"{url}#{anchor}" if anchor else url


SIGN_AGAIN = "Re-enter your password and state the meaning of your signature."


def reason_of(request: OrgRequest) -> str:
    """The reason POSTed with a refusal, dispute or termination (the service says when one is required)."""
    return str(ReasonForm(request.POST).data.get("reason", ""))

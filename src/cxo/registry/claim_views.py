"""Registry curators' pages: the claims waiting for a decision, and one claim with its evidence.

Only a registry curator (``platform_can(user, CURATE_REGISTRY)``) reaches them; anyone else gets 404, so the
pages do not tell who is asking to administer what.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from cxo.core.access import AuthedRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import ClaimStatus
from cxo.core.roles import PlatformPermission, platform_can
from cxo.registry import claims


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _curator(request: AuthedRequest) -> None:
    if not platform_can(request.user, PlatformPermission.CURATE_REGISTRY):
        raise Http404("No such page.")


@login_required
def claim_list(request: AuthedRequest) -> HttpResponse:
    _curator(request)
    status = request.GET.get("status", ClaimStatus.PENDING)
    status = status if status in {*ClaimStatus.values, "all"} else ClaimStatus.PENDING
    rows = list(claims.claim_list(curator=request.user, status="" if status == "all" else status)[:200])
    return render(
        request,
        "registry/claims.html",
        {"claims": rows, "status": status, "statuses": [*ClaimStatus.choices, ("all", "All")]},
    )


@login_required
def claim_detail(request: AuthedRequest, claim_id: int) -> HttpResponse:
    _curator(request)
    try:
        claim = claims.claim_get(curator=request.user, claim_id=claim_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = claims.claim_approve if form.cleaned_data["decision"] == "approve" else claims.claim_reject
        try:
            decide(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            verb = "approved" if form.cleaned_data["decision"] == "approve" else "rejected"
            messages.success(request, f"Claim of {claim.organisation.name} by {claim.requester.username} {verb}.")
            return redirect("registry:claims")
    return render(request, "registry/claim.html", {"claim": claim, "form": form})

"""The quality home (a sponsor's or a provider's open quality work, counted) and the sponsor's policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render

from cxo.core.access import OrgRequest, requires
from cxo.core.errors import ServiceError
from cxo.core.roles import Permission
from cxo.quality.forms import PolicyForm
from cxo.quality.rules import risk_matrix, service_rules
from cxo.quality.selectors.home import quality_counts
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services.policy import BOUNDS, policy_update
from cxo.quality.views.common import back, can, refused, sponsor_only


def quality_home(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    return render(
        request,
        "quality/home.html",
        {"organisation": org, "counts": quality_counts(organisation=org), "is_sponsor": org.is_sponsor},
    )


@requires(write=Permission.MANAGE_QUALITY)
def policy(request: OrgRequest) -> HttpResponse:
    """The sponsor's quality policy, and the rules it sets (criticality by service, the risk matrix)."""
    sponsor_only(request)
    org = request.organisation
    current = policy_get(organisation=org)
    initial = {name: getattr(current, name) for name in (*BOUNDS, "award_rule")}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ServiceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, "Quality policy saved.")
            return back(request, "quality:policy")
    return render(
        request,
        "quality/policy.html",
        {
            "organisation": org,
            "form": form,
            "policy": current,
            "rules": service_rules(),
            "matrix": risk_matrix(),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
        },
    )

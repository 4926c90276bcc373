"""Sponsor pages: proposals received, their comparison (and its downloads), scores and the e-signed award."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cxo.core.access import OrgRequest, found, requires
from cxo.core.actions import action_allowed
from cxo.core.errors import ServiceError
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.standing import provider_standings
from cxo.sourcing import comparison, selectors
from cxo.sourcing.forms import (
    AwardForm,
    ScoreForm,
)
from cxo.sourcing.services import award as award_services
from cxo.sourcing.services import evaluation as evaluation_services
from cxo.sourcing.services.evaluation import ScoreData
from cxo.sourcing.views.common import flash_error


def rfp_compare(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    return render(
        request,
        "sourcing/rfp_compare.html",
        {
            "organisation": org,
            "rfp": rfp,
            "cmp": comparison.rfp_comparison(rfp=rfp),
            "evaluation": comparison.rfp_evaluation(rfp=rfp),
        },
    )


def _comparison_download(request: OrgRequest, rfp_id: int, *, extension: str, content_type: str) -> HttpResponse:
    """The side-by-side comparison with the evaluation, as an XLSX or PDF attachment."""
    from cxo.sourcing.exports import comparison_pdf, comparison_xlsx

    rfp = found(selectors.rfp_get, organisation=request.organisation, rfp_id=rfp_id)
    export = comparison_xlsx if extension == "xlsx" else comparison_pdf
    data = export(cmp=comparison.rfp_comparison(rfp=rfp), evaluation=comparison.rfp_evaluation(rfp=rfp))
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{rfp.reference}-comparison.{extension}"'
    return response


@rate_limited("export")
def rfp_compare_xlsx(request: OrgRequest, rfp_id: int) -> HttpResponse:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _comparison_download(request, rfp_id, extension="xlsx", content_type=xlsx)


@rate_limited("export")
def rfp_compare_pdf(request: OrgRequest, rfp_id: int) -> HttpResponse:
    return _comparison_download(request, rfp_id, extension="pdf", content_type="application/pdf")


def proposal_detail(request: OrgRequest, proposal_id: int) -> HttpResponse:
    org = request.organisation
    proposal = found(selectors.proposal_get, organisation=org, proposal_id=proposal_id)
    return render(
        request,
        "sourcing/proposal_detail.html",
        {
            "organisation": org,
            "proposal": proposal,
            "rfp": proposal.rfp,
            "versions": selectors.version_list(proposal=proposal),
        },
    )


@requires(Permission.EVALUATE)
def proposal_score(request: OrgRequest, proposal_id: int) -> HttpResponse:
    org = request.organisation
    proposal = found(selectors.proposal_get, organisation=org, proposal_id=proposal_id)
    rfp = proposal.rfp
    if not action_allowed(membership=request.membership, action="rfp.score", obj=rfp):
        messages.info(
            request, f"{rfp.reference} is {rfp.get_status_display().lower()}: its proposals are not scored now."
        )
        return redirect("sourcing:rfp_compare", org=org.slug, rfp_id=rfp.pk)
    criteria = list(proposal.rfp.criteria.all())
    sheet = comparison.score_sheet(proposal=proposal, evaluator=request.user)
    initial: dict[str, Any] = {}
    for cid, s in sheet.items():
        initial[f"score_{cid}"], initial[f"comment_{cid}"] = s.score, s.comment
    form = ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_services.score_set(
                actor=request.user,
                proposal=proposal,
                scores=[
                    ScoreData(c.pk, form.cleaned_data[f"score_{c.pk}"], form.cleaned_data.get(f"comment_{c.pk}") or "")
                    for c in criteria
                ],
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"Your scores of {proposal.provider.name}'s proposal are saved.")
            return redirect("sourcing:rfp_compare", org=org.slug, rfp_id=proposal.rfp_id)
    return render(
        request,
        "sourcing/proposal_score.html",
        {"organisation": org, "proposal": proposal, "rfp": proposal.rfp, "form": form},
    )


@requires(Permission.SIGN_AWARD)
def rfp_award(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    if not action_allowed(membership=request.membership, action="rfp.award", obj=rfp):
        messages.info(request, f"{rfp.reference} is {rfp.get_status_display().lower()}: only a closed RFP is awarded.")
        return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)
    proposals = list(selectors.proposal_list(rfp=rfp))
    evaluation = {r.proposal.pk: r for r in comparison.rfp_evaluation(rfp=rfp)}
    standings = provider_standings(
        sponsor=org,
        provider_ids=[p.provider_id for p in proposals],
        services=list((rfp.need.criteria or {}).get("services", [])),
    )
    form = AwardForm(request.POST or None, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        proposal = next(p for p in proposals if p.pk == form.cleaned_data["proposal"])
        try:
            award = award_services.award_sign(
                actor=request.user,
                rfp=rfp,
                proposal=proposal,
                password=form.cleaned_data["password"],
                meaning=form.cleaned_data["meaning"],
                rationale=form.cleaned_data.get("rationale") or "",
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(
                request, f"{rfp.reference} awarded to {award.proposal.provider.name}; a draft work order was created."
            )
            return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)
    return render(
        request,
        "sourcing/rfp_award.html",
        {
            "organisation": org,
            "rfp": rfp,
            "form": form,
            "proposals": [(p, standings.get(p.provider_id)) for p in proposals],
            "evaluation": evaluation,
        },
    )

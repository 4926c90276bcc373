"""Change notification pages, sponsor side: its own copies to assess and decide (never another sponsor's)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.roles import Permission
from cxo.quality.content import eu_variation_types, us_filing_categories
from cxo.quality.forms import ChangeAssessForm, ChangeDecideForm
from cxo.quality.models import ChangeAssessment, ChangeDecision
from cxo.quality.selectors.changes import assessment_get, assessment_list
from cxo.quality.services import change as services
from cxo.quality.views.common import act, can, sponsor_only


def change_list(request: OrgRequest) -> HttpResponse:
    sponsor_only(request)
    pending_only = request.GET.get("all") != "1"
    return render(
        request,
        "quality/change_list.html",
        {
            "organisation": request.organisation,
            "assessments": assessment_list(organisation=request.organisation, pending_only=pending_only),
            "pending_only": pending_only,
        },
    )


def _assessment(request: OrgRequest, assessment_id: int) -> ChangeAssessment:
    sponsor_only(request)
    assessment: ChangeAssessment = found(assessment_get, organisation=request.organisation, assessment_id=assessment_id)
    return assessment


def change_detail(request: OrgRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    pending = assessment.decision == ChangeDecision.PENDING
    return render(
        request,
        "quality/change.html",
        {
            "organisation": request.organisation,
            "a": assessment,
            "n": assessment.notification,
            "pending": pending,
            "assess_form": ChangeAssessForm(
                initial={
                    "impact": assessment.impact,
                    "us_category": assessment.us_category,
                    "eu_variation": assessment.eu_variation,
                    "notes": assessment.assessment,
                }
            ),
            "decide_form": ChangeDecideForm(),
            "us_categories": us_filing_categories(),
            "eu_variations": eu_variation_types(),
            "can_manage": can(request, Permission.MANAGE_QUALITY),
        },
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def change_assess(request: OrgRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    return act(
        request,
        ChangeAssessForm(request.POST),
        lambda d: services.change_assess(
            actor=request.user,
            assessment=assessment,
            impact=d["impact"],
            us_category=d["us_category"],
            eu_variation=d["eu_variation"],
            notes=d["notes"],
        ),
        done="Assessment saved.",
        to="quality:change_detail",
        assessment_id=assessment.pk,
    )


@require_POST
@requires(write=Permission.MANAGE_QUALITY)
def change_decide(request: OrgRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    return act(
        request,
        ChangeDecideForm(request.POST),
        lambda d: services.change_decide(
            actor=request.user, assessment=assessment, decision=d["decision"], comment=d["comment"]
        ),
        done=lambda a: f"Change {a.get_decision_display().lower()}; {a.provider.name} is told.",
        to="quality:change_detail",
        assessment_id=assessment.pk,
    )

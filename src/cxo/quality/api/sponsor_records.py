"""The sponsor's quality API, part two: CAPAs, quality agreements (both parties), change notifications,
scorecards, the policy and the quality counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.roles import Permission
from cxo.quality.api.outputs import agreement_out, assessment_out, capa_out, policy_out, scorecard_out
from cxo.quality.api.routers import org_api, sponsor_only
from cxo.quality.rules import add_months
from cxo.quality.schemas import (
    ERRORS,
    AgreementVersionIn,
    CapaAssessIn,
    CapaEffectivenessIn,
    CapaOut,
    ChangeAssessIn,
    ChangeAssessmentOut,
    ChangeDecideIn,
    QualityAgreementIn,
    QualityAgreementOut,
    QualityCountsOut,
    QualityPolicyIn,
    QualityPolicyOut,
    QualitySignIn,
    ScorecardOut,
    required,
)
from cxo.quality.scorecard import scorecard
from cxo.quality.selectors.agreements import agreement_get, agreement_list, version_get
from cxo.quality.selectors.asl import listed_sites
from cxo.quality.selectors.capas import capa_get, capa_list
from cxo.quality.selectors.changes import assessment_get, assessment_list
from cxo.quality.selectors.home import quality_counts
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services import agreement as agreement_services
from cxo.quality.services import capa as capa_services
from cxo.quality.services import change as change_services
from cxo.quality.services.policy import policy_update

MANAGE = Permission.MANAGE_QUALITY
SIGN = Permission.SIGN_QUALITY


@org_api.get("/quality/home", response=QualityCountsOut)
def home(request: OrgRequest) -> Any:
    """The organisation's open quality work, counted (sponsor or provider side): for a persona dashboard."""
    return quality_counts(organisation=request.organisation)


# --- CAPAs -----------------------------------------------------------------------------------------------


@org_api.get("/quality/capas", response=list[CapaOut])
def capas(request: OrgRequest, status: str = "", open_only: bool = True) -> list[dict[str, Any]]:
    """CAPAs of the sponsor's findings (open ones unless ``open_only`` is false), with ``overdue`` flagged."""
    sponsor_only(request)
    return [capa_out(c) for c in capa_list(organisation=request.organisation, status=status, open_only=open_only)]


def _capa(request: OrgRequest, capa_id: int) -> Any:
    sponsor_only(request)
    return capa_get(organisation=request.organisation, capa_id=capa_id)


@org_api.get("/quality/capas/{capa_id}", response={200: CapaOut, 404: ERRORS[404]})
def capa_detail(request: OrgRequest, capa_id: int) -> dict[str, Any]:
    return capa_out(_capa(request, capa_id))


@org_api.post("/quality/capas/{capa_id}/assessment", permission=MANAGE, response={200: CapaOut, **ERRORS})
def capa_assess(request: OrgRequest, capa_id: int, payload: CapaAssessIn) -> dict[str, Any]:
    """Accept the provider's proposal, or return it with the reason."""
    accept = required(payload.accept, field="accept", label="Accept or return")
    capa_services.capa_assess(actor=request.user, capa=_capa(request, capa_id), accept=accept, comment=payload.comment)
    return capa_out(_capa(request, capa_id))


@org_api.post("/quality/capas/{capa_id}/effectiveness", permission=MANAGE, response={200: CapaOut, **ERRORS})
def capa_effectiveness(request: OrgRequest, capa_id: int, payload: CapaEffectivenessIn) -> dict[str, Any]:
    """The effectiveness check once every action is done: effective, or returned to the provider."""
    effective = required(payload.effective, field="effective", label="Whether it was effective")
    capa_services.capa_effectiveness(
        actor=request.user, capa=_capa(request, capa_id), effective=effective, notes=payload.notes
    )
    return capa_out(_capa(request, capa_id))


@org_api.post("/quality/capas/{capa_id}/close", permission=SIGN, response={200: CapaOut, **ERRORS})
def capa_close(request: OrgRequest, capa_id: int, payload: QualitySignIn) -> dict[str, Any]:
    """Close the CAPA with the signer's electronic signature (refused while an action is open)."""
    capa_services.capa_close(
        actor=request.user,
        capa=_capa(request, capa_id),
        password=payload.password,
        meaning=payload.meaning or capa_services.CLOSE_MEANING,
    )
    return capa_out(_capa(request, capa_id))


# --- quality agreements (the sponsor's and the provider's alike) ---------------------------------------------


@org_api.get("/quality/agreements", response=list[QualityAgreementOut])
def agreements(request: OrgRequest) -> list[dict[str, Any]]:
    """The agreements the organisation is a party to, as sponsor or as provider."""
    return [agreement_out(a) for a in agreement_list(organisation=request.organisation)]


@org_api.post("/quality/agreements", permission=MANAGE, response={201: QualityAgreementOut, **ERRORS})
def agreement_create(request: OrgRequest, payload: QualityAgreementIn) -> tuple[int, dict[str, Any]]:
    """A new agreement with a provider on the sponsor's list; its first version is a draft."""
    sponsor_only(request)
    provider_id = required(payload.provider_id, field="provider_id", label="The provider")
    sites = {s.pk: s for s in listed_sites(organisation=request.organisation) if s.organisation_id == provider_id}
    if not sites:
        raise NotFound("No such provider on your approved supplier list.", field="provider_id")
    unknown = [i for i in payload.site_ids if i not in sites]
    if unknown:
        raise ServiceError(f"Sites not on your list for this provider: {unknown}.", field="site_ids")
    agreement = agreement_services.agreement_create(
        actor=request.user,
        organisation=request.organisation,
        provider=next(iter(sites.values())).organisation,
        title=payload.title,
        sites=[sites[i] for i in payload.site_ids],
        sections=payload.sections,
        effective_on=required(payload.effective_on, field="effective_on", label="The effective date"),
        expires_on=required(payload.expires_on, field="expires_on", label="The expiry date"),
    )
    return 201, agreement_out(agreement_get(organisation=request.organisation, agreement_id=agreement.pk))


@org_api.get("/quality/agreements/{agreement_id}", response={200: QualityAgreementOut, 404: ERRORS[404]})
def agreement_detail(request: OrgRequest, agreement_id: int) -> dict[str, Any]:
    return agreement_out(agreement_get(organisation=request.organisation, agreement_id=agreement_id))


@org_api.post(
    "/quality/agreements/{agreement_id}/versions", permission=MANAGE, response={201: QualityAgreementOut, **ERRORS}
)
def agreement_version_create(
    request: OrgRequest, agreement_id: int, payload: AgreementVersionIn
) -> tuple[int, dict[str, Any]]:
    """A new draft version (sections copied from the latest unless given; dates default to today + 3 years)."""
    sponsor_only(request)
    agreement = agreement_get(organisation=request.organisation, agreement_id=agreement_id)
    today = timezone.localdate()
    agreement_services.agreement_version_create(
        actor=request.user,
        agreement=agreement,
        effective_on=payload.effective_on or today,
        expires_on=payload.expires_on or add_months(today, 36),
        sections=payload.sections,
    )
    return 201, agreement_out(agreement_get(organisation=request.organisation, agreement_id=agreement_id))


@org_api.put(
    "/quality/agreements/{agreement_id}/versions/{number}",
    permission=MANAGE,
    response={200: QualityAgreementOut, **ERRORS},
)
def agreement_version_update(
    request: OrgRequest, agreement_id: int, number: int, payload: AgreementVersionIn
) -> dict[str, Any]:
    """Edit a draft version: the sections given, and its dates. A version either party signed is never edited."""
    sponsor_only(request)
    version = version_get(organisation=request.organisation, agreement_id=agreement_id, number=number)
    agreement_services.agreement_version_update(
        actor=request.user,
        version=version,
        sections=payload.sections,
        effective_on=payload.effective_on,
        expires_on=payload.expires_on,
    )
    return agreement_out(agreement_get(organisation=request.organisation, agreement_id=agreement_id))


@org_api.post(
    "/quality/agreements/{agreement_id}/versions/{number}/signature",
    permission=SIGN,
    response={200: QualityAgreementOut, **ERRORS},
)
def agreement_version_sign(
    request: OrgRequest, agreement_id: int, number: int, payload: QualitySignIn
) -> dict[str, Any]:
    """Sign a version for the caller's organisation (sponsor or provider); refused for an expired version."""
    version = version_get(organisation=request.organisation, agreement_id=agreement_id, number=number)
    agreement_services.agreement_version_sign(
        actor=request.user,
        version=version,
        password=payload.password,
        meaning=payload.meaning or agreement_services.SIGN_MEANING,
    )
    return agreement_out(agreement_get(organisation=request.organisation, agreement_id=agreement_id))


# --- change notifications, the sponsor's copies ----------------------------------------------------------


@org_api.get("/quality/changes", response=list[ChangeAssessmentOut])
def changes(request: OrgRequest, pending_only: bool = False) -> list[dict[str, Any]]:
    """The sponsor's own copies of providers' change notifications (never another sponsor's)."""
    sponsor_only(request)
    return [assessment_out(a) for a in assessment_list(organisation=request.organisation, pending_only=pending_only)]


def _assessment(request: OrgRequest, assessment_id: int) -> Any:
    sponsor_only(request)
    return assessment_get(organisation=request.organisation, assessment_id=assessment_id)


@org_api.get("/quality/changes/{assessment_id}", response={200: ChangeAssessmentOut, 404: ERRORS[404]})
def change_detail(request: OrgRequest, assessment_id: int) -> dict[str, Any]:
    return assessment_out(_assessment(request, assessment_id))


@org_api.post(
    "/quality/changes/{assessment_id}/assessment", permission=MANAGE, response={200: ChangeAssessmentOut, **ERRORS}
)
def change_assess(request: OrgRequest, assessment_id: int, payload: ChangeAssessIn) -> dict[str, Any]:
    """The sponsor's assessment: impact, US filing category, EU variation type, its own notes."""
    change_services.change_assess(
        actor=request.user,
        assessment=_assessment(request, assessment_id),
        impact=payload.impact,
        us_category=payload.us_category,
        eu_variation=payload.eu_variation,
        notes=payload.notes,
    )
    return assessment_out(_assessment(request, assessment_id))


@org_api.post(
    "/quality/changes/{assessment_id}/decision", permission=MANAGE, response={200: ChangeAssessmentOut, **ERRORS}
)
def change_decide(request: OrgRequest, assessment_id: int, payload: ChangeDecideIn) -> dict[str, Any]:
    """Approve or reject the change; the provider is told the decision and the comment."""
    change_services.change_decide(
        actor=request.user,
        assessment=_assessment(request, assessment_id),
        decision=payload.decision,
        comment=payload.comment,
    )
    return assessment_out(_assessment(request, assessment_id))


# --- scorecards and the policy ----------------------------------------------------------------------------


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or timezone.localdate()
    start = start or add_months(end, -12)
    if end < start:
        raise ServiceError("The period ends before it starts.", field="end")
    return start, end


@org_api.get("/quality/scorecards", response={200: list[ScorecardOut], 400: ERRORS[400]})
def scorecards(request: OrgRequest, start: dt.date | None = None, end: dt.date | None = None) -> list[dict[str, Any]]:
    """Every provider on the list, scored over the period (default the last 12 months) from what CXO holds; a
    measure with no data in the period is null, never zero."""
    sponsor_only(request)
    start, end = _period(start, end)
    providers = {s.organisation_id: s.organisation for s in listed_sites(organisation=request.organisation)}
    return [
        scorecard_out(scorecard(sponsor=request.organisation, provider=p, start=start, end=end))
        for p in providers.values()
    ]


@org_api.get(
    "/quality/scorecards/{provider_id}", response={200: list[ScorecardOut], 400: ERRORS[400], 404: ERRORS[404]}
)
def scorecard_detail(
    request: OrgRequest, provider_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    """The provider's scorecard as a whole, then one per site of it on the list."""
    sponsor_only(request)
    start, end = _period(start, end)
    sites = [s for s in listed_sites(organisation=request.organisation) if s.organisation_id == provider_id]
    if not sites:
        raise NotFound("No such provider on your approved supplier list.")
    provider = sites[0].organisation
    cards = [scorecard(sponsor=request.organisation, provider=provider, start=start, end=end)]
    cards += [scorecard(sponsor=request.organisation, provider=provider, start=start, end=end, site=s) for s in sites]
    return [scorecard_out(c) for c in cards]


@org_api.get("/quality/policy", response=QualityPolicyOut)
def policy(request: OrgRequest) -> dict[str, Any]:
    """The sponsor's quality policy (the defaults until it saves one)."""
    sponsor_only(request)
    return policy_out(policy_get(organisation=request.organisation))


@org_api.put("/quality/policy", permission=MANAGE, response={200: QualityPolicyOut, **ERRORS})
def policy_set(request: OrgRequest, payload: QualityPolicyIn) -> dict[str, Any]:
    """Change the settings given; the others keep their values."""
    sponsor_only(request)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return policy_out(policy_update(actor=request.user, organisation=request.organisation, **values))

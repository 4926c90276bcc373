"""Provider pages: the inbox of invitations, an RFP as the provider sees it, questions, the proposal form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_response
from cxo.core.errors import ServiceError
from cxo.core.forms import SignupForm
from cxo.core.models import User
from cxo.core.ratelimit import rate_limited
from cxo.core.redirects import safe_next
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can
from cxo.core.steps import post_step
from cxo.registry.claims import claim_latest
from cxo.sourcing import selectors
from cxo.sourcing.forms import AskForm, ClaimRequestForm, DeclineForm, ProposalForm, plain
from cxo.sourcing.models import RfpStatus
from cxo.sourcing.services import clarification as clarification_services
from cxo.sourcing.services import invitation as invitation_services
from cxo.sourcing.services import proposal as proposal_services
from cxo.sourcing.services.proposal import LineData, MilestoneData, ProposalData
from cxo.sourcing.views.common import document_data, flash_error, rfp_steps


@requires(read=Permission.READ_INVITATIONS)
def inbox(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    return render(
        request,
        "sourcing/inbox.html",
        {"organisation": org, "invitations": selectors.inbox_list(membership=request.membership)},
    )


@requires(read=Permission.READ_INVITATIONS)
def inbox_rfp(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    invitation = found(selectors.inbox_invitation_get, membership=request.membership, rfp_id=rfp_id)
    rfp = invitation.rfp
    proposal = selectors.inbox_proposal_get(invitation=invitation)
    versions = list(selectors.version_list(proposal=proposal)) if proposal else []
    open_for_bids = rfp.status == RfpStatus.ISSUED and not rfp.deadline_passed
    return render(
        request,
        "sourcing/inbox_rfp.html",
        {
            "organisation": org,
            "invitation": invitation,
            "rfp": rfp,
            "line_items": rfp.line_items.all(),
            "questions": rfp.questions.all(),
            "criteria": rfp.criteria.all(),
            "documents": selectors.inbox_rfp_documents(invitation=invitation),
            "clarifications": selectors.inbox_clarification_list(invitation=invitation),
            "proposal": proposal,
            "versions": versions,
            "open_for_bids": open_for_bids,
            "guest": not membership_can(membership=request.membership, permission=Permission.VIEW),
            "claim": claim_latest(requester=request.user, organisation=org),
            "claim_form": ClaimRequestForm(),
            "ask_form": AskForm(),
            "decline_form": DeclineForm(),
            **rfp_steps(rfp.status),
        },
    )


@require_POST
@requires(Permission.RESPOND)
def inbox_accept(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    invitation = found(selectors.inbox_invitation_get, membership=request.membership, rfp_id=rfp_id)
    return post_step(
        request,
        lambda: invitation_services.invitation_accept(actor=request.user, invitation=invitation),
        done="You accepted the invitation. Prepare your proposal before the deadline.",
        back=reverse("sourcing:inbox_rfp", kwargs={"org": org.slug, "rfp_id": rfp_id}),
    )


@require_POST
@requires(Permission.RESPOND)
def inbox_decline(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    invitation = found(selectors.inbox_invitation_get, membership=request.membership, rfp_id=rfp_id)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return post_step(
        request,
        lambda: invitation_services.invitation_decline(actor=request.user, invitation=invitation, reason=reason),
        done="You declined the invitation; the sponsor sees your reason.",
        back=reverse("sourcing:inbox_rfp", kwargs={"org": org.slug, "rfp_id": rfp_id}),
    )


@require_POST
@requires(Permission.RESPOND)
def inbox_ask(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    invitation = found(selectors.inbox_invitation_get, membership=request.membership, rfp_id=rfp_id)
    form = AskForm(request.POST)
    try:
        clarification_services.clarification_ask(
            actor=request.user,
            invitation=invitation,
            question=form.cleaned_data["question"] if form.is_valid() else "",
        )
        messages.success(request, "Question sent. The answer will appear here; other bidders never see who asked.")
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect("sourcing:inbox_rfp", org=org.slug, rfp_id=rfp_id)


@require_POST
@requires(Permission.REQUEST_CLAIM)
def inbox_claim_request(request: OrgRequest) -> HttpResponse:
    """A guest bidder asks a registry curator to make it the organisation's administrator."""
    form = ClaimRequestForm(request.POST)
    try:
        invitation_services.invitation_claim_request(
            actor=request.user,
            membership=request.membership,
            message=form.cleaned_data["message"] if form.is_valid() else "",
        )
        messages.success(request, "Your request is with a registry curator; you will see the decision here.")
    except ServiceError as exc:
        flash_error(request, exc)
    fallback = reverse("sourcing:inbox", kwargs={"org": request.organisation.slug})
    return redirect(safe_next(request, request.POST.get("next"), fallback=fallback))


def _initial_from(version: Any) -> dict[str, Any]:
    if version is None:
        return {}
    initial: dict[str, Any] = {
        "assumptions": version.assumptions,
        "exceptions": version.exceptions,
        "timeline_summary": version.timeline_summary,
    }
    for ln in version.lines.all():
        initial[f"price_{ln.line_item_id}"] = ln.unit_price
        initial[f"qty_{ln.line_item_id}"] = plain(ln.quantity)
        initial[f"assumption_{ln.line_item_id}"] = ln.assumption
    for a in version.answers.all():
        initial[f"answer_{a.question_id}"] = a.text
    for i, m in enumerate(version.milestones.all()):
        initial[f"ms_name_{i}"], initial[f"ms_date_{i}"] = m.name, m.due_date
    return initial


def _proposal_data(form: ProposalForm, request: OrgRequest) -> ProposalData:
    d = form.cleaned_data
    rfp = form.rfp
    lines = [
        LineData(
            line_item_id=item.pk,
            unit_price=d.get(f"price_{item.pk}"),
            quantity=d.get(f"qty_{item.pk}") or item.quantity,
            assumption=d.get(f"assumption_{item.pk}") or "",
        )
        for item in rfp.line_items.all()
    ]
    milestones = [
        MilestoneData(d[f"ms_name_{i}"], d[f"ms_date_{i}"])
        for i in range(form.milestone_count)
        if d.get(f"ms_name_{i}") and d.get(f"ms_date_{i}")
    ]
    upload = request.FILES.get("documents")
    return ProposalData(
        lines=lines,
        assumptions=d.get("assumptions") or "",
        exceptions=d.get("exceptions") or "",
        timeline_summary=d.get("timeline_summary") or "",
        milestones=milestones,
        answers={q.pk: d.get(f"answer_{q.pk}") or "" for q in rfp.questions.all()},
        note=d.get("note") or "",
        documents=[document_data(upload)] if upload else [],
    )


@requires(Permission.RESPOND)
@rate_limited("upload", methods=("POST",))
def inbox_proposal(request: OrgRequest, rfp_id: int) -> HttpResponse:
    """Fill the bid grid and submit; a later submission is a revision (a new version)."""
    org = request.organisation
    invitation = found(selectors.inbox_invitation_get, membership=request.membership, rfp_id=rfp_id)
    rfp = invitation.rfp
    refusal = proposal_services.proposal_submission_refusal(invitation=invitation)
    if refusal:  # closed, awarded, past its deadline or declined: say why instead of offering a form it refuses
        messages.info(request, refusal)
        return redirect("sourcing:inbox_rfp", org=org.slug, rfp_id=rfp.pk)
    proposal = selectors.inbox_proposal_get(invitation=invitation)
    current = proposal.current_version if proposal else None
    form = ProposalForm(request.POST or None, request.FILES or None, rfp=rfp, initial=_initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            version = proposal_services.proposal_submit(
                actor=request.user, invitation=invitation, data=_proposal_data(form, request)
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            word = "submitted" if version.number == 1 else f"revised (version {version.number})"
            messages.success(request, f"Proposal {word}: total {version.currency} {version.total:,.2f}.")
            return redirect("sourcing:inbox_rfp", org=org.slug, rfp_id=rfp.pk)
    return render(
        request,
        "sourcing/inbox_proposal.html",
        {
            "organisation": org,
            "invitation": invitation,
            "rfp": rfp,
            "form": form,
            "current": current,
            "zero": Decimal("0"),
        },
    )


@requires(read=Permission.READ_INVITATIONS)
def inbox_document(request: OrgRequest, document_id: int) -> HttpResponseBase:
    document = found(selectors.inbox_document_get, membership=request.membership, document_id=document_id)
    return document_response(document)


def invitation_claim(request: HttpRequest, token: str) -> HttpResponse:
    """An e-mailed RFP invitation to a provider with no users: sign in or register, then claim the organisation."""
    try:
        invitation = invitation_services.invitation_by_claim_token(token=token)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    signup = (
        None if request.user.is_authenticated else SignupForm(request.POST or None, initial={"email": invitation.email})
    )
    if request.method == "POST" and (signup is None or signup.is_valid()):
        try:
            if signup is None:
                invitation = invitation_services.invitation_claim(token=token, user=cast(User, request.user))
            else:
                invitation = invitation_services.invitation_claim_signup(token=token, signup=signup.signup_data())
                user = invitation.responded_by
                assert user is not None  # the claim records who accepted
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("core:dashboard" if request.user.is_authenticated else "login")
        messages.success(
            request,
            f"You accepted the invitation for {invitation.provider.name}"
            + (
                " as a guest bidder: you see this invitation only. To administer the organisation on CXO,"
                " ask a registry curator below."
                if invitation.guest_id
                else "."
            ),
        )
        return redirect("sourcing:inbox_rfp", org=invitation.provider.slug, rfp_id=invitation.rfp_id)
    return render(request, "sourcing/invitation_claim.html", {"invitation": invitation, "signup": signup})

"""Sponsor pages: RFPs from start to issue and close — the bid grid, invitations, documents, questions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.actions import action_allowed
from cxo.core.documents import document_response
from cxo.core.errors import NotFound, ServiceError
from cxo.core.links import record_links
from cxo.core.ratelimit import rate_limited
from cxo.core.redirects import safe_next, with_query
from cxo.core.roles import Permission
from cxo.core.standing import provider_standings, site_standings
from cxo.sourcing import selectors
from cxo.sourcing.forms import (
    AnswerForm,
    CancelForm,
    CriterionFormSet,
    DocumentForm,
    InviteForm,
    LineItemFormSet,
    QuestionFormSet,
    RfpForm,
    plain,
)
from cxo.sourcing.models import RfpStatus
from cxo.sourcing.providers import need_match, provider_get, provider_ids_with_users, provider_search
from cxo.sourcing.services import clarification as clarification_services
from cxo.sourcing.services import invitation as invitation_services
from cxo.sourcing.services import rfp as rfp_services
from cxo.sourcing.services.rfp import CriterionData, LineItemData
from cxo.sourcing.views.common import document_data, flash_error, rfp_steps


@require_POST
@requires(Permission.MANAGE_SOURCING)
def rfp_create(request: OrgRequest, need_id: int) -> HttpResponse:
    """Start a draft RFP from the need; the providers ticked in the match list become a shortlist and are invited."""
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    ids = {int(x) for x in request.POST.getlist("provider") if x.isdigit()}
    try:
        started = rfp_services.rfp_start(actor=request.user, need=need, provider_ids=ids)
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect("sourcing:need_detail", org=org.slug, need_id=need.pk)
    rfp = started.rfp
    text = f"Draft {rfp.reference} created from the need"
    if started.shortlist is not None:
        text += f"; shortlist “{started.shortlist}” saved and {len(started.invited)} of its providers invited"
    messages.success(request, text + ". Review the bid grid, questions and criteria, then issue it.")
    for s in started.skipped:
        messages.warning(request, s)
    return redirect("sourcing:rfp_edit", org=org.slug, rfp_id=rfp.pk)


def rfp_list(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    status = request.GET.get("status", "")
    rfps = selectors.rfp_list(organisation=org, status=status if status in RfpStatus.values else "")
    page = Paginator(rfps, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sourcing/rfp_list.html",
        {"organisation": org, "page": page, "status": status, "statuses": RfpStatus.choices},
    )


def rfp_detail(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    award = selectors.award_get(rfp=rfp)
    return render(
        request,
        "sourcing/rfp_detail.html",
        {
            "organisation": org,
            "rfp": rfp,
            "invitations": selectors.invitation_list(rfp=rfp),
            "clarifications": selectors.clarification_list(rfp=rfp),
            "proposals": selectors.proposal_list(rfp=rfp),
            "documents": rfp.documents.filter(proposal_version__isnull=True),
            "award": award,
            "award_links": record_links(award, organisation=org) if award else [],
            "cancel_form": CancelForm(),
            "document_form": DocumentForm(),
            "answer_form": AnswerForm(),
            **rfp_steps(rfp.status),
        },
    )


@requires(Permission.MANAGE_SOURCING)
def rfp_edit(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    if rfp.status != RfpStatus.DRAFT:
        messages.info(request, f"{rfp.reference} is {rfp.get_status_display().lower()}: it can no longer be edited.")
        return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)
    data = request.POST or None
    form = RfpForm(
        data,
        prefix="rfp",
        initial={
            "title": rfp.title,
            "scope": rfp.scope,
            "deliverables": rfp.deliverables,
            "timeline": rfp.timeline,
            "currency": rfp.currency,
            "response_deadline": timezone.localtime(rfp.response_deadline, dt.UTC).replace(tzinfo=None)
            if rfp.response_deadline
            else None,
        },
    )
    lines = LineItemFormSet(
        data,
        prefix="line",
        initial=[
            {
                "description": li.description,
                "unit": li.unit,
                "quantity": plain(li.quantity),
                "assumption_prompt": li.assumption_prompt,
            }
            for li in rfp.line_items.all()
        ],
    )
    questions = QuestionFormSet(data, prefix="q", initial=[{"text": q.text} for q in rfp.questions.all()])
    criteria = CriterionFormSet(
        data,
        prefix="crit",
        initial=[{"name": c.name, "weight": c.weight, "description": c.description} for c in rfp.criteria.all()],
    )
    if request.method == "POST" and all(f.is_valid() for f in (form, lines, questions, criteria)):
        d = form.cleaned_data
        deadline = d.get("response_deadline")
        if deadline is not None:
            deadline = deadline.replace(tzinfo=dt.UTC) if timezone.is_naive(deadline) else deadline
        try:
            rfp_services.rfp_update(
                actor=request.user,
                rfp=rfp,
                title=d["title"],
                scope=d.get("scope") or "",
                deliverables=d.get("deliverables") or "",
                timeline=d.get("timeline") or "",
                currency=d.get("currency") or "USD",
                response_deadline=deadline,
                line_items=[
                    LineItemData(
                        f.cleaned_data["description"],
                        f.cleaned_data.get("unit") or "",
                        f.cleaned_data.get("quantity") or Decimal("0"),
                        f.cleaned_data.get("assumption_prompt") or "",
                    )
                    for f in lines
                    if f.cleaned_data.get("description")
                ],
                questions=[f.cleaned_data["text"] for f in questions if f.cleaned_data.get("text")],
                criteria=[
                    CriterionData(
                        f.cleaned_data["name"],
                        f.cleaned_data.get("weight") or 0,
                        f.cleaned_data.get("description") or "",
                    )
                    for f in criteria
                    if f.cleaned_data.get("name")
                ],
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"{rfp.reference} saved.")
            return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)
    return render(
        request,
        "sourcing/rfp_edit.html",
        {"organisation": org, "rfp": rfp, "form": form, "lines": lines, "questions": questions, "criteria": criteria},
    )


@requires(Permission.MANAGE_SOURCING)
def rfp_invite(request: OrgRequest, rfp_id: int) -> HttpResponse:
    """Invite providers: from the need's matches, or by name from the directory."""
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    if not action_allowed(membership=request.membership, action="rfp.invite", obj=rfp):
        messages.info(request, f"{rfp.reference} takes no more invitations.")
        return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)
    if request.method == "POST" and request.POST.get("shortlist", "").isdigit():
        from cxo.matching.selectors import shortlist_get

        try:
            shortlist = shortlist_get(organisation=org, shortlist_id=int(request.POST["shortlist"]))
            made = invitation_services.invitation_create_from_shortlist(
                actor=request.user, rfp=rfp, shortlist=shortlist
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            n = len(made.invited)
            messages.success(request, f"{n} provider{'s' if n != 1 else ''} from “{shortlist}” invited.")
            for s in made.skipped:
                messages.warning(request, s)
        return redirect("sourcing:rfp_invite", org=org.slug, rfp_id=rfp.pk)
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                provider = provider_get(ref=form.cleaned_data["provider"])
                invitation_services.invitation_create(
                    actor=request.user,
                    rfp=rfp,
                    provider=provider,
                    email=form.cleaned_data.get("email") or "",
                    source=request.POST.get("source", "directory"),
                )
            except NotFound as exc:
                messages.error(request, exc.message)
            except ServiceError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, f"{provider.name} invited.")
        back = with_query(request.path, urlencode({"q": request.POST.get("q", "")}))
        return redirect(safe_next(request, request.POST.get("next"), fallback=back))
    from cxo.matching.selectors import shortlist_list

    q = request.GET.get("q", "")
    invited = set(selectors.invitation_list(rfp=rfp).values_list("provider_id", flat=True))
    results = provider_search(q=q) if q else []
    try:
        matches = need_match(need=rfp.need, limit=15)
    except ServiceError:  # the need cannot be matched now: the directory search still works
        matches = []
    with_users = provider_ids_with_users(ids=[o.pk for o in results] + [m.organisation.pk for m in matches])
    # The sponsor's own word on each (its approved supplier list), for the services the need asks for.
    services = list((rfp.need.criteria or {}).get("services", []))
    by_site = site_standings(sponsor=org, site_ids=[m.site_id for m in matches if m.site_id], services=services)
    by_provider = provider_standings(sponsor=org, provider_ids=[o.pk for o in results], services=services)
    return render(
        request,
        "sourcing/rfp_invite.html",
        {
            "organisation": org,
            "rfp": rfp,
            "q": q,
            "results": [(o, by_provider.get(o.pk)) for o in results],
            "matches": [(m, by_site.get(m.site_id) if m.site_id else None) for m in matches],
            "invited": invited,
            "with_users": with_users,
            "invitations": selectors.invitation_list(rfp=rfp),
            "shortlists": shortlist_list(organisation=org),
        },
    )


@require_POST
@requires(Permission.MANAGE_SOURCING)
@rate_limited("upload")
def rfp_document_add(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to attach.")
    else:
        try:
            doc = rfp_services.rfp_document_add(
                actor=request.user, rfp=rfp, data=document_data(form.cleaned_data["file"])
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"{doc.name} attached (SHA-256 {doc.sha256[:12]}…).")
    return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)


def _transition_view(request: OrgRequest, rfp_id: int, what: str) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    try:
        if what == "issue":
            rfp = rfp_services.rfp_issue(actor=request.user, rfp=rfp)
            messages.success(request, f"{rfp.reference} issued: the invited providers have been told.")
        elif what == "close":
            rfp = rfp_services.rfp_close(actor=request.user, rfp=rfp)
            messages.success(request, f"{rfp.reference} closed: no more proposals or revisions are accepted.")
        else:
            form = CancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            rfp = rfp_services.rfp_cancel(actor=request.user, rfp=rfp, reason=reason)
            messages.success(request, f"{rfp.reference} cancelled.")
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=rfp.pk)


@require_POST
@requires(Permission.MANAGE_SOURCING)
def rfp_issue(request: OrgRequest, rfp_id: int) -> HttpResponse:
    return _transition_view(request, rfp_id, "issue")


@require_POST
@requires(Permission.MANAGE_SOURCING)
def rfp_close(request: OrgRequest, rfp_id: int) -> HttpResponse:
    return _transition_view(request, rfp_id, "close")


@require_POST
@requires(Permission.MANAGE_SOURCING)
def rfp_cancel(request: OrgRequest, rfp_id: int) -> HttpResponse:
    return _transition_view(request, rfp_id, "cancel")


@require_POST
@requires(Permission.MANAGE_SOURCING)
def clarification_answer(request: OrgRequest, clarification_id: int) -> HttpResponse:
    org = request.organisation
    clarification = found(selectors.clarification_get, organisation=org, clarification_id=clarification_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the answer.")
    else:
        try:
            clarification_services.clarification_answer(
                actor=request.user,
                clarification=clarification,
                answer=form.cleaned_data["answer"],
                publish=form.cleaned_data["publish"],
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request,
                "Answer published to all invitees."
                if form.cleaned_data["publish"]
                else "Answer sent to the provider who asked.",
            )
    return redirect("sourcing:rfp_detail", org=org.slug, rfp_id=clarification.rfp_id)


def document_download(request: OrgRequest, document_id: int) -> HttpResponseBase:
    org = request.organisation
    document = found(selectors.document_get_for_sponsor, organisation=org, document_id=document_id)
    return document_response(document)

"""Sponsor pages: programmes, needs, RFPs, invitations, questions, proposals, scores and the award."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from cxo.core.access import OrgRequest, found, requires
from cxo.core.documents import document_response
from cxo.core.errors import ServiceError
from cxo.core.links import record_links
from cxo.core.models import Organisation
from cxo.core.ratelimit import rate_limited
from cxo.core.redirects import safe_next, with_query
from cxo.core.roles import OrganisationType, Permission
from cxo.core.selectors import member_list, membership_can
from cxo.core.standing import provider_standings, site_standings
from cxo.sourcing import selectors
from cxo.sourcing.forms import (
    AnswerForm,
    AwardForm,
    CancelForm,
    CriterionFormSet,
    DocumentForm,
    InviteForm,
    LineItemFormSet,
    NeedForm,
    ProgrammeForm,
    QuestionFormSet,
    RfpForm,
    ScoreForm,
    term_code,
)
from cxo.sourcing.models import RfpStatus, Stage
from cxo.sourcing.providers import need_match, need_shortlist, provider_search
from cxo.sourcing.services import award as award_services
from cxo.sourcing.services import clarification as clarification_services
from cxo.sourcing.services import evaluation as evaluation_services
from cxo.sourcing.services import invitation as invitation_services
from cxo.sourcing.services import programme as programme_services
from cxo.sourcing.services import rfp as rfp_services
from cxo.sourcing.services.evaluation import ScoreData
from cxo.sourcing.services.rfp import CriterionData, LineItemData
from cxo.sourcing.states import rfp_can
from cxo.sourcing.views.common import base_url, document_data, flash_error, rfp_steps


def _can(request: OrgRequest, permission: Permission) -> bool:
    return membership_can(membership=request.membership, permission=permission)


def sourcing_home(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    if org.type != OrganisationType.SPONSOR:
        return redirect("inbox", org=org.slug)
    return render(
        request,
        "sourcing/sourcing_home.html",
        {
            "organisation": org,
            "programmes": selectors.programme_list(organisation=org),
            "rfps": selectors.rfp_list(organisation=org)[:10],
            "stages": Stage.choices,
        },
    )


def _members(org: Organisation) -> list[tuple[str, str]]:
    return [(str(m.user.pk), m.user.get_full_name() or m.user.username) for m in member_list(organisation=org)]


def _programme_kwargs(form: ProgrammeForm, org: Organisation) -> dict[str, Any]:
    d = form.cleaned_data
    team_ids = {int(x) for x in d.get("team") or []}
    return {
        "name": d["name"],
        "code": d.get("code") or "",
        "stage": d["stage"],
        "indication": d.get("indication") or "",
        "modality": term_code(d.get("modality")),
        "dosage_form": term_code(d.get("dosage_form")),
        "route": term_code(d.get("route")),
        "description": d.get("description") or "",
        "source": d.get("source") or "",
        "team": [m.user for m in member_list(organisation=org) if m.user.pk in team_ids],
    }


@requires(Permission.MANAGE_SOURCING)
def programme_create(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    form = ProgrammeForm(request.POST or None, members=_members(org), initial={"team": [str(request.user.pk)]})
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_services.programme_create(
                actor=request.user, organisation=org, **_programme_kwargs(form, org)
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"Programme {programme} created. Add its first outsourcing need.")
            return redirect("programme_detail", org=org.slug, programme_id=programme.pk)
    return render(request, "sourcing/programme_form.html", {"organisation": org, "form": form, "programme": None})


def programme_detail(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    needs = selectors.need_list(organisation=org, programme=programme)
    rfps = selectors.rfp_list(organisation=org).filter(need__programme=programme)
    return render(
        request,
        "sourcing/programme_detail.html",
        {"organisation": org, "programme": programme, "needs": needs, "rfps": rfps},
    )


@requires(Permission.MANAGE_SOURCING)
def programme_edit(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    initial = {
        "name": programme.name,
        "code": programme.code,
        "stage": programme.stage,
        "indication": programme.indication,
        "modality": programme.modality,
        "dosage_form": programme.dosage_form,
        "route": programme.route,
        "description": programme.description,
        "source": programme.source,
        "team": [str(u.pk) for u in programme.team.all()],
    }
    form = ProgrammeForm(request.POST or None, members=_members(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.programme_update(actor=request.user, programme=programme, **_programme_kwargs(form, org))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Programme saved.")
            return redirect("programme_detail", org=org.slug, programme_id=programme.pk)
    return render(request, "sourcing/programme_form.html", {"organisation": org, "form": form, "programme": programme})


def _need_kwargs(form: NeedForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "title": d["title"],
        "criteria": form.criteria(),
        "description": d.get("description") or "",
        "quantity": d.get("quantity"),
        "unit": d.get("unit") or "",
        "start_by": d.get("start_by"),
        "finish_by": d.get("finish_by"),
    }


@requires(Permission.MANAGE_SOURCING)
def need_create(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    initial = NeedForm.initial_for(programme)
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = programme_services.need_create(actor=request.user, programme=programme, **_need_kwargs(form))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Need saved. Here are the providers that match it.")
            return redirect("need_detail", org=org.slug, need_id=need.pk)
    return render(
        request, "sourcing/need_form.html", {"organisation": org, "form": form, "programme": programme, "need": None}
    )


@requires(Permission.MANAGE_SOURCING)
def need_edit(request: OrgRequest, need_id: int) -> HttpResponse:
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    c = need.criteria or {}
    initial = {
        "title": need.title,
        "description": need.description,
        "quantity": need.quantity,
        "unit": need.unit,
        "start_by": need.start_by,
        "finish_by": need.finish_by,
        **NeedForm.initial_from(c),
    }
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.need_update(actor=request.user, need=need, **_need_kwargs(form))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Need saved.")
            return redirect("need_detail", org=org.slug, need_id=need.pk)
    return render(
        request,
        "sourcing/need_form.html",
        {"organisation": org, "form": form, "programme": need.programme, "need": need},
    )


def need_detail(request: OrgRequest, need_id: int) -> HttpResponse:
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    from cxo.registry.models import Term

    criteria = need.criteria or {}
    codes = [v for values in criteria.values() if isinstance(values, list) for v in values]
    terms = {t.code: t.name for t in Term.objects.filter(code__in=codes)}
    criteria_rows = [
        (
            key.replace("_", " ").capitalize(),
            ", ".join(terms.get(str(v), str(v)) for v in values) if isinstance(values, list) else values,
        )
        for key, values in criteria.items()
    ]
    try:
        matches = need_match(need=need)
        match_error = ""
    except Exception as exc:  # the registry may be empty or the index unavailable: say so, keep the page
        matches, match_error = [], f"Matching is unavailable right now ({exc.__class__.__name__})."
    rfps = selectors.rfp_list(organisation=org, need=need)
    open_rfps = [r for r in rfps if r.status in (RfpStatus.DRAFT, RfpStatus.ISSUED)]
    return render(
        request,
        "sourcing/need_detail.html",
        {
            "organisation": org,
            "need": need,
            "criteria_rows": criteria_rows,
            "matches": matches,
            "match_error": match_error,
            "rfps": rfps,
            "open_rfps": open_rfps,
        },
    )


@require_POST
@requires(Permission.MANAGE_SOURCING)
def rfp_create(request: OrgRequest, need_id: int) -> HttpResponse:
    """Start a draft RFP from the need; the providers ticked in the match list become a shortlist and are invited."""
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    ids = {int(x) for x in request.POST.getlist("provider") if x.isdigit()}
    try:
        chosen = [m for m in need_match(need=need, limit=50) if m.organisation.pk in ids] if ids else []
        shortlist = need_shortlist(actor=request.user, need=need, matches=chosen) if chosen else None
        rfp = rfp_services.rfp_create(
            actor=request.user, need=need, response_deadline=timezone.now() + dt.timedelta(days=21)
        )
        made, skipped = (
            invitation_services.invitation_create_from_shortlist(
                actor=request.user, rfp=rfp, shortlist=shortlist, accept_url_base=base_url(request)
            )
            if shortlist is not None
            else ([], [])
        )
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect("need_detail", org=org.slug, need_id=need.pk)
    text = f"Draft {rfp.reference} created from the need"
    if shortlist is not None:
        text += f"; shortlist “{shortlist}” saved and {len(made)} of its providers invited"
    messages.success(request, text + ". Review the bid grid, questions and criteria, then issue it.")
    for s in skipped:
        messages.warning(request, s)
    return redirect("rfp_edit", org=org.slug, rfp_id=rfp.pk)


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
            "can_issue": rfp_can(rfp, RfpStatus.ISSUED),
            "can_close": rfp_can(rfp, RfpStatus.CLOSED),
            "can_cancel": rfp_can(rfp, RfpStatus.CANCELLED),
            "can_award": rfp_can(rfp, RfpStatus.AWARDED),
            "cancel_form": CancelForm(),
            "document_form": DocumentForm(),
            "answer_form": AnswerForm(),
            "manage": _can(request, Permission.MANAGE_SOURCING),
            **rfp_steps(rfp.status),
        },
    )


@requires(Permission.MANAGE_SOURCING)
def rfp_edit(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    if rfp.status != RfpStatus.DRAFT:
        messages.info(request, f"{rfp.reference} is {rfp.get_status_display().lower()}: it can no longer be edited.")
        return redirect("rfp_detail", org=org.slug, rfp_id=rfp.pk)
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
                "quantity": li.quantity,
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
            return redirect("rfp_detail", org=org.slug, rfp_id=rfp.pk)
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
    if request.method == "POST" and request.POST.get("shortlist", "").isdigit():
        from cxo.matching.selectors import shortlist_get

        try:
            shortlist = shortlist_get(organisation=org, shortlist_id=int(request.POST["shortlist"]))
            made, skipped = invitation_services.invitation_create_from_shortlist(
                actor=request.user, rfp=rfp, shortlist=shortlist, accept_url_base=base_url(request)
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request, f"{len(made)} provider{'s' if len(made) != 1 else ''} from “{shortlist}” invited."
            )
            for s in skipped:
                messages.warning(request, s)
        return redirect("rfp_invite", org=org.slug, rfp_id=rfp.pk)
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            provider = Organisation.objects.filter(
                pk=form.cleaned_data["provider"], type=OrganisationType.PROVIDER
            ).first()
            if provider is None:
                messages.error(request, "No such provider in the directory.")
            else:
                try:
                    invitation_services.invitation_create(
                        actor=request.user,
                        rfp=rfp,
                        provider=provider,
                        email=form.cleaned_data.get("email") or "",
                        source=request.POST.get("source", "directory"),
                        accept_url_base=base_url(request),
                    )
                except ServiceError as exc:
                    flash_error(request, exc)
                else:
                    messages.success(request, f"{provider.name} invited.")
        back = with_query(request.path, urlencode({"q": request.POST.get("q", "")}))
        return redirect(safe_next(request, request.POST.get("next"), fallback=back))
    from cxo.matching.selectors import shortlist_list

    q = request.GET.get("q", "")
    invited = set(selectors.invitation_list(rfp=rfp).values_list("provider_id", flat=True))
    results = [o for o in provider_search(q=q)] if q else []
    try:
        matches = need_match(need=rfp.need, limit=15)
    except Exception:  # no index yet: the directory search still works
        matches = []
    with_users = set(
        Organisation.objects.filter(
            pk__in=[o.pk for o in results] + [m.organisation.pk for m in matches], memberships__isnull=False
        ).values_list("pk", flat=True)
    )
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
    return redirect("rfp_detail", org=org.slug, rfp_id=rfp.pk)


def _transition_view(request: OrgRequest, rfp_id: int, what: str) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    try:
        if what == "issue":
            rfp = rfp_services.rfp_issue(actor=request.user, rfp=rfp, accept_url_base=base_url(request))
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
    return redirect("rfp_detail", org=org.slug, rfp_id=rfp.pk)


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
    return redirect("rfp_detail", org=org.slug, rfp_id=clarification.rfp_id)


def rfp_compare(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    return render(
        request,
        "sourcing/rfp_compare.html",
        {
            "organisation": org,
            "rfp": rfp,
            "cmp": selectors.rfp_comparison(rfp=rfp),
            "evaluation": selectors.rfp_evaluation(rfp=rfp),
            "can_evaluate": _can(request, Permission.EVALUATE),
        },
    )


def _comparison_download(request: OrgRequest, rfp_id: int, *, extension: str, content_type: str) -> HttpResponse:
    """The side-by-side comparison with the evaluation, as an XLSX or PDF attachment."""
    from cxo.sourcing.exports import comparison_pdf, comparison_xlsx

    rfp = found(selectors.rfp_get, organisation=request.organisation, rfp_id=rfp_id)
    export = comparison_xlsx if extension == "xlsx" else comparison_pdf
    data = export(cmp=selectors.rfp_comparison(rfp=rfp), evaluation=selectors.rfp_evaluation(rfp=rfp))
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
    criteria = list(proposal.rfp.criteria.all())
    sheet = selectors.score_sheet(proposal=proposal, evaluator=request.user)
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
            return redirect("rfp_compare", org=org.slug, rfp_id=proposal.rfp_id)
    return render(
        request,
        "sourcing/proposal_score.html",
        {"organisation": org, "proposal": proposal, "rfp": proposal.rfp, "form": form},
    )


@requires(Permission.SIGN_AWARD)
def rfp_award(request: OrgRequest, rfp_id: int) -> HttpResponse:
    org = request.organisation
    rfp = found(selectors.rfp_get, organisation=org, rfp_id=rfp_id)
    proposals = list(selectors.proposal_list(rfp=rfp))
    evaluation = {r.proposal.pk: r for r in selectors.rfp_evaluation(rfp=rfp)}
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
                request, f"{rfp.reference} awarded to {award.proposal.provider.name}. A draft work order was created."
            )
            return redirect("rfp_detail", org=org.slug, rfp_id=rfp.pk)
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


def document_download(request: OrgRequest, document_id: int) -> HttpResponseBase:
    org = request.organisation
    document = found(selectors.document_get_for_sponsor, organisation=org, document_id=document_id)
    return document_response(document)

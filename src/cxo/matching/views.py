"""Pages: "Find providers" (the need as a form, ranked results with explanations) and shortlists."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from cxo.core.access import OrgRequest, found, requires
from cxo.core.errors import ServiceError
from cxo.core.redirects import with_query
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can
from cxo.core.standing import site_standings
from cxo.matching import live, selectors, services
from cxo.matching.models import Shortlist
from cxo.matching.need import NEED_FIELDS, Need, NeedField, evidence_choices, index_resolver, need_values
from cxo.matching.selectors import MatchResult
from cxo.registry.models import term_display
from cxo.registry.terms import COUNTRY

# The need's fields typed as chips on the page: its terms, countries and regions (not the substance, a text box).
CHIP_FIELDS: tuple[NeedField, ...] = tuple(f for f in NEED_FIELDS if f.is_term and f.many)
FIELDS_BY_NAME = {f.name: f for f in CHIP_FIELDS}


def _sponsor_only(request: OrgRequest) -> HttpResponse | None:
    organisation = request.organisation
    if organisation.is_sponsor:
        return None
    return render(
        request,
        "matching/sponsors_only.html",
        {"organisation": organisation, "profile_url": selectors.registry_organisation_url(organisation.slug)},
        status=403,
    )


def _label(kind: str, value: str) -> str:
    return index_resolver(live.match_index()).label(kind, value)


def _need_from_query(query: QueryDict) -> tuple[Need, dict[str, list[tuple[str, str]]]]:
    """The need a query string describes, and the chips (value, label) to show for each field."""
    values = need_values(query)
    chips = {f.name: [(v, _label(f.kind, v)) for v in values[f.name]] for f in CHIP_FIELDS}
    values["per_organisation"] = query.get("per_organisation") in {"1", "on", "true"}
    limit = query.get("limit", "").strip()
    if limit.isdigit():
        values["limit"] = max(1, min(int(limit), 500))
    return Need(**values), chips


def match_find(request: OrgRequest) -> HttpResponse:
    """Find providers: the need as a form; results (HTMX-swapped) with each row's explanation one click away."""
    refused = _sponsor_only(request)
    if refused is not None:
        return refused
    organisation = request.organisation
    error, error_field = "", ""
    result: MatchResult | None = None
    try:
        need, chips = _need_from_query(request.GET)
    except ValidationError as exc:
        need, chips = Need(), {f.name: [] for f in CHIP_FIELDS}
        error = "; ".join(str(e["msg"]) for e in exc.errors())
    searched = "go" in request.GET or not need.is_empty()
    if searched and not error:
        try:
            result = selectors.need_match(need=need)
        except ServiceError as exc:
            error, error_field = exc.message, exc.field or ""
    can_save = membership_can(membership=request.membership, permission=Permission.MANAGE_SOURCING)
    rows: list[tuple[dict[str, Any], Any]] = []
    if result is not None:
        # Beside each site, the sponsor's own word on it (its approved supplier list) for the services asked for.
        services = [t.code for t in result.resolved.terms.get("services", [])]
        site_ids = [r["site"]["id"] for r in result.results if r["site"]["id"]]
        standings = site_standings(sponsor=organisation, site_ids=site_ids, services=services)
        rows = [(r, standings.get(r["site"]["id"])) for r in result.results]
    context = {
        "organisation": organisation,
        "fields": [(f, chips.get(f.name, []), error if f.name == error_field else "") for f in CHIP_FIELDS],
        "need": need,
        "need_json": json.dumps(need.dict()),
        "evidence_choices": evidence_choices(),
        "result": result,
        "rows": rows,
        "error": error,
        # The refusal is shown on its field; the results say only that nothing was searched.
        "error_on_field": next((f.label for f in CHIP_FIELDS if f.name == error_field), ""),
        "searched": searched,
        "can_save": can_save,
        "shortlists": selectors.shortlist_list(organisation=organisation) if can_save else [],
        "query": request.GET.urlencode(),
    }
    template = "matching/_results.html" if request.htmx and request.htmx.target == "results" else "matching/find.html"
    return render(request, template, context)


def _suggestions(kind: str, text: str) -> list[tuple[str, str, str]]:
    """(value, label, hint) suggestions for an autocomplete field."""
    # Terms by the name people read; codes only where people use them (countries' ISO codes).
    refs = index_resolver(live.match_index()).search(kind, text)
    return [(r.code, term_display(r.name), r.code if kind == COUNTRY else "") for r in refs]


def match_terms(request: OrgRequest) -> HttpResponse:
    """Autocomplete for one field of the need: suggestions for what is typed, or the chip for a pick."""
    field = FIELDS_BY_NAME.get(request.GET.get("field", ""))
    if field is None:
        return HttpResponse("", status=400)
    pick = request.GET.get("pick", "")
    if pick:
        return render(
            request, "matching/_chip.html", {"field": field, "value": pick, "label": _label(field.kind, pick)}
        )
    text = request.GET.get(f"{field.name}_text", "") or request.GET.get("q", "")
    return render(
        request,
        "matching/_suggestions.html",
        {"field": field, "suggestions": _suggestions(field.kind, text), "text": text},
    )


# --- shortlists -----------------------------------------------------------------------------------


@requires(write=Permission.MANAGE_SOURCING)
def shortlist_list(request: OrgRequest) -> HttpResponse:
    """The sponsor's shortlists; a form to start a new one."""
    refused = _sponsor_only(request)
    if refused is not None:
        return refused
    organisation = request.organisation
    if request.method == "POST":
        try:
            shortlist = services.shortlist_create(
                actor=request.user, organisation=organisation, name=request.POST.get("name", "")
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Shortlist “{shortlist.name}” created.")
            return redirect("matching:shortlist_detail", org=organisation.slug, shortlist_id=shortlist.pk)
    return render(
        request,
        "matching/shortlists.html",
        {
            "organisation": organisation,
            "shortlists": selectors.shortlist_list(organisation=organisation),
            "can_change": membership_can(membership=request.membership, permission=Permission.MANAGE_SOURCING),
        },
    )


def shortlist_detail(request: OrgRequest, shortlist_id: int) -> HttpResponse:
    organisation = request.organisation
    shortlist = _shortlist_or_404(request, shortlist_id)
    return render(
        request,
        "matching/shortlist.html",
        {
            "organisation": organisation,
            "shortlist": shortlist,
            "rows": selectors.shortlist_rows(shortlist=shortlist),
            "can_change": membership_can(membership=request.membership, permission=Permission.MANAGE_SOURCING),
        },
    )


def _shortlist_or_404(request: OrgRequest, shortlist_id: int) -> Shortlist:
    shortlist: Shortlist = found(selectors.shortlist_get, organisation=request.organisation, shortlist_id=shortlist_id)
    return shortlist


@require_POST
@requires(write=Permission.MANAGE_SOURCING)
def shortlist_rename(request: OrgRequest, shortlist_id: int) -> HttpResponse:
    shortlist = _shortlist_or_404(request, shortlist_id)
    try:
        services.shortlist_rename(actor=request.user, shortlist=shortlist, name=request.POST.get("name", ""))
        messages.success(request, f"Renamed to “{shortlist.name}”.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("matching:shortlist_detail", org=shortlist.organisation.slug, shortlist_id=shortlist.pk)


@require_POST
@requires(write=Permission.MANAGE_SOURCING)
def shortlist_delete(request: OrgRequest, shortlist_id: int) -> HttpResponse:
    shortlist = _shortlist_or_404(request, shortlist_id)
    slug = shortlist.organisation.slug
    try:
        services.shortlist_delete(actor=request.user, shortlist=shortlist)
        messages.success(request, f"Shortlist “{shortlist.name}” deleted.")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("matching:shortlist_detail", org=slug, shortlist_id=shortlist.pk)
    return redirect("matching:shortlist_list", org=slug)


@require_POST
@requires(write=Permission.MANAGE_SOURCING)
def shortlist_entry_remove(request: OrgRequest, shortlist_id: int, entry_id: int) -> HttpResponse:
    shortlist = _shortlist_or_404(request, shortlist_id)
    entry = found(selectors.shortlist_entry_get, shortlist=shortlist, entry_id=entry_id)
    try:
        services.shortlist_remove(actor=request.user, entry=entry)
        messages.success(request, f"{entry} taken off the shortlist.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("matching:shortlist_detail", org=shortlist.organisation.slug, shortlist_id=shortlist.pk)


def _parse_pick(value: str) -> tuple[str, int] | None:
    kind, _, pk = value.partition(":")
    return (kind, int(pk)) if kind in {"site", "org"} and pk.isdigit() else None


@require_POST
@requires(write=Permission.MANAGE_SOURCING)
def shortlist_add(request: OrgRequest) -> HttpResponse:
    """Save the chosen match results to a shortlist (an existing one, or a new one by name)."""
    organisation = request.organisation
    actor = request.user
    back = request.POST.get("back", "")
    back_url = with_query(reverse("matching:find", kwargs={"org": organisation.slug}), back)
    picks = [p for p in (_parse_pick(v) for v in request.POST.getlist("pick")) if p]
    if not picks:
        messages.error(request, "Tick at least one result to save.")
        return redirect(back_url)
    try:
        need = Need(**json.loads(request.POST.get("need") or "{}"))
    except (ValueError, ValidationError):
        need = Need()
    try:
        new_name = request.POST.get("new_name", "").strip()
        if new_name:
            shortlist = services.shortlist_create(actor=actor, organisation=organisation, name=new_name)
        else:
            shortlist = selectors.shortlist_get(
                organisation=organisation, shortlist_id=int(request.POST.get("shortlist") or 0)
            )
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Choose a shortlist or name a new one."))
        return redirect(back_url)
    try:
        candidates = selectors.shortlist_candidates(
            site_ids=[pk for kind, pk in picks if kind == "site"],
            organisation_ids=[pk for kind, pk in picks if kind == "org"],
        )
        entries, problems = services.shortlist_add_candidates(
            actor=actor, shortlist=shortlist, candidates=candidates, need=need
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back_url)
    added = len(entries)
    if added:
        messages.success(request, f"{added} added to “{shortlist.name}”.")
    for problem in problems:
        messages.warning(request, problem)
    return redirect("matching:shortlist_detail", org=organisation.slug, shortlist_id=shortlist.pk)

"""Pages: "Find providers" (the need as a form, ranked results with explanations) and shortlists."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
from cxo.matching.explain import KIND_LABEL, country_name
from cxo.matching.models import Shortlist
from cxo.matching.need import REQUIRABLE_EVIDENCE, Need, country_code, term_directory
from cxo.matching.selectors import MatchResult
from cxo.registry import geo
from cxo.registry.models import term_display


@dataclass(frozen=True)
class ChipField:
    name: str  # the Need field, and the query parameter
    kind: str  # a taxonomy vocabulary, "country" or "region"
    label: str
    placeholder: str


CHIP_FIELDS: tuple[ChipField, ...] = (
    ChipField("services", "service", "Services", "e.g. API manufacture, aseptic fill-finish"),
    ChipField("dosage_forms", "dosage_form", "Dosage forms", "e.g. tablet, injection"),
    ChipField("routes", "route", "Routes", "e.g. oral, intravenous"),
    ChipField("modalities", "modality", "Modality", "e.g. small molecule, antibody"),
    ChipField("scales", "scale", "Phase / scale", "e.g. commercial, phase I"),
    ChipField("countries", "country", "Countries", "e.g. India, DEU"),
    ChipField("regions", "region", "Regions", "e.g. Europe, South Asia"),
    ChipField("exclude_countries", "country", "Exclude countries", "e.g. China"),
)
FIELDS_BY_NAME = {f.name: f for f in CHIP_FIELDS}
EVIDENCE_CHOICES = [
    ("fda_registration_current", "Current FDA registration (unexpired)"),
    *[(k, KIND_LABEL[k]) for k in REQUIRABLE_EVIDENCE if k != "fda_registration_current"],
]


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
    if kind == "country":
        code = country_code(value)
        return f"{country_name(code)} ({code})" if code else value
    if kind == "region":
        return geo.region_name(value)
    ref = term_directory(live.match_index()).resolve(kind, value)
    return term_display(ref.name) if ref else value


def _need_from_query(query: QueryDict) -> tuple[Need, dict[str, list[tuple[str, str]]]]:
    """The need a query string describes, and the chips (value, label) to show for each field."""
    values: dict[str, Any] = {}
    chips: dict[str, list[tuple[str, str]]] = {}
    for field in CHIP_FIELDS:
        items = [v for v in query.getlist(field.name) if v.strip()]
        typed = query.get(f"{field.name}_text", "").strip()
        if typed and typed not in items:
            items.append(typed)
        values[field.name] = items
        chips[field.name] = [(v, _label(field.kind, v)) for v in items]
    values["substance"] = query.get("substance", "").strip()
    values["require_evidence"] = [v for v in query.getlist("require_evidence") if v]
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
    error = ""
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
            error = exc.message
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
        "fields": [(f, chips.get(f.name, [])) for f in CHIP_FIELDS],
        "need": need,
        "need_json": json.dumps(need.dict()),
        "evidence_choices": EVIDENCE_CHOICES,
        "result": result,
        "rows": rows,
        "error": error,
        "searched": searched,
        "can_save": can_save,
        "shortlists": selectors.shortlist_list(organisation=organisation) if can_save else [],
        "query": request.GET.urlencode(),
    }
    template = "matching/_results.html" if request.htmx and request.htmx.target == "results" else "matching/find.html"
    return render(request, template, context)


def _suggestions(kind: str, text: str) -> list[tuple[str, str, str]]:
    """(value, label, hint) suggestions for an autocomplete field."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    if kind == "country":
        codes = [c for c in live.match_index().countries if c]
        scored = []
        for code in codes:
            name = country_name(code)
            if name.casefold().startswith(wanted) or code.casefold() == wanted:
                scored.append((0, name, code))
            elif wanted in name.casefold():
                scored.append((1, name, code))
        return [(code, name, code) for _, name, code in sorted(scored)[:8]]
    if kind == "region":
        regions = {**geo.REGION_NAMES, **geo.GROUP_NAMES}
        return [(code, name, code) for code, name in regions.items() if wanted in name.casefold() or wanted in code][:8]
    # Terms by the name people read; their codes are for the API, not for the list.
    return [(r.code, term_display(r.name), "") for r in term_directory(live.match_index()).search(kind, text)]


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

"""Registry pages: the directory of sites and organisations, their pages, statistics and import runs.

Registry data is public to every signed-in user. The directory pages answer HTMX requests with
just the ``#directory`` fragment (facets and results), and whole pages otherwise, so they work
without JavaScript and every state has a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from cxo.core.errors import NotFound, ServiceError
from cxo.core.pagination import offset_number, page_number
from cxo.registry import selectors
from cxo.registry.charts import bar_chart
from cxo.registry.models import Site
from cxo.registry.search import FACETS, TERM_FACETS, FacetValue, SearchPage
from cxo.registry.templatetags.registry import term_label
from cxo.registry.terms import TermNotFound

# Directory query parameters; each facet's parameter may repeat (?country=IND&country=CHN).
PARAMS = ("q", *(param for param, _ in FACETS.values()), "sort")
SELECTOR_ARGS = {
    "country": "countries",
    "region": "regions",
    "service": "services",
    "dosage_form": "dosage_forms",
    "route": "routes",
    "substance": "substances",
    "kind": "kinds",
    "evidence": "evidence_kinds",
    "registration": "registrations",
    "compliance": "compliance",
}
SORT_LABELS = {"name": "Name (A–Z)", "-name": "Name (Z–A)", "country": "Country", "sites": "Most sites"}  # noqa: RUF001


@dataclass(frozen=True)
class FacetLink:
    value: FacetValue
    url: str


@dataclass(frozen=True)
class FacetGroup:
    key: str
    param: str
    label: str
    links: list[FacetLink]

    @property
    def selected(self) -> int:
        return sum(1 for link in self.links if link.value.selected)

    @property
    def tree(self) -> bool:
        return self.key in TERM_FACETS


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    url: str


def _query(params: Mapping[str, list[str]], **changes: list[str]) -> str:
    merged = {**params, **changes}
    pairs = [(k, v) for k in (*PARAMS, "page") for v in merged.get(k, []) if v]
    return "?" + urlencode(pairs) if pairs else "?"


def _toggle(params: Mapping[str, list[str]], param: str, value: str) -> str:
    values = list(params.get(param, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    return _query(params, **{param: values})


def _read_params(query: QueryDict) -> dict[str, list[str]]:
    return {k: [v.strip() for v in query.getlist(k) if v.strip()] for k in PARAMS if query.getlist(k)}


def _page_number(query: QueryDict) -> int:
    return page_number(query.get("page"))


def _search(
    request: HttpRequest, search: Callable[..., SearchPage[Any]], default_sort: str
) -> tuple[SearchPage[Any], dict[str, list[str]], list[str]]:
    """Run the search. A term that names nothing (a country, region, service, dosage form or route) refuses
    the search: the page lists no rows, only why (and the closest terms) — never every row as if the
    filter were not there. Other values the selector rejects (a role, a page) are dropped with a message."""
    params = _read_params(request.GET)
    page = _page_number(request.GET)
    refused: list[str] = []
    for _ in range(len(PARAMS) + 8):
        kwargs: dict[str, Any] = {SELECTOR_ARGS[k]: v for k, v in params.items() if k in SELECTOR_ARGS}
        try:
            result = search(
                q=" ".join(params.get("q", [])),
                sort=(params.get("sort") or [default_sort])[0],
                page=page,
                **kwargs,
            )
        except ServiceError as exc:
            field = exc.field or "q"
            if isinstance(exc, TermNotFound):
                refused.append(exc.message)
            else:
                messages.warning(request, f"{exc.message} That filter was left out.")
            if field == "page":
                page = 1
            elif params.get(field):
                bad = next((v for v in params[field] if f"'{v}'" in exc.message), params[field][0])
                params[field] = [v for v in params[field] if v != bad]
            else:
                params.pop(field, None)
            continue
        if result.page > result.pages and not refused:
            page = result.pages
            continue
        if refused:  # the facets still count (to pick a term from), but no row is listed
            result.hits, result.total = [], 0
        return result, params, refused
    raise Http404("This search cannot be run.")


def _facet_groups(result: SearchPage[Any], params: Mapping[str, list[str]]) -> list[FacetGroup]:
    groups = []
    for key, (param, label) in FACETS.items():
        links = [FacetLink(v, _toggle(params, param, v.code)) for v in result.facets[key]]
        if key not in TERM_FACETS:  # flat lists: the chosen values first, so they stay in sight
            links.sort(key=lambda link: not link.value.selected)
        groups.append(FacetGroup(key, param, label, links))
    return groups


def _chips(result: SearchPage[Any], params: Mapping[str, list[str]]) -> list[Chip]:
    chips = []
    if params.get("q"):
        chips.append(Chip("Text", f"“{' '.join(params['q'])}”", _query(params, q=[])))
    for key, (param, label) in FACETS.items():
        for value in result.facets[key]:
            if value.selected:
                name = term_label(value.name) if key in TERM_FACETS else value.name
                chips.append(Chip(label, name, _toggle(params, param, value.code)))
    return chips


def _directory_page(
    request: HttpRequest,
    *,
    search: Callable[..., SearchPage[Any]],
    template: str,
    fragment: str,
    default_sort: str,
    sorts: tuple[str, ...],
    noun: str,
) -> HttpResponse:
    result, params, refused = _search(request, search, default_sort)
    pages: list[tuple[int | None, str]] = []
    previous = 0
    for n in sorted({1, result.pages, *range(max(1, result.page - 2), min(result.pages, result.page + 2) + 1)}):
        if previous and n > previous + 1:
            pages.append((None, ""))  # a gap, shown as …
        pages.append((n, _query(params, page=[str(n)])))
        previous = n
    context = {
        "result": result,
        "params": params,
        "q": " ".join(params.get("q", [])),
        "facet_groups": _facet_groups(result, params),
        "chips": _chips(result, params),
        "clear_url": _query({}),
        "sorts": [(s, SORT_LABELS[s]) for s in sorts],
        "hidden": [(k, v) for k in PARAMS if k not in {"q", "sort"} for v in params.get(k, [])],
        "pages": pages,
        "previous_url": _query(params, page=[str(result.page - 1)]) if result.page > 1 else "",
        "next_url": _query(params, page=[str(result.page + 1)]) if result.page < result.pages else "",
        "first_hit": (result.page - 1) * result.page_size + 1,
        "last_hit": (result.page - 1) * result.page_size + len(result.hits),
        "noun": noun,
        "refused": refused,
        # Data loaded without an import (or before the index existed) is not searchable until re-indexed.
        "index_empty": not result.total and result.filters.is_empty and Site.objects.exists(),
        # Said once, at the source, rather than on every site: the newest DECRS file has expired.
        "registration_notice": result.filters.as_of.notice,
        "empty_reason": result.filters.empty_reason,
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]  # bool(htmx) is checked first
    return render(request, fragment if partial else template, {**context, "partial": partial})


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """The directory of sites: free text and facets on the left, one page of sites on the right."""
    return _directory_page(
        request,
        search=selectors.site_search,
        template="registry/directory.html",
        fragment="registry/_directory.html",
        default_sort="name",
        sorts=tuple(selectors.SITE_INDEX.sorts),
        noun="site",
    )


@login_required
def organisation_directory(request: HttpRequest) -> HttpResponse:
    """The directory of organisations, with the same filters as the sites directory."""
    return _directory_page(
        request,
        search=selectors.organisation_search,
        template="registry/organisations.html",
        fragment="registry/_directory.html",
        default_sort="name",
        sorts=tuple(selectors.ORGANISATION_INDEX.sorts),
        noun="organisation",
    )


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        detail = selectors.organisation_get(key=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if detail.organisation.slug != slug and not slug.isdigit():  # merged into another: its page is that one's
        return redirect("registry:organisation", slug=detail.organisation.slug)
    return render(request, "registry/organisation.html", {"detail": detail, "organisation": detail.organisation})


@login_required
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    try:
        detail = selectors.site_get(key=site_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "registry/site.html", {"detail": detail, "site": detail.site})


@login_required
def evidence_more(request: HttpRequest, capability_id: int) -> HttpResponse:
    """A page of a capability's evidence from ``?offset=`` (``?group=1``: its capability group's), as
    list items for the "and K more" link of the organisation and site pages to swap itself for."""
    group = request.GET.get("group") == "1"
    offset = offset_number(request.GET.get("offset"))
    try:
        page = selectors.evidence_page(capability_id=capability_id, group=group, offset=offset)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "registry/_evidence_more.html", {"page": page})


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """The registry at a glance: totals and sites per country, region, service, kind and evidence source."""
    summary = selectors.registry_stats()
    directory_url = reverse("registry:directory")
    top = summary.countries[:20]
    rest = sum(v.count for v in summary.countries[20:])
    country_bars = [(v.name, v.count, directory_url + _query({"country": [v.code]})) for v in top]
    if rest:
        country_bars.append((f"{len(summary.countries) - 20} other countries", rest, ""))
    context = {
        "summary": summary,
        "country_chart": bar_chart(country_bars, title="Sites per country"),
        "region_chart": bar_chart(
            [(v.name, v.count, directory_url + _query({"region": [v.code]})) for v in summary.facets["region"]],
            title="Sites per region",
        ),
        "service_chart": bar_chart(
            [(v.name, v.count, directory_url + _query({"service": [v.code]})) for v in summary.top_services],
            title="Sites per service",
        ),
        "kinds": summary.facets["kind"],
        "evidence": summary.facets["evidence"],
    }
    return render(request, "registry/stats.html", context)


@login_required
def import_runs(request: HttpRequest) -> HttpResponse:
    """Every import run: source, file, checksum, counts, who ran it and when."""
    page = Paginator(selectors.import_run_list(), 50).get_page(request.GET.get("page"))
    return render(request, "registry/imports.html", {"page": page})

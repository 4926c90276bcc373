"""Matching API: rank the registry for a need; the sponsor's shortlists and their entries."""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cxo.core.access import OrganisationRouter, OrgRequest
from cxo.core.errors import ServiceError
from cxo.core.pagination import page_check
from cxo.core.ratelimit import rate_limited
from cxo.core.roles import Permission
from cxo.core.schemas import Message
from cxo.matching import live, rules, selectors, services
from cxo.matching.models import Shortlist, ShortlistEntry
from cxo.matching.need import NEED_FIELDS, Need, index_resolver
from cxo.matching.schemas import (
    MatchIn,
    MatchOut,
    ShortlistDetailOut,
    ShortlistEntryIn,
    ShortlistEntryOut,
    ShortlistIn,
    ShortlistOut,
    TermOut,
)

router = Router(tags=["matching"])

VOCABULARIES = sorted({f.kind for f in NEED_FIELDS if f.is_term})


@router.post("/match", response={200: MatchOut, 400: Message, 429: Message})
@rate_limited("match")
def match(request: HttpRequest, payload: MatchIn) -> dict[str, Any]:
    """Rank the registry's sites (and organisations without sites) for a need, each with an explanation.

    Terms may be codes, names or synonyms ("API MANUFACTURE", "aseptic fill-finish"); an unknown one
    is a 400 naming the closest terms. Results come a page at a time: `limit` rows (at most 1000) of
    page `page`; `all` asks for pages of 1000 (the command line's `cxo match --all` returns everything).
    `total` counts every match. Limited per user (429 with Retry-After when exceeded).
    """
    page_size = rules.MAX_LIMIT if payload.all else payload.limit
    page_check(page=payload.page, page_size=page_size, max_page_size=rules.MAX_LIMIT)
    need = Need(**payload.dict(exclude={"page"}) | {"all": False, "limit": page_size})
    result = selectors.need_match(need=need, offset=(payload.page - 1) * page_size)
    pages = max(1, math.ceil(result.total / page_size))
    return {**result.as_json(), "page": payload.page, "page_size": page_size, "pages": pages}


class TermQuery(Schema):
    vocabulary: str = "service"
    q: str = ""


@router.get("/match/terms", response={200: list[TermOut], 400: Message})
def terms(request: HttpRequest, query: Query[TermQuery]) -> list[Any]:
    """Autocomplete: terms of one vocabulary (taxonomy, country, region, substance) whose name, code or synonym
    fits `q`, then the closest ones."""
    if query.vocabulary not in VOCABULARIES:
        raise ServiceError(f"Unknown vocabulary '{query.vocabulary}' (use one of: {', '.join(VOCABULARIES)}).")
    return list(index_resolver(live.match_index()).search(query.vocabulary, query.q))


org_api = OrganisationRouter(tags=["matching"])


def _shortlist(request: OrgRequest, shortlist_id: int) -> Shortlist:
    return selectors.shortlist_get(organisation=request.organisation, shortlist_id=shortlist_id)


@org_api.get("/shortlists", response=list[ShortlistOut])
def shortlist_list(request: OrgRequest) -> list[Shortlist]:
    """The organisation's shortlists (members only)."""
    return list(selectors.shortlist_list(organisation=request.organisation))


@org_api.post(
    "/shortlists",
    response={201: ShortlistOut, 400: Message, 403: Message, 409: Message},
    permission=Permission.MANAGE_SOURCING,
)
def shortlist_create(request: OrgRequest, payload: ShortlistIn) -> tuple[int, Shortlist]:
    """Create a named shortlist (sponsor members who manage sourcing)."""
    return 201, services.shortlist_create(actor=request.user, organisation=request.organisation, name=payload.name)


@org_api.get("/shortlists/{shortlist_id}", response=ShortlistDetailOut)
def shortlist_detail(request: OrgRequest, shortlist_id: int) -> Shortlist:
    """A shortlist with its entries, best score first."""
    return _shortlist(request, shortlist_id)


@org_api.patch(
    "/shortlists/{shortlist_id}",
    response={200: ShortlistOut, 400: Message, 403: Message, 409: Message},
    permission=Permission.MANAGE_SOURCING,
)
def shortlist_rename(request: OrgRequest, shortlist_id: int, payload: ShortlistIn) -> Shortlist:
    """Rename a shortlist."""
    return services.shortlist_rename(actor=request.user, shortlist=_shortlist(request, shortlist_id), name=payload.name)


@org_api.delete("/shortlists/{shortlist_id}", response={204: None, 403: Message}, permission=Permission.MANAGE_SOURCING)
def shortlist_delete(request: OrgRequest, shortlist_id: int) -> tuple[int, None]:
    """Delete a shortlist and its entries."""
    services.shortlist_delete(actor=request.user, shortlist=_shortlist(request, shortlist_id))
    return 204, None


@org_api.post(
    "/shortlists/{shortlist_id}/entries",
    response={201: ShortlistEntryOut, 400: Message, 403: Message, 404: Message, 409: Message},
    permission=Permission.MANAGE_SOURCING,
)
def shortlist_entry_add(
    request: OrgRequest, shortlist_id: int, payload: ShortlistEntryIn
) -> tuple[int, ShortlistEntry]:
    """Add a site (or, without a site, an organisation) to the shortlist; with `need`, its score is kept."""
    shortlist = _shortlist(request, shortlist_id)
    if payload.site_id is not None:
        candidates = selectors.shortlist_candidates(site_ids=[payload.site_id])
    elif payload.organisation_id is not None:
        candidates = selectors.shortlist_candidates(organisation_ids=[payload.organisation_id])
    else:
        raise ServiceError("Give a site_id or an organisation_id.", field="site_id")
    [entry], _ = services.shortlist_add_candidates(
        actor=request.user,
        shortlist=shortlist,
        candidates=candidates,
        need=payload.need,
        note=payload.note,
        skip_refused=False,
    )
    return 201, entry


@org_api.delete(
    "/shortlists/{shortlist_id}/entries/{entry_id}",
    response={204: None, 403: Message},
    permission=Permission.MANAGE_SOURCING,
)
def shortlist_entry_remove(request: OrgRequest, shortlist_id: int, entry_id: int) -> tuple[int, None]:
    """Take an entry off the shortlist."""
    entry = selectors.shortlist_entry_get(shortlist=_shortlist(request, shortlist_id), entry_id=entry_id)
    services.shortlist_remove(actor=request.user, entry=entry)
    return 204, None

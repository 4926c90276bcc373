"""Finding providers for a need and shortlisting them: the integration points with ``cxo.matching``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import OrganisationType
from cxo.sourcing.models import Need

if TYPE_CHECKING:
    from cxo.matching.models import Shortlist


@dataclass(frozen=True)
class ProviderMatch:
    """A provider found for a need: its best-ranked site and that site's score."""

    organisation: Organisation
    score: int
    site_id: int | None = None
    site_name: str = ""
    country: str = ""

    @property
    def organisation_id(self) -> int:
        return self.organisation.pk

    @property
    def organisation_slug(self) -> str:
        return self.organisation.slug

    @property
    def organisation_name(self) -> str:
        return self.organisation.name


def need_match(*, need: Need, limit: int = 25) -> list[ProviderMatch]:
    """Provider organisations ranked for the need by the matching engine, best first (one row each)."""
    from cxo.matching.need import Need as MatchingNeed
    from cxo.matching.selectors import need_match as matching_need_match

    criteria = dict(need.criteria or {})
    try:
        matching_need = MatchingNeed(**criteria, limit=limit, per_organisation=True)
    except ValidationError as exc:  # criteria stored before a field was renamed or retired
        raise ServiceError(f"The need's criteria cannot be matched: {exc.errors()[0]['msg']}.") from exc
    result = matching_need_match(need=matching_need)
    ids = [r["organisation"]["id"] for r in result.results]
    orgs = Organisation.objects.filter(pk__in=ids, type=OrganisationType.PROVIDER).in_bulk()
    out: list[ProviderMatch] = []
    for r in result.results:
        org = orgs.get(r["organisation"]["id"])
        if org is not None and org.pk != need.organisation_id:
            site = r["site"]
            out.append(ProviderMatch(org, r["score"], site["id"], site["name"] or "", site["country"] or ""))
    return out


def provider_get(*, ref: str | int) -> Organisation:
    """A provider of the directory by id or slug; NotFound for anything else (a sponsor, say)."""
    providers = Organisation.objects.filter(type=OrganisationType.PROVIDER)
    text = str(ref).strip()
    provider = (providers.filter(pk=int(text)) if text.isdigit() else providers.filter(slug=text)).first()
    if provider is None:
        raise NotFound("No such provider in the directory.")
    return provider


def provider_ids_with_users(*, ids: Iterable[int]) -> set[int]:
    """Which of these organisations have members on CXO (the others are invited by e-mail, to claim themselves)."""
    return set(Organisation.objects.filter(pk__in=list(ids), memberships__isnull=False).values_list("pk", flat=True))


def provider_search(*, q: str, limit: int = 20) -> list[Organisation]:
    """Provider organisations of the directory whose name contains ``q``."""
    q = q.strip()
    if len(q) < 2:
        return []
    return list(Organisation.objects.filter(type=OrganisationType.PROVIDER, name__icontains=q).order_by("name")[:limit])


@transaction.atomic
def need_shortlist(*, actor: User, need: Need, matches: list[ProviderMatch], name: str = "") -> Shortlist:
    """Save providers found for the need as a shortlist of the sponsor (a ``cxo.matching`` Shortlist)."""
    from cxo.matching.services import shortlist_add, shortlist_create
    from cxo.registry.models import Site

    name = name.strip() or f"{need.title} — {timezone.localtime():%d %b %Y %H:%M}"
    shortlist = shortlist_create(actor=actor, organisation=need.organisation, name=name[:200])
    sites = Site.objects.in_bulk([m.site_id for m in matches if m.site_id])
    for m in matches:
        shortlist_add(
            actor=actor,
            shortlist=shortlist,
            provider=m.organisation,
            site=sites.get(m.site_id) if m.site_id else None,
            need=need.criteria,
            score=m.score,
        )
    return shortlist


def shortlist_providers(*, shortlist: Shortlist) -> list[Organisation]:
    """The distinct provider organisations on a shortlist, in its order."""
    from cxo.matching.selectors import shortlist_entry_list

    seen: dict[int, Organisation] = {}
    for entry in shortlist_entry_list(shortlist=shortlist):
        seen.setdefault(entry.provider_id, entry.provider)
    return list(seen.values())

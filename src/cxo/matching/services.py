"""Writes: a sponsor's shortlists and their entries. Each call is one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from cxo.core.audit import audit_record, diff
from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import Permission
from cxo.core.selectors import membership_get, membership_require
from cxo.matching.models import Shortlist, ShortlistEntry
from cxo.matching.need import Need
from cxo.matching.selectors import Candidate, need_scores
from cxo.registry.models import Site

NAME_MAX = 200


def _require(*, actor: User, organisation: Organisation) -> None:
    """The actor may change the organisation's shortlists: a member with MANAGE_SOURCING, of a sponsor."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None:
        raise NotFound("No such organisation.")
    if not organisation.is_sponsor:
        raise NotPermitted("Shortlists belong to sponsor organisations.")
    membership_require(membership=membership, permission=Permission.MANAGE_SOURCING)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Give the shortlist a name.", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"A shortlist name has at most {NAME_MAX} characters.", field="name")
    return name


def _name_taken(*, organisation: Organisation, name: str, exclude_id: int | None = None) -> bool:
    qs = Shortlist.objects.for_organisation(organisation).filter(name__iexact=name)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


@transaction.atomic
def shortlist_create(*, actor: User, organisation: Organisation, name: str) -> Shortlist:
    """Create a named shortlist owned by the sponsor ``organisation``."""
    _require(actor=actor, organisation=organisation)
    name = _clean_name(name)
    if _name_taken(organisation=organisation, name=name):
        raise Conflict(f"There is already a shortlist called “{name}”.")
    try:
        with transaction.atomic():
            shortlist = Shortlist.objects.create(organisation=organisation, name=name, created_by=actor)
    except IntegrityError as exc:
        raise Conflict(f"There is already a shortlist called “{name}”.") from exc
    audit_record(
        actor=actor, organisation=organisation, action="shortlist.create", obj=shortlist, changes={"name": [None, name]}
    )
    return shortlist


@transaction.atomic
def shortlist_rename(*, actor: User, shortlist: Shortlist, name: str) -> Shortlist:
    _require(actor=actor, organisation=shortlist.organisation)
    name = _clean_name(name)
    if name == shortlist.name:
        return shortlist
    if _name_taken(organisation=shortlist.organisation, name=name, exclude_id=shortlist.pk):
        raise Conflict(f"There is already a shortlist called “{name}”.")
    old = shortlist.name
    shortlist.name = name
    shortlist.save(update_fields=["name"])
    audit_record(
        actor=actor,
        organisation=shortlist.organisation,
        action="shortlist.rename",
        obj=shortlist,
        changes=diff({"name": old}, {"name": name}),
    )
    return shortlist


@transaction.atomic
def shortlist_delete(*, actor: User, shortlist: Shortlist) -> None:
    """Delete a shortlist and its entries."""
    _require(actor=actor, organisation=shortlist.organisation)
    count = shortlist.entries.count()
    audit_record(
        actor=actor,
        organisation=shortlist.organisation,
        action="shortlist.delete",
        obj=shortlist,
        changes={"name": [shortlist.name, None], "entries": [count, None]},
    )
    shortlist.delete()


@transaction.atomic
def shortlist_add(
    *,
    actor: User,
    shortlist: Shortlist,
    provider: Organisation,
    site: Site | None = None,
    note: str = "",
    need: dict[str, Any] | None = None,
    score: int | None = None,
) -> ShortlistEntry:
    """Put a provider (one of its sites, or the organisation as a whole) on the shortlist.

    ``need`` and ``score`` record what it was found with; adding the same site twice is a conflict.
    """
    _require(actor=actor, organisation=shortlist.organisation)
    if site is not None and site.organisation_id != provider.pk:
        raise ServiceError("That site does not belong to that organisation.", field="site")
    if provider.pk == shortlist.organisation_id:
        raise ServiceError("An organisation cannot shortlist itself.", field="organisation")
    key = ShortlistEntry.make_key(provider_id=provider.pk, site_id=site.pk if site else None)
    label = f"{provider.name} — {site.name}" if site else provider.name
    if shortlist.entries.filter(key=key).exists():
        raise Conflict(f"{label} is already on “{shortlist.name}”.")
    try:
        with transaction.atomic():
            entry = ShortlistEntry.objects.create(
                shortlist=shortlist,
                provider=provider,
                site=site,
                key=key,
                provider_name=provider.name[:255],
                site_name=site.name[:255] if site else "",
                site_country=site.country if site else "",
                note=note.strip(),
                need=need or {},
                score=score,
                added_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(f"{label} is already on “{shortlist.name}”.") from exc
    audit_record(
        actor=actor,
        organisation=shortlist.organisation,
        action="shortlist.add",
        obj=entry,
        object_repr=f"{label} on {shortlist.name}",
        changes={"shortlist": [None, shortlist.name], "entry": [None, label], "score": [None, score]},
    )
    return entry


@transaction.atomic
def shortlist_add_candidates(
    *,
    actor: User,
    shortlist: Shortlist,
    candidates: Sequence[Candidate],
    need: Need | None = None,
    note: str = "",
    skip_refused: bool = True,
) -> tuple[list[ShortlistEntry], list[str]]:
    """Put candidates on the shortlist, each with the score ``need`` gives it (kept with the need it was found by).

    With ``skip_refused`` a candidate that cannot be added (already there, say) is left out and its reason
    returned, and a need that no longer resolves adds them without scores; otherwise the first refusal is raised.
    """
    _require(actor=actor, organisation=shortlist.organisation)
    scores: list[int | None] = [None] * len(candidates)
    if need is not None:
        try:
            picks = [(c.site.pk if c.site else None, c.provider.pk) for c in candidates]
            scores = need_scores(need=need, picks=picks)
        except ServiceError:
            if not skip_refused:
                raise
    added: list[ShortlistEntry] = []
    refused: list[str] = []
    for candidate, score in zip(candidates, scores, strict=True):
        try:
            with transaction.atomic():
                entry = shortlist_add(
                    actor=actor,
                    shortlist=shortlist,
                    provider=candidate.provider,
                    site=candidate.site,
                    note=note,
                    need=need.dict() if need is not None else {},
                    score=score,
                )
        except ServiceError as exc:
            if not skip_refused or exc.status_code in (403, 404):
                raise
            refused.append(exc.message)
        else:
            added.append(entry)
    return added, refused


@transaction.atomic
def shortlist_remove(*, actor: User, entry: ShortlistEntry) -> None:
    """Take an entry off its shortlist."""
    shortlist = entry.shortlist
    _require(actor=actor, organisation=shortlist.organisation)
    audit_record(
        actor=actor,
        organisation=shortlist.organisation,
        action="shortlist.remove",
        obj=entry,
        object_repr=f"{entry} on {shortlist.name}",
        changes={"shortlist": [shortlist.name, None], "entry": [str(entry), None]},
    )
    entry.delete()

"""Programmes and needs: writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cxo.core.audit import audit_record, diff, snapshot
from cxo.core.errors import ServiceError
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.registry.models import Term
from cxo.registry.terms import SUBSTANCE, term_resolver
from cxo.sourcing.models import Need, Programme, Stage
from cxo.sourcing.services.access import member_require

PROGRAMME_FIELDS = ("name", "code", "modality", "indication", "dosage_form", "route", "stage", "description", "source")
NEED_RECORD_FIELDS = ("title", "description", "criteria", "quantity", "unit", "start_by", "finish_by")


def term_resolve(*, code: str | None, vocabulary: str, field: str) -> Term | None:
    """The taxonomy term ``code`` names in ``vocabulary`` (a code, name or synonym, read by the one resolver),
    None for an empty value, or :class:`~cxo.registry.terms.TermNotFound` with the closest terms."""
    if not code:
        return None
    return Term.objects.get(pk=term_resolver().resolve(vocabulary, code, field=field).id)


def criteria_clean(criteria: dict[str, Any] | None) -> dict[str, Any]:
    """The need's matching criteria: the fields of the matching need (``cxo.matching.need.NEED_FIELDS``),
    each term read by the one resolver (``cxo.registry.terms``) and stored as its code (countries as ISO
    alpha-3, regions by code), so a need takes exactly what ``POST /match`` takes. A need names a service.

    Raises :class:`~cxo.registry.terms.TermNotFound` (with suggestions) for text that names nothing.
    """
    from pydantic import ValidationError

    from cxo.matching import live
    from cxo.matching.need import NEED_FIELDS as CRITERIA_FIELDS
    from cxo.matching.need import Need as MatchingNeed
    from cxo.matching.need import index_resolver

    criteria = dict(criteria or {})
    unknown = set(criteria) - {f.name for f in CRITERIA_FIELDS}
    if unknown:
        raise ServiceError(f"Unknown matching criteria: {', '.join(sorted(unknown))}.", field="criteria")
    try:
        need = MatchingNeed(**criteria)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ServiceError(
            f"Matching criteria: {'.'.join(str(x) for x in first['loc'])}: {first['msg']}.", field="criteria"
        ) from exc
    resolver = term_resolver()
    out: dict[str, Any] = {}
    for f in CRITERIA_FIELDS:
        value = getattr(need, f.name)
        if not value:
            continue
        if f.kind == SUBSTANCE:  # known only to the matching index (the substances capabilities name)
            index_resolver(live.match_index()).resolve(SUBSTANCE, value, field=f.name)
            out[f.name] = value
        elif f.is_term:
            out[f.name] = [r.code for r in resolver.resolve_all(f.kind, value, field=f.name)]
        else:
            out[f.name] = value
    if not out.get("services"):
        raise ServiceError("Say which service is needed (the 'services' criterion).", field="services")
    return out


def _need_state(need: Need) -> dict[str, Any]:
    """The need's audited values, each criterion on its own ("criteria.services") so that an edit lists only
    what changed; the quantity as a number (10 and 10.000 are the same)."""
    state = snapshot(need, [f for f in NEED_RECORD_FIELDS if f != "criteria"])
    if need.quantity is not None:
        state["quantity"] = format(Decimal(need.quantity).normalize(), "f")
    state.update({f"criteria.{key}": value for key, value in (need.criteria or {}).items()})
    return state


def _programme_values(
    *, name: str, code: str, modality: str | None, dosage_form: str | None, route: str | None, stage: str
) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise ServiceError("A programme needs a name.", field="name")
    if stage not in Stage.values:
        raise ServiceError(f"Unknown lifecycle stage '{stage}'.", field="stage")
    return {
        "name": name,
        "code": code.strip(),
        "modality": term_resolve(code=modality, vocabulary="modality", field="modality"),
        "dosage_form": term_resolve(code=dosage_form, vocabulary="dosage_form", field="dosage_form"),
        "route": term_resolve(code=route, vocabulary="route", field="route"),
        "stage": stage,
    }


def _code_unique(*, organisation: Organisation, code: str, exclude: int | None = None) -> None:
    if not code:
        return
    qs = Programme.objects.for_organisation(organisation).filter(code=code)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ServiceError(f"Another programme already has the code {code}.", field="code")


def _team_set(*, programme: Programme, team: list[User] | None) -> None:
    if team is None:
        return
    member_ids = set(
        Membership.objects.filter(
            organisation_id=programme.organisation_id, user_id__in=[u.pk for u in team]
        ).values_list("user_id", flat=True)
    )
    members = [u for u in team if u.pk in member_ids]
    if len(members) != len(team):
        raise ServiceError("The team can only include members of your organisation.", field="team")
    programme.team.set(members)


@transaction.atomic
def programme_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    code: str = "",
    modality: str | None = None,
    indication: str = "",
    dosage_form: str | None = None,
    route: str | None = None,
    stage: str = Stage.PRECLINICAL,
    description: str = "",
    source: str = "",
    team: list[User] | None = None,
) -> Programme:
    """Create a programme (a drug asset) of the sponsor."""
    member_require(actor=actor, organisation=organisation, permission=Permission.MANAGE_SOURCING, what="organisation")
    values = _programme_values(
        name=name, code=code, modality=modality, dosage_form=dosage_form, route=route, stage=stage
    )
    _code_unique(organisation=organisation, code=values["code"])
    programme = Programme.objects.create(
        organisation=organisation,
        indication=indication.strip(),
        description=description,
        source=source,
        created_by=actor,
        **values,
    )
    _team_set(programme=programme, team=team if team is not None else [actor])
    audit_record(
        actor=actor,
        organisation=organisation,
        action="programme.create",
        obj=programme,
        changes=diff({}, snapshot(programme, PROGRAMME_FIELDS)),
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    name: str,
    code: str = "",
    modality: str | None = None,
    indication: str = "",
    dosage_form: str | None = None,
    route: str | None = None,
    stage: str = Stage.PRECLINICAL,
    description: str = "",
    source: str = "",
    team: list[User] | None = None,
    reason: str = "",
) -> Programme:
    """Change a programme's facts (e.g. its stage as it advances); every change is in the trail."""
    member_require(
        actor=actor, organisation=programme.organisation, permission=Permission.MANAGE_SOURCING, what="programme"
    )
    values = _programme_values(
        name=name, code=code, modality=modality, dosage_form=dosage_form, route=route, stage=stage
    )
    _code_unique(organisation=programme.organisation, code=values["code"], exclude=programme.pk)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for key, value in {
        **values,
        "indication": indication.strip(),
        "description": description,
        "source": source,
    }.items():
        setattr(programme, key, value)
    programme.updated_at = timezone.now()
    programme.save()
    _team_set(programme=programme, team=team)
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            organisation=programme.organisation,
            action="programme.update",
            obj=programme,
            changes=changes,
            reason=reason,
        )
    return programme


def _need_values(
    *,
    title: str,
    criteria: dict[str, Any] | None,
    quantity: Decimal | None,
    start_by: dt.date | None,
    finish_by: dt.date | None,
) -> dict[str, Any]:
    title = title.strip()
    if not title:
        raise ServiceError(
            "Give the need a title, e.g. 'Phase II clinical supply: film-coated tablets'.", field="title"
        )
    if quantity is not None and quantity <= 0:
        raise ServiceError("The quantity must be more than zero.", field="quantity")
    if start_by and finish_by and finish_by < start_by:
        raise ServiceError("The finish date must not be before the start date.", field="finish_by")
    return {
        "title": title,
        "criteria": criteria_clean(criteria),
        "quantity": quantity,
        "start_by": start_by,
        "finish_by": finish_by,
    }


@transaction.atomic
def need_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    criteria: dict[str, Any] | None,
    description: str = "",
    quantity: Decimal | None = None,
    unit: str = "",
    start_by: dt.date | None = None,
    finish_by: dt.date | None = None,
) -> Need:
    """Add an outsourcing need to a programme: what is needed (matching criteria), how much, by when."""
    member_require(
        actor=actor, organisation=programme.organisation, permission=Permission.MANAGE_SOURCING, what="programme"
    )
    values = _need_values(title=title, criteria=criteria, quantity=quantity, start_by=start_by, finish_by=finish_by)
    need = Need.objects.create(
        organisation=programme.organisation,
        programme=programme,
        description=description,
        unit=unit.strip(),
        created_by=actor,
        **values,
    )
    audit_record(
        actor=actor,
        organisation=programme.organisation,
        action="need.create",
        obj=need,
        changes=diff({}, _need_state(need)),
    )
    return need


@transaction.atomic
def need_update(
    *,
    actor: User,
    need: Need,
    title: str,
    criteria: dict[str, Any] | None,
    description: str = "",
    quantity: Decimal | None = None,
    unit: str = "",
    start_by: dt.date | None = None,
    finish_by: dt.date | None = None,
) -> Need:
    """Change a need (the form posts every field; the values are set whole). The audit event lists each
    field and each criterion that changed, and an unchanged save writes nothing."""
    member_require(actor=actor, organisation=need.organisation, permission=Permission.MANAGE_SOURCING, what="need")
    values = _need_values(title=title, criteria=criteria, quantity=quantity, start_by=start_by, finish_by=finish_by)
    before = _need_state(need)
    for key, value in {**values, "description": description, "unit": unit.strip()}.items():
        setattr(need, key, value)
    changes = diff(before, _need_state(need))
    if not changes:
        return need  # nothing the user changed: no write, no event
    need.updated_at = timezone.now()
    need.save()
    if changes:
        audit_record(actor=actor, organisation=need.organisation, action="need.update", obj=need, changes=changes)
    return need

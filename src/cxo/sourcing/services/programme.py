"""Programmes and needs: writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from cxo.core.audit import audit_record, diff, snapshot
from cxo.core.errors import ServiceError
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import Permission
from cxo.registry.models import Term
from cxo.sourcing.models import Need, Programme, Stage
from cxo.sourcing.services.access import member_require

PROGRAMME_FIELDS = ("name", "code", "modality", "indication", "dosage_form", "route", "stage", "description", "source")
NEED_FIELDS = ("title", "description", "criteria", "quantity", "unit", "start_by", "finish_by")

# The matching need's fields a sourcing need keeps (cxo.matching.need.Need), and the vocabulary of each term list.
CRITERIA_TERMS = {
    "services": "service",
    "dosage_forms": "dosage_form",
    "routes": "route",
    "modalities": "modality",
    "scales": "scale",
}
CRITERIA_KEEP = (
    *CRITERIA_TERMS,
    "substance",
    "countries",
    "regions",
    "exclude_countries",
    "exclude_regions",
    "require_evidence",
    "exclude_organisations",
)


def term_resolve(*, code: str | None, vocabulary: str, field: str) -> Term | None:
    """The taxonomy term with ``code`` in ``vocabulary``, None for an empty code, or a clear error."""
    if not code:
        return None
    term = Term.objects.filter(code=code, vocabulary=vocabulary).first()
    if term is None:
        raise ServiceError(f"'{code}' is not a known {vocabulary.replace('_', ' ')} term.", field=field)
    return term


def criteria_clean(criteria: dict[str, Any] | None) -> dict[str, Any]:
    """The need's matching criteria in the matching engine's need schema, with term codes checked.

    Term lists hold taxonomy codes (``svc.mfg.dp``) or exact names; a need names at least one service.
    """
    from pydantic import ValidationError

    from cxo.matching.need import Need as MatchingNeed

    criteria = dict(criteria or {})
    unknown = set(criteria) - set(CRITERIA_KEEP)
    if unknown:
        raise ServiceError(f"Unknown matching criteria: {', '.join(sorted(unknown))}.", field="criteria")
    try:
        need = MatchingNeed(**criteria)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ServiceError(
            f"Matching criteria: {'.'.join(str(x) for x in first['loc'])}: {first['msg']}.", field="criteria"
        ) from exc
    out: dict[str, Any] = {}
    for key, vocabulary in CRITERIA_TERMS.items():
        codes = []
        for value in getattr(need, key):
            term = (
                Term.objects.filter(vocabulary=vocabulary)
                .filter(models.Q(code=value) | models.Q(name__iexact=value))
                .first()
            )
            if term is None:
                raise ServiceError(
                    f"'{value}' is not a known {vocabulary.replace('_', ' ')} term.", field=f"criteria.{key}"
                )
            codes.append(term.code)
        if codes:
            out[key] = codes
    for key in CRITERIA_KEEP:
        if key not in CRITERIA_TERMS and getattr(need, key):
            out[key] = getattr(need, key)
    if not out.get("services"):
        raise ServiceError("Say which service is needed (the 'services' criterion).", field="criteria.services")
    return out


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
        changes=diff({}, snapshot(need, NEED_FIELDS)),
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
    member_require(actor=actor, organisation=need.organisation, permission=Permission.MANAGE_SOURCING, what="need")
    values = _need_values(title=title, criteria=criteria, quantity=quantity, start_by=start_by, finish_by=finish_by)
    before = snapshot(need, NEED_FIELDS)
    for key, value in {**values, "description": description, "unit": unit.strip()}.items():
        setattr(need, key, value)
    need.updated_at = timezone.now()
    need.save()
    changes = diff(before, snapshot(need, NEED_FIELDS))
    if changes:
        audit_record(actor=actor, organisation=need.organisation, action="need.update", obj=need, changes=changes)
    return need

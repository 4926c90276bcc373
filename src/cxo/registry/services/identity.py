"""A registry curator merges two organisations that are one company, or splits sites off into a new one.

**Merge** ``source`` into ``target``, in one transaction: every row that points at the source — sites,
capabilities and their evidence, compliance records linked by name, members, claims, invitations, and the
tenant data it owns or takes part in (RFPs, proposals, contracts, quality records, …: every foreign key to
``Organisation``, found from the model registry so a new one is not forgotten) — moves to the target; the
source's name and aliases become the target's aliases; the source's row stays, emptied, as an
:class:`~cxo.registry.models.OrganisationMerge` whose slug redirects to the target, because the audit trail
is append-only and keeps pointing at it. Imports afterwards map the source's registrant DUNS to the target
and link its names there (``cxo.registry.names``).

**Split** chosen sites of an organisation into a new one: the sites and their site-level capabilities move;
organisation-wide capabilities, members and tenant data stay. Each moved site gets a
:class:`~cxo.registry.models.SitePlacement` so a re-import does not move it back.

Both write the audit trail of every organisation involved with the before and after, then re-derive the
roles and re-index the organisations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Membership, Organisation, User
from cxo.core.roles import PLATFORM_DOING, PlatformPermission, platform_can
from cxo.core.services import organisation_slug_unique
from cxo.registry.facets import facets_rebuild
from cxo.registry.kind import organisation_kinds_refresh
from cxo.registry.models import (
    Capability,
    Evidence,
    FacetGroup,
    OrganisationAlias,
    OrganisationFacets,
    OrganisationMerge,
    Site,
    SiteFacets,
    SitePlacement,
)

# Rows that point at an organisation but are not moved by a merge: the audit trail (append-only, it
# stays with the merged row), the search index (rebuilt), and the merge and alias records themselves.
_NOT_MOVED = {AuditEvent, OrganisationFacets, SiteFacets, FacetGroup, OrganisationMerge}


def _curator_require(actor: User | None) -> None:
    if actor is not None and not platform_can(actor, PlatformPermission.CURATE_REGISTRY):
        raise NotPermitted(
            f"Only a registry curator may do this ({PLATFORM_DOING[PlatformPermission.CURATE_REGISTRY]})."
        )


def organisation_resolve(value: str) -> Organisation:
    """The organisation a curator names by slug, id or registrant DUNS (following merges)."""
    text = value.strip()
    org = (
        Organisation.objects.filter(slug=text).first()
        or (Organisation.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 9 else None)
        or Organisation.objects.filter(registrant_duns=text).first()
    )
    if org is None:
        raise NotFound(f"No organisation '{value}' (give its slug, id or registrant DUNS).")
    merge = OrganisationMerge.objects.filter(merged=org).select_related("into").first()
    return merge.into if merge is not None else org


def _snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "slug": org.slug,
        "registrant_duns": org.registrant_duns,
        "sites": sorted(Site.objects.filter(organisation=org).values_list("pk", flat=True)),
        "capabilities": Capability.objects.filter(organisation=org).count(),
        "members": sorted(Membership.objects.filter(organisation=org).values_list("user_id", flat=True)),
        "aliases": sorted(OrganisationAlias.objects.filter(organisation=org).values_list("name", flat=True)),
    }


def _organisation_relations() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) with a foreign key to Organisation, but those a merge leaves alone."""
    relations: list[tuple[type[models.Model], str]] = []
    # include_hidden: tenant data points at providers with related_name="+", which related_objects leaves out
    for rel in Organisation._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or rel.many_to_many:
            continue
        model = rel.related_model
        if not (isinstance(model, type) and issubclass(model, models.Model)) or model._meta.abstract:
            continue
        if model in _NOT_MOVED or model in (Site, Capability, Membership, OrganisationAlias):
            continue  # left alone, or moved by their own rules below
        relations.append((model, rel.field.name))
    return relations


def _capabilities_move(source: Organisation, target: Organisation) -> int:
    """The source's capabilities become the target's; where the target has the same one (an
    organisation-wide capability with the same key), the evidence joins it instead."""
    theirs = dict(Capability.objects.filter(organisation=target).values_list("key", "pk"))
    merged = 0
    for cap_id, key in Capability.objects.filter(organisation=source).values_list("pk", "key"):
        into = theirs.get(key)
        if into is None:
            Capability.objects.filter(pk=cap_id).update(organisation=target)
            continue
        have = set(Evidence.objects.filter(capability_id=into).values_list("kind", "source_ref"))
        for ev_id, kind, ref in Evidence.objects.filter(capability_id=cap_id).values_list("pk", "kind", "source_ref"):
            if (kind, ref) not in have:
                Evidence.objects.filter(pk=ev_id).update(capability_id=into)
        Capability.objects.filter(pk=cap_id).delete()
        merged += 1
    return merged


def _members_move(source: Organisation, target: Organisation) -> list[str]:
    """The source's members join the target; one already a member of both keeps the target's role."""
    already = set(Membership.objects.filter(organisation=target).values_list("user_id", flat=True))
    kept: list[str] = []
    for membership in Membership.objects.filter(organisation=source).select_related("user"):
        if membership.user_id in already:
            kept.append(membership.user.get_username())
            membership.delete()
        else:
            Membership.objects.filter(pk=membership.pk).update(organisation=target)
    return kept


@dataclass
class MergeResult:
    source: Organisation
    target: Organisation
    sites: int
    capabilities: int
    moved: dict[str, int] = field(default_factory=dict)  # "app.model.field" -> rows moved


@transaction.atomic
def organisation_merge(
    *, actor: User | None, source: Organisation, target: Organisation, reason: str = "", actor_label: str = ""
) -> MergeResult:
    """Fold ``source`` into ``target`` (see the module docstring). ``actor`` None is the command line."""
    _curator_require(actor)
    if source.pk == target.pk:
        raise ServiceError("An organisation cannot be merged into itself.", field="target")
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    source, target = locked[source.pk], locked[target.pk]
    for org, role in ((source, "source"), (target, "target")):
        if OrganisationMerge.objects.filter(merged=org).exists():
            raise Conflict(f"'{org.name}' was already merged into another organisation.", field=role)
    before = {"source": _snapshot(source), "target": _snapshot(target)}

    site_ids = list(Site.objects.filter(organisation=source).values_list("pk", flat=True))
    Site.objects.filter(pk__in=site_ids).update(organisation=target)
    SitePlacement.objects.filter(organisation=source).update(organisation=target)
    capabilities = Capability.objects.filter(organisation=source).count()
    _capabilities_move(source, target)
    kept_members = _members_move(source, target)
    moved: dict[str, int] = {}
    for model, field_name in _organisation_relations():
        manager = model._base_manager  # tenant data: the unscoped manager, on purpose
        try:
            count = manager.filter(**{field_name: source}).update(**{field_name: target})
        except IntegrityError as exc:  # a row unique per organisation that both have: a curator decides first
            raise Conflict(
                f"Both organisations have a {model._meta.verbose_name} that can exist once per organisation; "
                "resolve it before merging."
            ) from exc
        if count:
            moved[f"{model._meta.label_lower}.{field_name}"] = count
    OrganisationMerge.objects.filter(into=source).update(into=target)  # earlier merges into the source follow

    aliases = {source.name, *OrganisationAlias.objects.filter(organisation=source).values_list("name", flat=True)}
    aliases -= {target.name, *OrganisationAlias.objects.filter(organisation=target).values_list("name", flat=True)}
    OrganisationAlias.objects.filter(organisation=source).delete()
    OrganisationAlias.objects.bulk_create([OrganisationAlias(organisation=target, name=n[:255]) for n in aliases])
    if target.registrant_duns is None and source.registrant_duns:
        duns, source.registrant_duns = source.registrant_duns, None
        source.save(update_fields=["registrant_duns"])
        target.registrant_duns = duns
        target.save(update_fields=["registrant_duns"])
    OrganisationMerge.objects.create(merged=source, into=target, actor=actor, reason=reason.strip())

    after = {"source": _snapshot(source), "target": _snapshot(target)}
    changes = {
        "merged_into": [None, target.slug],
        "before": before,
        "after": after,
        "moved": moved,
        "members_already_in_target": kept_members,
    }
    for org in (source, target):
        audit_record(
            actor=actor,
            organisation=org,
            action="registry.organisation_merge",
            obj=source,
            changes=changes,
            reason=reason.strip(),
            actor_label=actor_label,
        )
    organisation_kinds_refresh(organisation_ids=[source.pk, target.pk])
    facets_rebuild(organisation_ids=[source.pk, target.pk])
    return MergeResult(source=source, target=target, sites=len(site_ids), capabilities=capabilities, moved=moved)


@transaction.atomic
def organisation_split(
    *,
    actor: User | None,
    organisation: Organisation,
    site_ids: Sequence[int],
    name: str,
    reason: str = "",
    actor_label: str = "",
) -> Organisation:
    """Move the chosen sites of ``organisation`` (and their site-level capabilities) to a new organisation."""
    _curator_require(actor)
    name = name.strip()
    if not name:
        raise ServiceError("Name the new organisation.", field="name")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    wanted = set(site_ids)
    sites = set(Site.objects.filter(organisation=organisation, pk__in=wanted).values_list("pk", flat=True))
    if not wanted:
        raise ServiceError("Choose the sites that move to the new organisation.", field="sites")
    if wanted - sites:
        missing = ", ".join(str(s) for s in sorted(wanted - sites))
        raise ServiceError(f"Not sites of {organisation.name}: {missing}.", field="sites")
    if not Site.objects.filter(organisation=organisation).exclude(pk__in=sites).exists():
        raise ServiceError("Keep at least one site: to rename the organisation, do not split it.", field="sites")
    before = _snapshot(organisation)
    new = Organisation.objects.create(name=name[:255], slug=organisation_slug_unique(name), type=organisation.type)
    Site.objects.filter(pk__in=sites).update(organisation=new)
    Capability.objects.filter(site_id__in=sites).update(organisation=new)
    for site_id in sites:
        SitePlacement.objects.update_or_create(site_id=site_id, defaults={"organisation": new, "actor": actor})
    changes = {
        "split_from": organisation.slug,
        "new": new.slug,
        "sites": sorted(sites),
        "before": before,
        "after": {"organisation": _snapshot(organisation), "new": _snapshot(new)},
    }
    for org in (organisation, new):
        audit_record(
            actor=actor,
            organisation=org,
            action="registry.organisation_split",
            obj=new,
            changes=changes,
            reason=reason.strip(),
            actor_label=actor_label,
        )
    organisation_kinds_refresh(organisation_ids=[organisation.pk, new.pk])
    facets_rebuild(organisation_ids=[organisation.pk, new.pk])
    return new

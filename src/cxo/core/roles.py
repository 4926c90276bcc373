"""Roles and what each may do: the one place that decides.

Every permission check in views, API endpoints and services goes through :func:`role_allows`
(usually via ``membership_can`` in :mod:`cxo.core.selectors`), so changing what a role may do
is a change to this table only.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db import models


class OrganisationType(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    PROVIDER = "provider", "Provider"


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    # sponsor roles
    SOURCING = "sourcing", "Sourcing"
    PROJECT = "project", "Project management"
    QUALITY = "quality", "Quality assurance"
    FINANCE = "finance", "Finance"
    VIEWER = "viewer", "Viewer"
    # provider roles (admin, project and quality are shared with sponsors)
    BUSINESS_DEVELOPMENT = "business_development", "Business development"
    # Someone who followed an e-mailed RFP invitation to an unclaimed registry entry: they answer the invitations
    # addressed to them (RfpInvitation.guest) and see nothing else of the organisation. Not grantable; a registry
    # curator's approval of their claim request makes them its administrator.
    GUEST = "guest", "Guest bidder"


ROLES_BY_TYPE: dict[str, tuple[str, ...]] = {
    OrganisationType.SPONSOR: (Role.ADMIN, Role.SOURCING, Role.PROJECT, Role.QUALITY, Role.FINANCE, Role.VIEWER),
    OrganisationType.PROVIDER: (Role.ADMIN, Role.BUSINESS_DEVELOPMENT, Role.PROJECT, Role.QUALITY),
}


class Permission(StrEnum):
    VIEW = "view"  # read the organisation's own records
    MANAGE_MEMBERS = "manage_members"  # invite users, change roles, remove members
    VIEW_AUDIT = "view_audit"  # browse the organisation's audit trail
    MANAGE_SOURCING = "manage_sourcing"  # programmes, needs, shortlists, RFPs, invitations
    EVALUATE = "evaluate"  # score proposals
    SIGN_AWARD = "sign_award"  # e-sign an award
    MANAGE_PROFILE = "manage_profile"  # provider: keep the registry profile true
    RESPOND = "respond"  # provider: answer invitations, ask questions, submit proposals
    MANAGE_EXECUTION = "manage_execution"  # work orders, milestones
    MANAGE_QUALITY = "manage_quality"  # qualification, audits, batch disposition; a provider's findings, changes
    SIGN_QUALITY = "sign_quality"  # e-sign qualification decisions, CAPA closure, quality agreements
    MANAGE_FINANCE = "manage_finance"  # budgets, invoices
    SIGN_CONTRACT = "sign_contract"  # e-sign master agreements, work orders and change orders; contract settings
    READ_INVITATIONS = "read_invitations"  # provider: the inbox (a guest bidder: only the invitations it holds)
    REQUEST_CLAIM = "request_claim"  # guest bidder: ask a registry curator to make it the organisation's admin


# What each permission lets a member do, in words for the refusal "Your role (Viewer) does not allow …".
DOING: dict[Permission, str] = {
    Permission.VIEW: "viewing this",
    Permission.MANAGE_MEMBERS: "managing members",
    Permission.VIEW_AUDIT: "viewing the audit trail",
    Permission.MANAGE_SOURCING: "managing sourcing",
    Permission.EVALUATE: "scoring proposals",
    Permission.SIGN_AWARD: "signing an award",
    Permission.MANAGE_PROFILE: "keeping the profile",
    Permission.RESPOND: "responding to RFPs",
    Permission.MANAGE_EXECUTION: "managing work orders",
    Permission.MANAGE_QUALITY: "managing quality",
    Permission.SIGN_QUALITY: "signing quality decisions",
    Permission.MANAGE_FINANCE: "managing budgets and invoices",
    Permission.SIGN_CONTRACT: "signing contracts",
    Permission.READ_INVITATIONS: "reading RFP invitations",
    Permission.REQUEST_CLAIM: "requesting to administer the organisation",
}

_ALL = frozenset(Permission)

_SPONSOR: dict[str, frozenset[Permission]] = {
    Role.ADMIN: _ALL - {Permission.MANAGE_PROFILE, Permission.RESPOND, Permission.REQUEST_CLAIM},
    Role.SOURCING: frozenset(
        {
            Permission.VIEW,
            Permission.MANAGE_SOURCING,
            Permission.EVALUATE,
            Permission.SIGN_AWARD,
            Permission.SIGN_CONTRACT,
        }
    ),
    Role.PROJECT: frozenset({Permission.VIEW, Permission.EVALUATE, Permission.MANAGE_EXECUTION}),
    # Reviewing the audit trail is quality assurance's job (21 CFR Part 11 oversight), so QA reads it.
    Role.QUALITY: frozenset(
        {
            Permission.VIEW,
            Permission.EVALUATE,
            Permission.MANAGE_QUALITY,
            Permission.SIGN_QUALITY,
            Permission.VIEW_AUDIT,
        }
    ),
    Role.FINANCE: frozenset({Permission.VIEW, Permission.EVALUATE, Permission.MANAGE_FINANCE}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}

_PROVIDER: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.VIEW,
            Permission.MANAGE_MEMBERS,
            Permission.VIEW_AUDIT,
            Permission.MANAGE_PROFILE,
            Permission.RESPOND,
            Permission.MANAGE_EXECUTION,
            Permission.MANAGE_QUALITY,
            Permission.SIGN_QUALITY,
            Permission.MANAGE_FINANCE,
            Permission.SIGN_CONTRACT,
        }
    ),
    Role.BUSINESS_DEVELOPMENT: frozenset(
        {Permission.VIEW, Permission.MANAGE_PROFILE, Permission.RESPOND, Permission.SIGN_CONTRACT}
    ),
    Role.PROJECT: frozenset({Permission.VIEW, Permission.RESPOND, Permission.MANAGE_EXECUTION}),
    Role.QUALITY: frozenset(
        {Permission.VIEW, Permission.MANAGE_QUALITY, Permission.SIGN_QUALITY, Permission.VIEW_AUDIT}
    ),
}


def _reading_invitations(table: dict[str, frozenset[Permission]]) -> dict[str, frozenset[Permission]]:
    """Whoever may VIEW the organisation reads all its invitations."""
    return {
        role: perms | {Permission.READ_INVITATIONS} if Permission.VIEW in perms else perms
        for role, perms in table.items()
    }


PERMISSIONS: dict[str, dict[str, frozenset[Permission]]] = {
    OrganisationType.SPONSOR: _reading_invitations(_SPONSOR),
    OrganisationType.PROVIDER: {
        **_reading_invitations(_PROVIDER),
        # no VIEW: every page and operation of the organisation is closed to a guest but the invitations it holds
        Role.GUEST: frozenset({Permission.READ_INVITATIONS, Permission.RESPOND, Permission.REQUEST_CLAIM}),
    },
}


def role_allows(*, organisation_type: str, role: str, permission: Permission) -> bool:
    """Whether ``role`` in an organisation of ``organisation_type`` grants ``permission``."""
    return permission in role_permissions(organisation_type=organisation_type, role=role)


def role_permissions(*, organisation_type: str, role: str) -> frozenset[Permission]:
    """Everything ``role`` grants in an organisation of ``organisation_type``."""
    return PERMISSIONS.get(organisation_type, {}).get(role, frozenset())


def roles_in_table(organisation_type: str) -> tuple[str, ...]:
    """Every role the table knows for this type: the grantable ones, then those given by a flow (the guest bidder)."""
    return tuple(PERMISSIONS.get(organisation_type, {}))


def roles_for(organisation_type: str) -> list[tuple[str, str]]:
    """(value, label) pairs of the roles an organisation of this type can grant."""
    return [(r, Role(r).label) for r in ROLES_BY_TYPE.get(organisation_type, ())]


# --- platform roles -----------------------------------------------------------------------------------
# A few people act for the platform rather than for an organisation (the registry's curators). Their role is
# on their profile (``cxo.core.models.Profile.platform_role``), beside and independent of their memberships,
# and decided here like the organisation roles above.


class PlatformRole(models.TextChoices):
    REGISTRY_CURATOR = "registry_curator", "Registry curator"


class PlatformPermission(StrEnum):
    CURATE_REGISTRY = "curate_registry"  # decide claims on registry organisations, merge and split entries


PLATFORM_DOING: dict[PlatformPermission, str] = {
    PlatformPermission.CURATE_REGISTRY: "curating the registry",
}

PLATFORM_PERMISSIONS: dict[str, frozenset[PlatformPermission]] = {
    PlatformRole.REGISTRY_CURATOR: frozenset({PlatformPermission.CURATE_REGISTRY}),
}


def platform_role_of(user: object) -> str:
    """The user's platform role ("" for none, for anonymous users and for users without a profile)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ""
    try:
        profile = user.profile  # type: ignore[attr-defined]  # a User (core.models imports this module)
    except ObjectDoesNotExist:
        return ""
    role: str = profile.platform_role
    return role


def platform_can(user: object, permission: PlatformPermission) -> bool:
    """Whether ``user``'s platform role grants ``permission`` (never, without one)."""
    return permission in PLATFORM_PERMISSIONS.get(platform_role_of(user), frozenset())

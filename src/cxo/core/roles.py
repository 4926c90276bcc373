"""Roles and what each may do: the one place that decides.

Every permission check in views, API endpoints and services goes through :func:`role_allows`
(usually via ``membership_can`` in :mod:`cxo.core.selectors`), so changing what a role may do
is a change to this table only.
"""

from __future__ import annotations

from enum import StrEnum

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
    MANAGE_QUALITY = "manage_quality"  # qualification, audits, batch disposition
    MANAGE_FINANCE = "manage_finance"  # budgets, invoices


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
    Permission.MANAGE_FINANCE: "managing budgets and invoices",
}

_ALL = frozenset(Permission)

_SPONSOR: dict[str, frozenset[Permission]] = {
    Role.ADMIN: _ALL - {Permission.MANAGE_PROFILE, Permission.RESPOND},
    Role.SOURCING: frozenset({Permission.VIEW, Permission.MANAGE_SOURCING, Permission.EVALUATE, Permission.SIGN_AWARD}),
    Role.PROJECT: frozenset({Permission.VIEW, Permission.EVALUATE, Permission.MANAGE_EXECUTION}),
    # Reviewing the audit trail is quality assurance's job (21 CFR Part 11 oversight), so QA reads it.
    Role.QUALITY: frozenset({Permission.VIEW, Permission.EVALUATE, Permission.MANAGE_QUALITY, Permission.VIEW_AUDIT}),
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
        }
    ),
    Role.BUSINESS_DEVELOPMENT: frozenset({Permission.VIEW, Permission.MANAGE_PROFILE, Permission.RESPOND}),
    Role.PROJECT: frozenset({Permission.VIEW, Permission.RESPOND, Permission.MANAGE_EXECUTION}),
    Role.QUALITY: frozenset({Permission.VIEW, Permission.MANAGE_QUALITY, Permission.VIEW_AUDIT}),
}

PERMISSIONS: dict[str, dict[str, frozenset[Permission]]] = {
    OrganisationType.SPONSOR: _SPONSOR,
    OrganisationType.PROVIDER: _PROVIDER,
}


def role_allows(*, organisation_type: str, role: str, permission: Permission) -> bool:
    """Whether ``role`` in an organisation of ``organisation_type`` grants ``permission``."""
    return permission in role_permissions(organisation_type=organisation_type, role=role)


def role_permissions(*, organisation_type: str, role: str) -> frozenset[Permission]:
    """Everything ``role`` grants in an organisation of ``organisation_type``."""
    return PERMISSIONS.get(organisation_type, {}).get(role, frozenset())


def roles_for(organisation_type: str) -> list[tuple[str, str]]:
    """(value, label) pairs of the roles an organisation of this type can grant."""
    return [(r, Role(r).label) for r in ROLES_BY_TYPE.get(organisation_type, ())]

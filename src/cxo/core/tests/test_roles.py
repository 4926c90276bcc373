"""The role table: what each role may do, in sponsors and providers."""

from __future__ import annotations

import pytest

from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import (
    PERMISSIONS,
    ROLES_BY_TYPE,
    OrganisationType,
    Permission,
    Role,
    role_allows,
    roles_for,
    roles_in_table,
)
from cxo.core.selectors import user_can


def test_every_grantable_role_has_permissions_and_nothing_else_has() -> None:
    for org_type, roles in ROLES_BY_TYPE.items():
        flows = {"guest"} if org_type == OrganisationType.PROVIDER else set()
        assert set(PERMISSIONS[org_type]) == set(roles) | flows, org_type
        assert roles_in_table(org_type) == (*roles, *flows)
        for role in roles:
            assert Permission.VIEW in PERMISSIONS[org_type][role], (org_type, role)


@pytest.mark.parametrize(
    ("org_type", "role", "allowed"),
    [
        (
            "sponsor",
            "admin",
            {
                "view",
                "read_invitations",
                "manage_members",
                "view_audit",
                "manage_sourcing",
                "evaluate",
                "sign_award",
                "manage_execution",
                "manage_quality",
                "sign_quality",
                "manage_finance",
                "sign_contract",
            },
        ),
        (
            "sponsor",
            "sourcing",
            {"view", "read_invitations", "manage_sourcing", "evaluate", "sign_award", "sign_contract"},
        ),
        (
            "sponsor",
            "quality",
            {"view", "read_invitations", "evaluate", "manage_quality", "sign_quality", "view_audit"},
        ),
        ("provider", "quality", {"view", "read_invitations", "manage_quality", "sign_quality", "view_audit"}),
        ("sponsor", "viewer", {"view", "read_invitations"}),
        (
            "provider",
            "admin",
            {
                "view",
                "read_invitations",
                "manage_members",
                "view_audit",
                "manage_profile",
                "respond",
                "manage_execution",
                "manage_quality",
                "sign_quality",
                "manage_finance",
                "sign_contract",
            },
        ),
        (
            "provider",
            "business_development",
            {"view", "read_invitations", "manage_profile", "respond", "sign_contract"},
        ),
        ("provider", "guest", {"read_invitations", "respond", "request_claim"}),
    ],
)
def test_role_allows_exactly_its_permissions(org_type: str, role: str, allowed: set[str]) -> None:
    granted = {p.value for p in Permission if role_allows(organisation_type=org_type, role=role, permission=p)}
    assert granted == allowed


def test_sponsors_do_not_respond_and_providers_do_not_award() -> None:
    assert not role_allows(organisation_type="sponsor", role="admin", permission=Permission.RESPOND)
    assert not role_allows(organisation_type="provider", role="admin", permission=Permission.SIGN_AWARD)


def test_only_admins_manage_members_and_only_admins_and_quality_read_the_audit_trail() -> None:
    for org_type, roles in ROLES_BY_TYPE.items():
        for role in roles:
            members = role_allows(organisation_type=org_type, role=role, permission=Permission.MANAGE_MEMBERS)
            audit = role_allows(organisation_type=org_type, role=role, permission=Permission.VIEW_AUDIT)
            assert members == (role == "admin")
            assert audit == (role in ("admin", "quality"))


def test_unknown_roles_and_types_allow_nothing() -> None:
    assert not role_allows(organisation_type="sponsor", role="emperor", permission=Permission.VIEW)
    assert not role_allows(organisation_type="broker", role="admin", permission=Permission.VIEW)


def test_roles_for_offers_the_labels_of_the_type() -> None:
    assert roles_for(OrganisationType.PROVIDER) == [
        ("admin", "Administrator"),
        ("business_development", "Business development"),
        ("project", "Project management"),
        ("quality", "Quality assurance"),
    ]
    assert [value for value, _ in roles_for(OrganisationType.SPONSOR)] == [
        Role.ADMIN,
        Role.SOURCING,
        Role.PROJECT,
        Role.QUALITY,
        Role.FINANCE,
        Role.VIEWER,
    ]
    assert roles_for("broker") == []


def test_user_can_follows_the_membership(
    sponsor: Organisation, sponsor_user: User, teammate: User, outsider: User
) -> None:
    assert user_can(user=sponsor_user, organisation=sponsor, permission=Permission.MANAGE_MEMBERS)
    assert user_can(user=teammate, organisation=sponsor, permission=Permission.MANAGE_QUALITY)
    assert not user_can(user=teammate, organisation=sponsor, permission=Permission.MANAGE_MEMBERS)
    assert not user_can(user=outsider, organisation=sponsor, permission=Permission.VIEW)
    Membership.objects.filter(user=teammate).update(role="admin")
    assert user_can(user=teammate, organisation=sponsor, permission=Permission.MANAGE_MEMBERS)

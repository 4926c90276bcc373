"""Platform roles: beside the organisation roles, decided in the same module, audited when given."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cxo.core.errors import ServiceError
from cxo.core.models import AuditEvent, Organisation, User
from cxo.core.roles import PlatformPermission, PlatformRole, platform_can
from cxo.core.services import platform_role_set


def test_a_curator_curates_and_nobody_else_does(sponsor_user: User, sponsor: Organisation, outsider: User) -> None:
    assert not platform_can(outsider, PlatformPermission.CURATE_REGISTRY)  # no profile at all
    assert not platform_can(AnonymousUser(), PlatformPermission.CURATE_REGISTRY)
    platform_role_set(actor=None, user=outsider, role=PlatformRole.REGISTRY_CURATOR, reason="demo curator")
    outsider.refresh_from_db()
    assert platform_can(outsider, PlatformPermission.CURATE_REGISTRY)
    # an organisation admin is no curator: the two kinds of role are independent
    assert not platform_can(sponsor_user, PlatformPermission.CURATE_REGISTRY)
    event = AuditEvent.unscoped.get(action="user.platform_role")
    assert (event.organisation, event.changes, event.reason) == (
        None,
        {"platform_role": ["", "registry_curator"]},
        "demo curator",
    )


def test_a_curator_who_is_deactivated_or_demoted_curates_no_more(outsider: User) -> None:
    platform_role_set(actor=None, user=outsider, role=PlatformRole.REGISTRY_CURATOR)
    outsider.is_active = False
    assert not platform_can(outsider, PlatformPermission.CURATE_REGISTRY)
    outsider.is_active = True
    platform_role_set(actor=None, user=outsider, role="")
    outsider.refresh_from_db()
    assert not platform_can(outsider, PlatformPermission.CURATE_REGISTRY)


def test_an_unknown_platform_role_is_refused(outsider: User) -> None:
    with pytest.raises(ServiceError, match="Unknown platform role"):
        platform_role_set(actor=None, user=outsider, role="emperor")

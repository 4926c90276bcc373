"""Platform services: organisations, memberships, invitations and API tokens, with their audit trail."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.fixtures import Settings

from cxo.core import services
from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import ApiToken, AuditEvent, Membership, Organisation, OrganisationInvitation, User
from cxo.core.roles import OrganisationType
from cxo.testing.factories import UserFactory


def _events(organisation: Organisation, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_organisation(organisation).filter(action=action).order_by("id"))


# --- organisations and memberships ------------------------------------------------------------


def test_organisation_create_makes_the_admin_a_member_and_audits_both(db: None) -> None:
    founder = UserFactory.create(username="founder")
    org = services.organisation_create(
        actor=founder, name="  Gamma Bio  ", type=OrganisationType.SPONSOR, admin=founder
    )

    assert (org.name, org.slug, org.type) == ("Gamma Bio", "gamma-bio", "sponsor")
    assert Membership.objects.get(organisation=org).role == "admin"
    [created] = _events(org, "organisation.create")
    assert created.changes == {"name": [None, "Gamma Bio"], "type": [None, "sponsor"]}
    assert created.actor_label == "founder"
    [added] = _events(org, "membership.add")
    assert added.changes == {"user": [None, "founder"], "role": [None, "admin"]}


def test_organisation_slugs_stay_unique(db: None) -> None:
    first = services.organisation_create(actor=None, name="Delta Labs", type=OrganisationType.PROVIDER)
    second = services.organisation_create(actor=None, name="Delta Labs", type=OrganisationType.PROVIDER)
    assert (first.slug, second.slug) == ("delta-labs", "delta-labs-2")


@pytest.mark.parametrize(("name", "type_", "field"), [(" ", "sponsor", "name"), ("Epsilon", "broker", "type")])
def test_organisation_create_rejects_bad_input(db: None, name: str, type_: str, field: str) -> None:
    with pytest.raises(ServiceError) as exc:
        services.organisation_create(actor=None, name=name, type=type_)
    assert exc.value.field == field
    assert Organisation.objects.count() == 0


def test_membership_add_twice_is_a_conflict(sponsor: Organisation, teammate: User) -> None:
    with pytest.raises(Conflict, match="bob is already a member of Alpha Biotech"):
        services.membership_add(actor=None, organisation=sponsor, user=teammate, role="viewer")
    assert Membership.objects.get(organisation=sponsor, user=teammate).role == "quality"


def test_membership_add_refuses_a_role_of_the_other_organisation_type(provider: Organisation) -> None:
    with pytest.raises(ServiceError, match="'finance' is not a role in a provider organisation"):
        services.membership_add(actor=None, organisation=provider, user=UserFactory.create(), role="finance")


def test_change_role_records_old_and_new_role_and_the_reason(
    sponsor: Organisation, sponsor_user: User, teammate: User
) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)

    services.membership_change_role(actor=sponsor_user, membership=membership, role="sourcing", reason="new RFP lead")

    membership.refresh_from_db()
    assert membership.role == "sourcing"
    [event] = _events(sponsor, "membership.change_role")
    assert event.changes == {"role": ["quality", "sourcing"]}
    assert (event.actor, event.actor_label, event.reason) == (sponsor_user, "alice", "new RFP lead")
    assert event.object_type == "core.membership"
    assert event.object_id == str(membership.pk)


def test_change_role_to_the_same_role_records_nothing(
    sponsor: Organisation, sponsor_user: User, teammate: User
) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    services.membership_change_role(actor=sponsor_user, membership=membership, role="quality")
    assert _events(sponsor, "membership.change_role") == []


def test_the_last_admin_cannot_be_demoted(sponsor: Organisation, sponsor_user: User) -> None:
    own = Membership.objects.get(organisation=sponsor, user=sponsor_user)
    with pytest.raises(Conflict, match="at least one administrator"):
        services.membership_change_role(actor=sponsor_user, membership=own, role="viewer")
    own.refresh_from_db()
    assert own.role == "admin"
    assert _events(sponsor, "membership.change_role") == []


def test_an_admin_can_step_down_once_another_admin_exists(
    sponsor: Organisation, sponsor_user: User, teammate: User
) -> None:
    services.membership_change_role(
        actor=sponsor_user, membership=Membership.objects.get(user=teammate, organisation=sponsor), role="admin"
    )
    own = Membership.objects.get(organisation=sponsor, user=sponsor_user)
    services.membership_change_role(actor=sponsor_user, membership=own, role="viewer")
    assert set(sponsor.memberships.values_list("user__username", "role")) == {("alice", "viewer"), ("bob", "admin")}


def test_a_teammate_without_manage_members_may_not_change_roles(
    sponsor: Organisation, sponsor_user: User, teammate: User
) -> None:
    admin_membership = Membership.objects.get(organisation=sponsor, user=sponsor_user)
    with pytest.raises(NotPermitted, match=r"Your role \(Quality assurance\) does not allow managing members"):
        services.membership_change_role(actor=teammate, membership=admin_membership, role="viewer")


def test_an_outsider_cannot_change_roles_and_learns_nothing(
    sponsor: Organisation, teammate: User, outsider: User
) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    with pytest.raises(NotFound):
        services.membership_change_role(actor=outsider, membership=membership, role="viewer")
    membership.refresh_from_db()
    assert membership.role == "quality"


def test_membership_remove_audits_and_deletes(sponsor: Organisation, sponsor_user: User, teammate: User) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    services.membership_remove(actor=sponsor_user, membership=membership, reason="left the company")

    assert not Membership.objects.filter(organisation=sponsor, user=teammate).exists()
    [event] = _events(sponsor, "membership.remove")
    assert event.changes == {"user": ["bob", None], "role": ["quality", None]}
    assert event.reason == "left the company"


def test_the_last_admin_cannot_be_removed(sponsor: Organisation, sponsor_user: User) -> None:
    with pytest.raises(Conflict):
        services.membership_remove(
            actor=sponsor_user, membership=Membership.objects.get(organisation=sponsor, user=sponsor_user)
        )
    assert Membership.objects.filter(organisation=sponsor, user=sponsor_user).exists()


# --- invitations ------------------------------------------------------------------------------


def test_invitation_stores_only_the_hash_and_mails_the_accept_link(
    sponsor: Organisation, sponsor_user: User, django_capture_on_commit_callbacks: Any, settings: Settings
) -> None:
    settings.SITE_URL = "https://cxo.example"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=sponsor_user,
            organisation=sponsor,
            email=" New.Person@Example.TEST ",
            role="finance",
        )

    assert invitation.email == "new.person@example.test"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=services.INVITATION_DAYS)
    [message] = mail.outbox
    assert message.to == ["new.person@example.test"]
    assert message.subject == "You are invited to Alpha Biotech on CXO"
    assert f"https://cxo.example/invitations/{token}/" in message.body
    assert "as Finance" in message.body
    [event] = _events(sponsor, "invitation.create")
    assert event.changes == {"email": [None, "new.person@example.test"], "role": [None, "finance"]}
    assert token not in str(event.changes)


def test_no_mail_when_the_invitation_is_rolled_back(
    sponsor: Organisation, teammate: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotPermitted):
        services.invitation_create(actor=teammate, organisation=sponsor, email="x@example.test", role="viewer")
    assert mail.outbox == []
    assert OrganisationInvitation.objects.count() == 0


@pytest.mark.parametrize(
    ("email", "role", "error", "message"),
    [
        ("not-an-address", "viewer", ServiceError, "Enter a valid e-mail address."),
        ("bob@example.test", "viewer", Conflict, "bob@example.test is already a member of Alpha Biotech."),
        ("new@example.test", "business_development", ServiceError, "'business_development' is not a role"),
    ],
)
def test_invitation_create_rejects(
    sponsor: Organisation, sponsor_user: User, teammate: User, email: str, role: str, error: type, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        services.invitation_create(actor=sponsor_user, organisation=sponsor, email=email, role=role)
    assert OrganisationInvitation.objects.count() == 0


def test_an_outsider_cannot_invite_into_another_organisation(sponsor: Organisation, outsider: User) -> None:
    with pytest.raises(NotFound):
        services.invitation_create(actor=outsider, organisation=sponsor, email="spy@example.test", role="admin")


def test_accepting_creates_the_membership_with_the_invited_role(sponsor: Organisation, sponsor_user: User) -> None:
    invitation, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="dora@example.test", role="project"
    )
    dora = UserFactory.create(username="dora", email="dora@example.test")

    membership = services.invitation_accept(token=token, user=dora)

    assert (membership.organisation, membership.user, membership.role) == (sponsor, dora, "project")
    invitation.refresh_from_db()
    assert invitation.accepted_by == dora
    assert invitation.accepted_at is not None
    assert not invitation.is_open
    [event] = _events(sponsor, "invitation.accept")
    assert event.changes == {"accepted_by": [None, "dora"]}
    assert event.actor == dora


def test_a_used_invitation_cannot_be_used_again(sponsor: Organisation, sponsor_user: User) -> None:
    _, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="e@example.test", role="viewer"
    )
    services.invitation_accept(token=token, user=UserFactory.create(username="first"))
    with pytest.raises(NotFound, match="not valid any more"):
        services.invitation_accept(token=token, user=UserFactory.create(username="second"))
    assert list(sponsor.memberships.values_list("user__username", flat=True).order_by("user__username")) == [
        "alice",
        "first",
    ]


def test_an_expired_invitation_is_not_found(sponsor: Organisation, sponsor_user: User) -> None:
    invitation, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="late@example.test", role="viewer"
    )
    OrganisationInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotFound):
        services.invitation_by_token(token=token)
    with pytest.raises(NotFound):
        services.invitation_accept(token=token, user=UserFactory.create())


def test_a_revoked_invitation_is_not_found_and_cannot_be_revoked_twice(
    sponsor: Organisation, sponsor_user: User
) -> None:
    invitation, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="gone@example.test", role="viewer"
    )
    services.invitation_revoke(actor=sponsor_user, invitation=invitation)

    assert invitation.revoked_at is not None
    with pytest.raises(NotFound):
        services.invitation_by_token(token=token)
    with pytest.raises(Conflict, match="no longer open"):
        services.invitation_revoke(actor=sponsor_user, invitation=invitation)
    assert [e.object_repr for e in _events(sponsor, "invitation.revoke")] == ["Invitation of gone@example.test"]


def test_an_unknown_token_is_not_found(db: None) -> None:
    with pytest.raises(NotFound):
        services.invitation_by_token(token="no-such-token")


# --- API tokens -------------------------------------------------------------------------------


def test_api_token_keeps_only_the_hash_of_the_secret(sponsor: Organisation, sponsor_user: User) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="  CI export  ")

    assert token.name == "CI export"
    assert secret.startswith(f"cxo_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.key_hash != secret
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    assert [e.object_id for e in _events(sponsor, "api_token.create")] == [str(token.pk)]


def test_api_token_authenticates_its_user_and_records_last_use(sponsor_user: User) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="t")
    assert token.last_used_at is None

    assert services.api_token_authenticate(secret=secret) == sponsor_user

    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("mangle", [lambda s: s + "x", lambda s: s.replace("cxo_", "abc_"), lambda s: ""])
def test_a_wrong_secret_authenticates_nobody(sponsor_user: User, mangle: Callable[[str], str]) -> None:
    _, secret = services.api_token_create(user=sponsor_user, name="t")
    assert services.api_token_authenticate(secret=mangle(secret)) is None


def test_a_revoked_token_authenticates_nobody(sponsor: Organisation, sponsor_user: User) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="t")
    services.api_token_revoke(user=sponsor_user, token=token)
    services.api_token_revoke(user=sponsor_user, token=token)  # twice changes nothing

    assert services.api_token_authenticate(secret=secret) is None
    assert len(_events(sponsor, "api_token.revoke")) == 1


def test_a_deactivated_users_token_authenticates_nobody(sponsor_user: User) -> None:
    _, secret = services.api_token_create(user=sponsor_user, name="t")
    User.objects.filter(pk=sponsor_user.pk).update(is_active=False)
    assert services.api_token_authenticate(secret=secret) is None


def test_nobody_can_revoke_another_users_token(sponsor_user: User, outsider: User) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="t")
    with pytest.raises(NotFound):
        services.api_token_revoke(user=outsider, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.api_token_authenticate(secret=secret) == sponsor_user

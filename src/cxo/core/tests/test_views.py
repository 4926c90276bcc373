"""Platform pages: sign-in and throttling, passwords, members and invitations, API tokens, audit trail."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from conftest import login_client
from django.core import mail
from django.test import Client
from django.utils import timezone

from cxo.core import services
from cxo.core.demo import demo_tenants_load
from cxo.core.errors import NotFound
from cxo.core.models import ApiToken, AuditEvent, Membership, Organisation, OrganisationInvitation, User
from cxo.testing.factories import UserFactory

NEW_PASSWORD = "tidal-basin-quartz-77"


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- sign-in, throttling, sign-out ------------------------------------------------------------


def test_sign_in_leads_home_with_the_organisations(
    sponsor_user: User, sponsor: Organisation, provider: Organisation, password: str
) -> None:
    client = Client()
    assert client.get("/")["Location"] == "/accounts/login/"
    response = client.post("/accounts/login/", {"username": "alice", "password": password}, follow=True)

    assert response.redirect_chain == [("/dashboard/", 302)]
    html = response.content.decode()
    assert "Alpha Biotech" in html
    assert "Administrator" in html
    assert "Provan CDMO" not in html
    assert [m.organisation.slug for m, _sections, _links in response.context["homes"]] == ["alpha-biotech"]


def test_every_asset_the_pages_link_is_served(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {"/static/cxo/cxo.css", "/static/cxo/favicon.svg"} <= set(assets)
    assert any("htmx" in a for a in assets)
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset


def test_a_wrong_password_shows_the_form_again_with_a_message(sponsor_user: User) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_repeated_failures_lock_the_login_page(sponsor_user: User, password: str, settings: Any) -> None:
    client = Client()
    statuses = [
        client.post("/accounts/login/", {"username": "alice", "password": f"guess{i}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    locked = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_failure_count(sponsor_user: User, password: str, settings: Any) -> None:
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "alice", "password": f"guess{i}"})
    assert client.post("/accounts/login/", {"username": "alice", "password": password}).status_code == 302
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "alice", "password": "again"}).status_code == 200


def test_sign_out_needs_a_post_and_ends_the_session(sponsor_client: Client) -> None:
    assert sponsor_client.get("/accounts/logout/").status_code == 405
    response = sponsor_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert sponsor_client.get("/dashboard/")["Location"] == "/accounts/login/?next=/dashboard/"


def test_the_login_page_lists_demo_logins_in_development_once_loaded(db: None, settings: Any) -> None:
    settings.DEBUG = True
    assert Client().get("/accounts/login/").context["demo_logins"] == []
    demo_tenants_load()
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    assert [u.username for u in response.context["demo_logins"]] == [
        "sponsor",
        "teammate",
        "provider",
        "outsider",
        "curator",
    ]
    assert "cxo-demo-2026" in html and "Registry curator: decides claims of registry companies" in html
    # A login another app's demo adds (the second provider's bidder) is listed too, with what it is for.
    bidder = UserFactory.create(username="provider2", email="provider2@demo.cxo.localhost")
    services.membership_add(
        actor=None,
        organisation=Organisation.objects.create(name="Actavis Elizabeth LLC", slug="actavis"),
        user=bidder,
        role="admin",
    )
    logins = {u.username: u.what for u in Client().get("/accounts/login/").context["demo_logins"]}
    assert logins["provider2"] == "administrator of Actavis Elizabeth LLC"
    assert list(logins)[-1] == "provider2"
    settings.DEBUG = False
    assert "cxo-demo-2026" not in Client().get("/accounts/login/").content.decode()


def test_demo_users_sign_in_with_the_demo_password(db: None) -> None:
    demo_tenants_load()
    response = Client().post("/accounts/login/", {"username": "sponsor", "password": "cxo-demo-2026"}, follow=True)
    assert "Helixa Therapeutics (demo sponsor)" in response.content.decode()


# --- passwords --------------------------------------------------------------------------------


def test_password_change(sponsor_user: User, sponsor_client: Client, password: str) -> None:
    response = sponsor_client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/password_change/done/"
    sponsor_user.refresh_from_db()
    assert sponsor_user.check_password(NEW_PASSWORD)
    assert not sponsor_user.check_password(password)


def test_password_change_refuses_a_wrong_old_password(sponsor_user: User, sponsor_client: Client) -> None:
    response = sponsor_client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


def test_password_reset_by_e_mail(sponsor_user: User) -> None:
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.test"})
    assert response["Location"] == "/accounts/password_reset/done/"
    [message] = mail.outbox
    assert message.to == ["alice@example.test"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", str(message.body))
    assert link, message.body

    form_url = client.get(link.group(1))["Location"]  # Django swaps the token for a session-bound URL
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    sponsor_user.refresh_from_db()
    assert sponsor_user.check_password(NEW_PASSWORD)
    assert Client().post("/accounts/login/", {"username": "alice", "password": NEW_PASSWORD}).status_code == 302
    # The link works once.
    assert "This link is not valid" in client.get(link.group(1), follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db: None) -> None:
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.test"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


# --- organisation pages -----------------------------------------------------------------------


def test_quality_assurance_sees_the_organisation_and_its_audit_trail_but_not_members(
    sponsor: Organisation, teammate: User
) -> None:
    client = login_client(teammate)
    home = client.get(f"/o/{sponsor.slug}/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Quality assurance" in html
    assert f'href="/o/{sponsor.slug}/members/"' not in html
    members = client.get(f"/o/{sponsor.slug}/members/")
    assert members.status_code == 403
    assert "Your role (Quality assurance) does not allow managing members." in members.content.decode()
    # Reviewing the trail is QA's job: it reads it (and finds it in the bar), though it changes nothing there.
    assert client.get(f"/o/{sponsor.slug}/audit/").status_code == 200
    assert f'href="/o/{sponsor.slug}/audit/"' in html


@pytest.mark.parametrize("page", ["", "members/", "audit/"])
def test_the_outsider_gets_404_on_the_sponsors_pages(sponsor: Organisation, outsider_client: Client, page: str) -> None:
    response = outsider_client.get(f"/o/{sponsor.slug}/{page}")
    assert response.status_code == 404
    assert b"Alpha Biotech" not in response.content
    assert "Page not found" in response.content.decode()


# --- members and invitations ------------------------------------------------------------------


def test_an_admin_invites_from_the_members_page(
    sponsor: Organisation, sponsor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(
            f"/o/{sponsor.slug}/members/", {"email": "nina@example.test", "role": "sourcing"}, follow=True
        )
    assert messages_of(response) == ["Invitation sent to nina@example.test."]
    assert [(i.email, i.role) for i in response.context["invitations"]] == [("nina@example.test", "sourcing")]
    [message] = mail.outbox
    token = re.search(r"https://cxo\.example\.test/invitations/([\w-]+)/", str(message.body))
    assert token, message.body
    invitation = OrganisationInvitation.objects.get(email="nina@example.test")
    assert invitation.token_hash == hashlib.sha256(token.group(1).encode()).hexdigest()


def test_the_invite_form_shows_service_errors_on_the_field(
    sponsor: Organisation, sponsor_client: Client, teammate: User
) -> None:
    response = sponsor_client.post(f"/o/{sponsor.slug}/members/", {"email": "bob@example.test", "role": "viewer"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": ["bob@example.test is already a member of Alpha Biotech."]}
    bad_role = sponsor_client.post(f"/o/{sponsor.slug}/members/", {"email": "n@example.test", "role": "emperor"})
    assert "role" in bad_role.context["form"].errors


def test_an_admin_changes_a_role_from_the_members_page(
    sponsor: Organisation, sponsor_client: Client, teammate: User
) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    response = sponsor_client.post(
        f"/o/{sponsor.slug}/members/{membership.pk}/role/", {f"m{membership.pk}-role": "project"}, follow=True
    )
    assert messages_of(response) == ["bob is now Project management."]
    membership.refresh_from_db()
    assert membership.role == "project"
    event = AuditEvent.objects.for_organisation(sponsor).get(action="membership.change_role")
    assert (event.actor_label, event.changes) == ("alice", {"role": ["quality", "project"]})


def test_the_last_admin_cannot_demote_themself_from_the_page(
    sponsor: Organisation, sponsor_user: User, sponsor_client: Client
) -> None:
    own = Membership.objects.get(organisation=sponsor, user=sponsor_user)
    response = sponsor_client.post(
        f"/o/{sponsor.slug}/members/{own.pk}/role/", {f"m{own.pk}-role": "viewer"}, follow=True
    )
    assert messages_of(response) == ["An organisation must keep at least one administrator."]
    own.refresh_from_db()
    assert own.role == "admin"


def test_a_role_from_another_organisation_type_is_refused(
    sponsor: Organisation, sponsor_client: Client, teammate: User
) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    response = sponsor_client.post(
        f"/o/{sponsor.slug}/members/{membership.pk}/role/",
        {f"m{membership.pk}-role": "business_development"},
        follow=True,
    )
    assert messages_of(response) == ["Choose one of the roles offered."]
    membership.refresh_from_db()
    assert membership.role == "quality"


def test_an_admin_removes_a_member(sponsor: Organisation, sponsor_client: Client, teammate: User) -> None:
    membership = Membership.objects.get(organisation=sponsor, user=teammate)
    response = sponsor_client.post(f"/o/{sponsor.slug}/members/{membership.pk}/remove/", follow=True)
    assert messages_of(response) == ["bob was removed."]
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_of_another_organisation_is_not_reachable_through_this_one(
    sponsor: Organisation, sponsor_client: Client, outsider: User
) -> None:
    foreign = Membership.objects.get(user=outsider)
    response = sponsor_client.post(f"/o/{sponsor.slug}/members/{foreign.pk}/role/", {f"m{foreign.pk}-role": "viewer"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=foreign.pk).role == "admin"


def test_an_admin_revokes_an_invitation(sponsor: Organisation, sponsor_user: User, sponsor_client: Client) -> None:
    invitation, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="x@example.test", role="viewer"
    )
    response = sponsor_client.post(f"/o/{sponsor.slug}/invitations/{invitation.pk}/revoke/", follow=True)
    assert messages_of(response) == ["Invitation of x@example.test revoked."]
    assert list(response.context["invitations"]) == []
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_a_newcomer_accepts_by_creating_an_account(sponsor: Organisation, sponsor_user: User) -> None:
    _, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="nina@example.test", role="finance"
    )
    client = Client()
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 200
    assert page.context["signup"].initial == {"email": "nina@example.test"}

    response = client.post(
        f"/invitations/{token}/",
        {"username": "nina", "email": "nina@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(f"/o/{sponsor.slug}/", 302)]
    nina = User.objects.get(username="nina")
    assert Membership.objects.get(user=nina).role == "finance"
    assert response.context["user"] == nina
    assert client.get(f"/invitations/{token}/").status_code == 404


def test_a_newcomer_whose_invitation_is_spent_meanwhile_gets_no_account(
    sponsor: Organisation, sponsor_user: User, provider_user: User
) -> None:
    """Two people follow the same link; the one who accepts second is told so and left without an orphan account."""
    _, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="nina@example.test", role="finance"
    )
    client = Client()
    assert client.get(f"/invitations/{token}/").status_code == 200
    services.invitation_accept(token=token, user=provider_user)  # the other person, first
    signup = services.SignupData(username="nina", email="nina@example.test", password=NEW_PASSWORD)
    with pytest.raises(NotFound, match="not valid any more"):
        services.invitation_accept_signup(token=token, signup=signup)
    assert not User.objects.filter(username="nina").exists()
    response = client.post(
        f"/invitations/{token}/",
        {"username": "nina", "email": "nina@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="nina").exists()


def test_a_signed_in_user_accepts_with_one_click(
    sponsor: Organisation, sponsor_user: User, provider_user: User
) -> None:
    _, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="priya@example.test", role="viewer"
    )
    client = login_client(provider_user)
    assert "Accept and join as priya" in client.get(f"/invitations/{token}/").content.decode()
    response = client.post(f"/invitations/{token}/")
    assert response["Location"] == f"/o/{sponsor.slug}/"
    assert Membership.objects.get(user=provider_user, organisation=sponsor).role == "viewer"


def test_an_expired_invitation_link_is_404(sponsor: Organisation, sponsor_user: User) -> None:
    invitation, token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="late@example.test", role="viewer"
    )
    OrganisationInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(f"/invitations/{token}/").status_code == 404
    assert Client().post(f"/invitations/{token}/", {"username": "late"}).status_code == 404
    assert not User.objects.filter(username="late").exists()


# --- API tokens -------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(sponsor_user: User, sponsor_client: Client) -> None:
    response = sponsor_client.post("/account/tokens/", {"name": "reporting"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("cxo_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=sponsor_user)
    assert (token.name, token.key_hash) == ("reporting", hashlib.sha256(secret.encode()).hexdigest())

    again = sponsor_client.get("/account/tokens/").content.decode()
    assert secret not in again
    assert f"cxo_{token.prefix}_…" in again
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == "alice"


def test_revoking_a_token_in_the_ui_stops_it_working(sponsor_user: User, sponsor_client: Client) -> None:
    token, secret = services.api_token_create(user=sponsor_user, name="old script")
    response = sponsor_client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert messages_of(response) == ["Token “old script” revoked."]
    assert "revoked" in response.content.decode()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_nobody_sees_or_revokes_another_users_tokens(sponsor_user: User, outsider_client: Client) -> None:
    token, _ = services.api_token_create(user=sponsor_user, name="alice-report-script")
    assert "alice-report-script" not in outsider_client.get("/account/tokens/").content.decode()
    assert outsider_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- audit trail ------------------------------------------------------------------------------


def test_the_audit_page_lists_and_filters_the_trail(
    sponsor: Organisation, sponsor_user: User, sponsor_client: Client, teammate: User
) -> None:
    services.membership_change_role(
        actor=sponsor_user,
        membership=Membership.objects.get(user=teammate, organisation=sponsor),
        role="viewer",
        reason="read-only from now",
    )
    page = sponsor_client.get(f"/o/{sponsor.slug}/audit/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 4
    # The filters and rows speak of records and actions in words; the codes stay what is filtered on.
    assert page.context["form"].fields["action"].choices == [
        ("", "Any"),
        ("membership.add", "Membership added"),
        ("membership.change_role", "Membership role changed"),
        ("organisation.create", "Organisation created"),
    ]
    assert page.context["form"].fields["object_type"].choices == [
        ("", "Any"),
        ("core.membership", "Membership"),
        ("core.organisation", "Organisation"),
    ]

    filtered = sponsor_client.get(f"/o/{sponsor.slug}/audit/", {"action": "membership.change_role"})
    [event] = filtered.context["page"]
    assert event.changes == {"role": ["quality", "viewer"]}
    html = filtered.content.decode()
    assert "read-only from now" in html
    assert '<span class="diff-old">quality</span> → <span class="diff-new">viewer</span>' in html
    assert '<td title="membership.change_role">Membership role changed</td>' in html
    assert "<small>Membership #" in html


def test_the_audit_filter_answers_htmx_with_rows_only(sponsor: Organisation, sponsor_client: Client) -> None:
    response = sponsor_client.get(f"/o/{sponsor.slug}/audit/", {"actor": "system"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="audit-table"' in html
    assert "2 events" in html


def test_an_invalid_audit_filter_is_reported_and_the_valid_ones_apply(
    sponsor: Organisation, sponsor_client: Client
) -> None:
    response = sponsor_client.get(f"/o/{sponsor.slug}/audit/", {"since": "not-a-date", "action": "membership.add"})
    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["membership.add"]
    assert "Since: Enter a valid date. (this filter is not applied)" in response.content.decode()


def test_the_htmx_filter_puts_only_the_chosen_filters_in_the_address_bar(
    sponsor: Organisation, sponsor_client: Client
) -> None:
    response = sponsor_client.get(
        f"/o/{sponsor.slug}/audit/", {"action": "membership.add", "actor": "", "q": ""}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Push-Url"] == f"/o/{sponsor.slug}/audit/?action=membership.add"

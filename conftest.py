"""Shared fixtures: fast settings, the personas, and the test world of the tenant-isolation walk.

Personas: ``sponsor_user`` (admin of the sponsor), ``teammate`` (quality, same sponsor),
``provider_user`` (admin of a provider), ``provider_b_user`` (admin of a second provider) and
``outsider`` (admin of another sponsor, who must see nothing of the first).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import Settings

from cxo.core import services
from cxo.core.models import Membership, Notification, Organisation, OrganisationClaim, User
from cxo.core.roles import OrganisationType, PlatformRole
from cxo.matching import live
from cxo.testing.contracts import contracts_world
from cxo.testing.factories import TEST_PASSWORD, UserFactory
from cxo.testing.quality import quality_world
from cxo.testing.registry_factories import registry_world
from cxo.testing.sourcing import sourcing_world

# Property tests: "ci" (the default) keeps make test quick; HYPOTHESIS_PROFILE=thorough searches ten times harder.
for _name, _examples in (("ci", 100), ("thorough", 1000)):
    hypothesis_settings.register_profile(
        _name, max_examples=_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    # scripts/run_tests.py says which database each run is for: a run that silently fell back to
    # another one (say SQLite when PostgreSQL was meant) must fail rather than pass for the wrong reason.
    from django.conf import settings

    expected = os.environ.get("CXO_EXPECT_DATABASE")
    engine = settings.DATABASES["default"]["ENGINE"]
    if expected and expected not in engine.rsplit(".", 1)[-1]:
        raise pytest.UsageError(f"This run is meant for {expected}, but the database engine is {engine}.")


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle, and the same order on every xdist worker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first: the workers share out the rest as they go, and none ends alone on a long one."""
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in ("fuzz", "long", "e2e")))


@pytest.fixture(autouse=True)
def _fast_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"  # uploaded documents never land in var/
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test's registry is rolled back, and SQLite may hand the next test's fact groups the same ids:
    # the directory's in-memory columns check the index's version on every search.
    settings.CXO_DIRECTORY_VERSION_TTL = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://cxo.example.test"  # e-mailed links are absolute, on this address
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


def _org(name: str, slug: str, type_: str, admin: User) -> Organisation:
    return services.organisation_create(actor=None, name=name, type=type_, slug=slug, admin=admin)


@pytest.fixture
def sponsor_user(db: None) -> User:
    return UserFactory.create(username="alice")


@pytest.fixture
def sponsor(sponsor_user: User) -> Organisation:
    return _org("Alpha Biotech", "alpha-biotech", OrganisationType.SPONSOR, sponsor_user)


@pytest.fixture
def teammate(sponsor: Organisation) -> User:
    user = UserFactory.create(username="bob")
    services.membership_add(actor=None, organisation=sponsor, user=user, role="quality")
    return user


@pytest.fixture
def provider_user(db: None) -> User:
    return UserFactory.create(username="priya")


@pytest.fixture
def provider(provider_user: User) -> Organisation:
    return _org("Provan CDMO", "provan-cdmo", OrganisationType.PROVIDER, provider_user)


@pytest.fixture
def provider_b_user(db: None) -> User:
    return UserFactory.create(username="bruno")


@pytest.fixture
def provider_b(provider_b_user: User) -> Organisation:
    """A second provider: invited alongside the first in some tests, a bystander to it in others."""
    return _org("Bravo CRO", "bravo-cro", OrganisationType.PROVIDER, provider_b_user)


@pytest.fixture
def outsider(db: None) -> User:
    user = UserFactory.create(username="charlie")
    _org("Charlie Pharma", "charlie-pharma", OrganisationType.SPONSOR, user)
    return user


def login_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page_queries(client: Client, url: str) -> int:
    """How many queries a second GET of ``url`` takes: the session and role checks are warmed by the first.

    The matching index re-reads the registry's version every few seconds and rebuilds when another test's
    registry is still cached; neither may land inside the counted request, so the index is rebuilt first and
    not checked again.
    """
    with override_settings(CXO_MATCH_VERSION_TTL=3600):
        live.match_index(force=True)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def sponsor_client(sponsor_user: User, sponsor: Organisation) -> Client:
    return login_client(sponsor_user)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return login_client(outsider)


@pytest.fixture
def world(
    sponsor: Organisation,
    sponsor_user: User,
    teammate: User,
    provider: Organisation,
    provider_user: User,
    outsider: User,
) -> SimpleNamespace:
    """One of every tenant-owned object, owned by the sponsor: what the outsider must never reach."""
    invitation, invitation_token = services.invitation_create(
        actor=sponsor_user, organisation=sponsor, email="newcomer@example.test", role="viewer"
    )
    sponsor_token, sponsor_secret = services.api_token_create(user=sponsor_user, name="walk")
    _, outsider_secret = services.api_token_create(user=outsider, name="walk")
    from cxo.matching import services as matching_services

    shortlist = matching_services.shortlist_create(actor=sponsor_user, organisation=sponsor, name="Walk shortlist")
    shortlist_entry = matching_services.shortlist_add(actor=sponsor_user, shortlist=shortlist, provider=provider)
    registry = registry_world()
    sourcing = sourcing_world(
        sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user
    )
    quality = quality_world(sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    contracts = contracts_world(
        sponsor=sponsor,
        sponsor_user=sponsor_user,
        provider=provider,
        provider_user=provider_user,
        work_order=sourcing.pop("work_order"),
    )
    _, provider_secret = services.api_token_create(user=provider_user, name="walk")
    sponsor_notification = Notification.objects.for_user(sponsor_user).exclude(url="").first()
    assert sponsor_notification is not None  # the provider's question and proposal in the world told the sponsor
    # a registry curator (no membership) and a guest bidder of the provider holding none of the world's invitations,
    # with a claim request: both try every tenant route in the walk
    curator = UserFactory.create(username="walk-curator")
    services.platform_role_set(actor=None, user=curator, role=PlatformRole.REGISTRY_CURATOR)
    guest_user = UserFactory.create(username="walk-guest")
    services.guest_membership_add(user=guest_user, organisation=provider)
    claim = OrganisationClaim.objects.create(organisation=provider, requester=guest_user, message="walk")
    return SimpleNamespace(
        **registry,
        **sourcing,
        **quality,
        **contracts,
        provider_user=provider_user,
        provider_secret=provider_secret,
        sponsor=sponsor,
        sponsor_user=sponsor_user,
        provider=provider,
        outsider=outsider,
        teammate_membership=Membership.objects.get(user=teammate, organisation=sponsor),
        invitation=invitation,
        invitation_token=invitation_token,
        sponsor_token=sponsor_token,
        sponsor_secret=sponsor_secret,
        outsider_secret=outsider_secret,
        shortlist=shortlist,
        shortlist_entry=shortlist_entry,
        sponsor_notification=sponsor_notification,
        curator=curator,
        guest_user=guest_user,
        claim=claim,
    )

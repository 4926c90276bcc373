from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_django.fixtures import Settings

from cxo.core import services as core_services
from cxo.core.models import Organisation, User
from cxo.testing.factories import UserFactory
from cxo.testing.sourcing import sourcing_world


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def provider_b_user(db: None) -> User:
    return UserFactory.create(username="bruno")


@pytest.fixture
def provider_b(provider_b_user: User) -> Organisation:
    return core_services.organisation_create(
        actor=None, name="Bravo CRO", type="provider", slug="bravo-cro", admin=provider_b_user
    )


@pytest.fixture
def sw(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User, teammate: User
) -> SimpleNamespace:
    """The sourcing world: an issued RFP with one invited provider that asked a question and submitted v1."""
    objects = sourcing_world(sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    return SimpleNamespace(
        sponsor=sponsor,
        sponsor_user=sponsor_user,
        provider=provider,
        provider_user=provider_user,
        teammate=teammate,
        **objects,
    )

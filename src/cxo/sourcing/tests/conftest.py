from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_django.fixtures import Settings

from cxo.core.models import Organisation, User
from cxo.testing.sourcing import sourcing_world


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


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

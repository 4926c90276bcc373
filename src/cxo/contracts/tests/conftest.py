from __future__ import annotations

from types import SimpleNamespace

import pytest

from cxo.core import services as core_services
from cxo.core.models import Organisation, User
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.factories import UserFactory
from cxo.testing.sourcing import sourcing_world


@pytest.fixture
def bystander_user(db: None) -> User:
    return UserFactory.create(username="bruno")


@pytest.fixture
def bystander(bystander_user: User) -> Organisation:
    """A provider that is no party to the sponsor's work orders."""
    return core_services.organisation_create(
        actor=None, name="Bravo CRO", type="provider", slug="bravo-cro", admin=bystander_user
    )


@pytest.fixture
def closed(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User, outsider: User
) -> SimpleNamespace:
    """The sourcing world with its issued RFP closed: the provider's v1 (12,000 / 85,000.50 / 4,000) awaits award."""
    objects = sourcing_world(sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    rfp_close(actor=sponsor_user, rfp=objects["rfp"])
    objects["rfp"].refresh_from_db()
    return SimpleNamespace(
        sponsor=sponsor,
        sponsor_user=sponsor_user,
        provider=provider,
        provider_user=provider_user,
        outsider=outsider,
        **objects,
    )

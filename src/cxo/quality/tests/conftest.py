"""Quality test fixtures: the sponsor's quality roles, a provider's site, its terms."""

from __future__ import annotations

import pytest

from cxo.core import services
from cxo.core.models import Organisation, User
from cxo.registry.models import Site, Term
from cxo.testing.factories import UserFactory
from cxo.testing.quality import provider_site, quality_terms


@pytest.fixture
def terms(db: None) -> dict[str, Term]:
    return quality_terms()


@pytest.fixture
def site(provider: Organisation) -> Site:
    return provider_site(provider, name="Provan Leeds plant", fei="0003004005")


@pytest.fixture
def viewer(sponsor: Organisation) -> User:
    """A sponsor member who reads the quality records and signs nothing."""
    user = UserFactory.create(username="vera")
    services.membership_add(actor=None, organisation=sponsor, user=user, role="viewer")
    return user


@pytest.fixture
def sourcer(sponsor: Organisation) -> User:
    """A sponsor member in sourcing: manages RFPs, not quality."""
    user = UserFactory.create(username="sid")
    services.membership_add(actor=None, organisation=sponsor, user=user, role="sourcing")
    return user

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from cxo.contracts.models import WorkOrder
from cxo.core.models import User
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.contracts import awarded_work_order


@pytest.fixture
def closed(world: SimpleNamespace) -> SimpleNamespace:
    """The walk's world with its issued RFP closed: the provider's v1 (12,000 / 85,000.50 / 4,000) awaits award."""
    world.rfp = rfp_close(actor=world.sponsor_user, rfp=world.rfp)
    return world


@pytest.fixture
def draft(world: SimpleNamespace) -> WorkOrder:
    """A second award's draft work order (6 x 100, 3 x 200, 3 x 10 = 1,230 USD) under the world's agreement."""
    return awarded_work_order(
        sponsor_user=world.sponsor_user,
        provider=world.provider,
        provider_user=world.provider_user,
        need=world.need,
        title="Method transfer",
        prices=("100", "200", "10"),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client

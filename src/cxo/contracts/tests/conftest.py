from __future__ import annotations

from types import SimpleNamespace

import pytest

from cxo.sourcing.services.rfp import rfp_close


@pytest.fixture
def closed(world: SimpleNamespace) -> SimpleNamespace:
    """The walk's world with its issued RFP closed: the provider's v1 (12,000 / 85,000.50 / 4,000) awaits award."""
    world.rfp = rfp_close(actor=world.sponsor_user, rfp=world.rfp)
    return world

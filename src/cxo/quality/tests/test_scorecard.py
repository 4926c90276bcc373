"""Scorecards from data: each measure from the records of the period, no data where there are none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from cxo.quality.scorecard import scorecard
from cxo.registry.models import ComplianceKind
from cxo.testing.quality import compliance_event


def test_the_walk_worlds_provider_scored_over_the_last_year(world: SimpleNamespace) -> None:
    today = timezone.localdate()
    card = scorecard(sponsor=world.sponsor, provider=world.provider, start=today - dt.timedelta(days=365), end=today)
    scores = {m.key: m.score for m in card.measures}
    assert scores == {
        "response": Decimal("100.0"),  # two invitations, both answered with a proposal
        "timeliness": Decimal("100.0"),
        "findings": Decimal("85.0"),  # one audit, one major finding
        "capas": Decimal("100.0"),  # the proposal and the completed action, both on time
        "changes": Decimal("100.0"),  # notified 60 days before the change
        "compliance": None,  # no FDA record in the period
    }
    assert card.overall == Decimal("95.0")
    assert card.formula == "(10 x 100.0 + 10 x 100.0 + 25 x 85.0 + 20 x 100.0 + 10 x 100.0) / 75 = 95.0"


def test_a_period_without_records_has_no_data_not_zero(world: SimpleNamespace) -> None:
    card = scorecard(
        sponsor=world.sponsor, provider=world.provider, start=dt.date(2010, 1, 1), end=dt.date(2010, 12, 31)
    )
    assert {m.score for m in card.measures} == {None}
    assert card.overall is None
    assert card.formula == "No measure has data in this period."


def test_the_public_record_scores_the_site(world: SimpleNamespace) -> None:
    today = timezone.localdate()
    site = world.quality_site
    compliance_event(
        site, kind=ComplianceKind.INSPECTION, classification="VAI", occurred_on=today - dt.timedelta(days=40)
    )
    compliance_event(
        site, kind=ComplianceKind.RECALL, classification="Class II", occurred_on=today - dt.timedelta(days=9)
    )
    card = scorecard(
        sponsor=world.sponsor, provider=world.provider, site=site, start=today - dt.timedelta(days=365), end=today
    )
    compliance = next(m for m in card.measures if m.key == "compliance")
    assert compliance.score == Decimal("85.0")  # 100 - 10 (Class II) - 5 (VAI)
    assert compliance.basis.startswith("1 inspection record, 0 serious")

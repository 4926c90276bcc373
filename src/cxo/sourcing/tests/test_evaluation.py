"""Scores and the weighted result."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from cxo.core.errors import ServiceError
from cxo.sourcing import comparison
from cxo.sourcing.comparison import weighted_score
from cxo.sourcing.services.evaluation import ScoreData, score_set


def test_weighted_score_is_the_weighted_mean() -> None:
    assert weighted_score(weights={1: 35, 2: 30, 3: 20, 4: 15}, scores={1: 8, 2: 6, 3: 10, 4: 4}) == Decimal("7.20")
    assert weighted_score(weights={1: 50, 2: 50}, scores={1: 8}) is None


def test_each_evaluator_scores_and_the_mean_is_shown(sw: SimpleNamespace) -> None:
    criteria = list(sw.rfp.criteria.all())
    score_set(
        actor=sw.sponsor_user,
        proposal=sw.proposal,
        scores=[ScoreData(c.pk, s) for c, s in zip(criteria, [8, 6, 10, 4], strict=True)],
    )
    score_set(
        actor=sw.teammate,
        proposal=sw.proposal,
        scores=[ScoreData(c.pk, s) for c, s in zip(criteria, [6, 6, 6, 6], strict=True)],
    )
    [result] = comparison.rfp_evaluation(rfp=sw.rfp)
    assert result.by_evaluator == {"alice": Decimal("7.20"), "bob": Decimal("6.00")}
    assert result.weighted == Decimal("6.60")
    # scoring again replaces the evaluator's own score
    score_set(actor=sw.teammate, proposal=sw.proposal, scores=[ScoreData(criteria[0].pk, 10)])
    [result] = comparison.rfp_evaluation(rfp=sw.rfp)
    assert result.by_evaluator["bob"] == Decimal("7.40")


def test_scores_outside_0_to_10_are_refused(sw: SimpleNamespace) -> None:
    c = sw.rfp.criteria.first()
    with pytest.raises(ServiceError, match=r"Scores are from 0 to 10 \('Price' got 11\)\."):
        score_set(actor=sw.sponsor_user, proposal=sw.proposal, scores=[ScoreData(c.pk, 11)])

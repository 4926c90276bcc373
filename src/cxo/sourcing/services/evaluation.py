"""Evaluation: each evaluator scores each proposal on the RFP's weighted criteria."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.sourcing.models import Proposal, RfpStatus, Score
from cxo.sourcing.services.access import member_require
from cxo.sourcing.states import rfp_require

SCORE_MAX = 10


@dataclass(frozen=True)
class ScoreData:
    criterion_id: int
    score: int
    comment: str = ""


@transaction.atomic
def score_set(*, actor: User, proposal: Proposal, scores: list[ScoreData]) -> list[Score]:
    """Record the actor's scores (0 to 10) of one proposal; scoring again replaces the actor's earlier score."""
    member_require(actor=actor, organisation=proposal.organisation, permission=Permission.EVALUATE, what="proposal")
    rfp_require(proposal.rfp, RfpStatus.ISSUED, RfpStatus.CLOSED, doing="score proposals")
    if proposal.current_version_id is None:
        raise ServiceError("This proposal has no submitted version to score.")
    criteria = {c.pk: c for c in proposal.rfp.criteria.all()}
    out: list[Score] = []
    for item in scores:
        criterion = criteria.get(item.criterion_id)
        if criterion is None:
            raise ServiceError(f"Criterion {item.criterion_id} is not one of this RFP's criteria.", field="scores")
        if not 0 <= item.score <= SCORE_MAX:
            raise ServiceError(
                f"Scores are from 0 to {SCORE_MAX} ('{criterion.name}' got {item.score}).", field="scores"
            )
        existing = (
            Score.objects.for_organisation(proposal.organisation)
            .filter(proposal=proposal, criterion=criterion, evaluator=actor)
            .first()
        )
        old = existing.score if existing else None
        if existing is None:
            existing = Score.objects.create(
                organisation=proposal.organisation,
                proposal=proposal,
                criterion=criterion,
                evaluator=actor,
                score=item.score,
                comment=item.comment.strip(),
            )
        else:
            existing.score, existing.comment, existing.scored_at = item.score, item.comment.strip(), timezone.now()
            existing.save(update_fields=["score", "comment", "scored_at"])
        if old != item.score:
            audit_record(
                actor=actor,
                organisation=proposal.organisation,
                action="proposal.score",
                obj=existing,
                object_repr=f"{proposal.provider.name} · {criterion.name}"[:255],
                changes={"score": [old, item.score]},
                reason=item.comment.strip(),
            )
        out.append(existing)
    return out

"""Sourcing reads, always scoped.

Sponsor side: everything the sponsor owns (``for_organisation``). Provider side: what the models
declare the provider a party to (``for_counterparty``): RFPs it is invited to once issued, its own
proposals and questions, and answers the sponsor published to all invitees — never another
provider's anything. What a provider reads of a row it may see is redacted here too (a published
question comes without its asker), so pages and the API show the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from cxo.core.errors import NotFound
from cxo.core.models import Organisation, User
from cxo.sourcing.models import (
    Award,
    Clarification,
    ClarificationVisibility,
    Document,
    Need,
    Programme,
    Proposal,
    ProposalVersion,
    Rfp,
    RfpInvitation,
    RfpLineItem,
    Score,
)

# --- sponsor side ------------------------------------------------------------------------------


def programme_list(*, organisation: Organisation) -> QuerySet[Programme]:
    return (
        Programme.objects.for_organisation(organisation)
        .select_related("modality", "dosage_form", "route")
        .annotate(need_count=Count("needs", distinct=True), rfp_count=Count("needs__rfps", distinct=True))
        .order_by("name")
    )


def programme_get(*, organisation: Organisation, programme_id: int) -> Programme:
    programme = (
        Programme.objects.for_organisation(organisation)
        .select_related("modality", "dosage_form", "route")
        .prefetch_related("team")
        .filter(pk=programme_id)
        .first()
    )
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def need_list(*, organisation: Organisation, programme: Programme | None = None) -> QuerySet[Need]:
    qs = Need.objects.for_organisation(organisation).select_related("programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.annotate(rfp_count=Count("rfps")).order_by("programme__name", "title")


def need_get(*, organisation: Organisation, need_id: int) -> Need:
    need = Need.objects.for_organisation(organisation).select_related("programme").filter(pk=need_id).first()
    if need is None:
        raise NotFound("No such need.")
    return need


def need_criteria_rows(*, need: Need) -> list[tuple[str, str]]:
    """The need's criteria as (label, value) lines, taxonomy codes shown by their term names."""
    from cxo.registry.models import Term

    criteria = need.criteria or {}
    codes = [str(v) for values in criteria.values() if isinstance(values, list) for v in values]
    names = dict(Term.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        (
            key.replace("_", " ").capitalize(),
            ", ".join(names.get(str(v), str(v)) for v in values) if isinstance(values, list) else str(values),
        )
        for key, values in criteria.items()
    ]


def rfp_list(*, organisation: Organisation, status: str = "", need: Need | None = None) -> QuerySet[Rfp]:
    qs = (
        Rfp.objects.for_organisation(organisation)
        .select_related("need", "need__programme")
        .annotate(
            invitation_count=Count("invitations", distinct=True),
            proposal_count=Count("proposals", filter=Q(proposals__current_version__isnull=False), distinct=True),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if need is not None:
        qs = qs.filter(need=need)
    return qs.order_by("-created_at", "-id")


def rfp_get(*, organisation: Organisation, rfp_id: int) -> Rfp:
    rfp = (
        Rfp.objects.for_organisation(organisation)
        .select_related("need", "need__programme", "organisation")
        .prefetch_related("line_items", "questions", "criteria")
        .filter(pk=rfp_id)
        .first()
    )
    if rfp is None:
        raise NotFound("No such RFP.")
    return rfp


def award_get(*, rfp: Rfp) -> Award | None:
    """The RFP's award with its signature, the awarded proposal's provider and version; None before the award."""
    return (
        Award.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("signature", "proposal__provider", "version")
        .first()
    )


def invitation_list(*, rfp: Rfp) -> QuerySet[RfpInvitation]:
    return (
        RfpInvitation.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("provider", "invited_by", "responded_by")
        .order_by("provider__name")
    )


def clarification_list(*, rfp: Rfp) -> QuerySet[Clarification]:
    """All of an RFP's questions, with who asked (sponsor side)."""
    return (
        Clarification.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp)
        .select_related("provider", "asked_by", "answered_by")
        .order_by("asked_at", "id")
    )


def clarification_get(*, organisation: Organisation, clarification_id: int) -> Clarification:
    clarification = (
        Clarification.objects.for_organisation(organisation)
        .select_related("rfp", "provider")
        .filter(pk=clarification_id)
        .first()
    )
    if clarification is None:
        raise NotFound("No such question.")
    return clarification


def _version_prefetch() -> list[Any]:
    return [
        Prefetch("current_version__lines", to_attr="line_list"),
        "current_version__milestones",
        "current_version__answers",
        "current_version__documents",
    ]


def proposal_list(*, rfp: Rfp) -> QuerySet[Proposal]:
    """The RFP's proposals that have a submitted version (sponsor side)."""
    return (
        Proposal.objects.for_organisation(rfp.organisation)
        .filter(rfp=rfp, current_version__isnull=False)
        .select_related("provider", "current_version", "current_version__submitted_by")
        .order_by("provider__name")
    )


def proposal_get(*, organisation: Organisation, proposal_id: int) -> Proposal:
    proposal = (
        Proposal.objects.for_organisation(organisation)
        .select_related("provider", "rfp", "current_version")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def version_list(*, proposal: Proposal) -> QuerySet[ProposalVersion]:
    return (
        proposal.versions.select_related("submitted_by")
        .prefetch_related("lines__line_item", "milestones", "answers__question", "documents")
        .order_by("-number")
    )


def document_get_for_sponsor(*, organisation: Organisation, document_id: int) -> Document:
    document = Document.objects.for_organisation(organisation).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document


# --- comparison and evaluation ------------------------------------------------------------------


@dataclass
class Cell:
    proposal: Proposal
    unit_price: Decimal | None = None
    quantity: Decimal | None = None
    amount: Decimal | None = None
    assumption: str = ""
    low: bool = False
    high: bool = False
    missing: bool = False
    quantity_changed: bool = False
    previous_unit_price: Decimal | None = None
    changed: bool = False


@dataclass
class Row:
    item: RfpLineItem
    cells: list[Cell]


@dataclass
class TimelineRow:
    proposal: Proposal
    milestones: list[Any]
    start: Any
    finish: Any
    earliest_finish: bool = False
    summary: str = ""


@dataclass
class Comparison:
    rfp: Rfp
    proposals: list[Proposal]
    rows: list[Row]
    totals: list[tuple[Proposal, Decimal, bool, bool]]
    timelines: list[TimelineRow]
    flags: int = 0
    notes: dict[int, list[str]] = field(default_factory=dict)


def _mark_extremes(cells: list[Cell], attr: str) -> None:
    values = [getattr(c, attr) for c in cells if getattr(c, attr) is not None]
    if len(values) < 2 or min(values) == max(values):
        return
    low, high = min(values), max(values)
    for c in cells:
        v = getattr(c, attr)
        c.low, c.high = v == low, v == high


def rfp_comparison(*, rfp: Rfp) -> Comparison:
    """The RFP's current proposals side by side: per line, lowest and highest marked, missing and changed
    lines flagged (no price; a quantity other than the RFP's; a price changed since the previous version),
    totals, and the proposed timelines."""
    proposals = list(proposal_list(rfp=rfp))
    items = list(rfp.line_items.all())
    by_version: dict[int, dict[int, Any]] = {}
    previous: dict[int, dict[int, Any]] = {}
    for p in proposals:
        version = p.current_version
        assert version is not None
        by_version[p.pk] = {ln.line_item_id: ln for ln in version.lines.all()}
        prev = p.versions.filter(number=version.number - 1).first()
        previous[p.pk] = {ln.line_item_id: ln for ln in prev.lines.all()} if prev else {}
    rows: list[Row] = []
    flags = 0
    for item in items:
        cells: list[Cell] = []
        for p in proposals:
            ln = by_version[p.pk].get(item.pk)
            cell = Cell(proposal=p)
            if ln is None or ln.unit_price is None:
                cell.missing = True
            else:
                cell.unit_price, cell.quantity, cell.amount, cell.assumption = (
                    ln.unit_price,
                    ln.quantity,
                    ln.amount,
                    ln.assumption,
                )
                cell.quantity_changed = ln.quantity != item.quantity
                prev_ln = previous[p.pk].get(item.pk)
                if previous[p.pk] and (prev_ln is None or prev_ln.unit_price != ln.unit_price):
                    cell.changed = True
                    cell.previous_unit_price = prev_ln.unit_price if prev_ln else None
            flags += cell.missing + cell.quantity_changed + cell.changed
            cells.append(cell)
        _mark_extremes(cells, "amount")
        rows.append(Row(item=item, cells=cells))
    totals_values = [p.current_version.total for p in proposals if p.current_version]
    low = min(totals_values) if len(set(totals_values)) > 1 else None
    high = max(totals_values) if len(set(totals_values)) > 1 else None
    totals = [
        (p, p.current_version.total, p.current_version.total == low, p.current_version.total == high)
        for p in proposals
        if p.current_version
    ]
    timelines: list[TimelineRow] = []
    for p in proposals:
        assert p.current_version is not None
        ms = list(p.current_version.milestones.all())
        timelines.append(
            TimelineRow(
                proposal=p,
                milestones=ms,
                start=ms[0].due_date if ms else None,
                finish=ms[-1].due_date if ms else None,
                summary=p.current_version.timeline_summary,
            )
        )
    finishes = [t.finish for t in timelines if t.finish]
    if len(set(finishes)) > 1:
        for t in timelines:
            t.earliest_finish = t.finish == min(finishes)
    return Comparison(rfp=rfp, proposals=proposals, rows=rows, totals=totals, timelines=timelines, flags=flags)


@dataclass
class EvaluationResult:
    proposal: Proposal
    by_evaluator: dict[str, Decimal]
    weighted: Decimal | None
    complete_evaluators: int
    best: bool = False


def weighted_score(*, weights: dict[int, int], scores: dict[int, int]) -> Decimal | None:
    """sum(weight * score) / sum(weight) over all criteria (0 to 10), or None until every criterion is scored."""
    if not weights or any(cid not in scores for cid in weights):
        return None
    total_weight = sum(weights.values())
    if total_weight == 0:
        return None
    value = Decimal(sum(w * scores[cid] for cid, w in weights.items())) / Decimal(total_weight)
    return value.quantize(Decimal("0.01"))


def rfp_evaluation(*, rfp: Rfp) -> list[EvaluationResult]:
    """Per proposal: each evaluator's weighted score (complete score sheets only) and their mean."""
    weights = {c.pk: c.weight for c in rfp.criteria.all()}
    results: list[EvaluationResult] = []
    for p in proposal_list(rfp=rfp):
        sheets: dict[str, dict[int, int]] = {}
        for s in Score.objects.for_organisation(rfp.organisation).filter(proposal=p).select_related("evaluator"):
            sheets.setdefault(s.evaluator.get_username(), {})[s.criterion_id] = s.score
        by_evaluator = {
            name: ws
            for name, sheet in sorted(sheets.items())
            if (ws := weighted_score(weights=weights, scores=sheet)) is not None
        }
        mean = (
            (sum(by_evaluator.values(), Decimal(0)) / len(by_evaluator)).quantize(Decimal("0.01"))
            if by_evaluator
            else None
        )
        results.append(
            EvaluationResult(
                proposal=p, by_evaluator=by_evaluator, weighted=mean, complete_evaluators=len(by_evaluator)
            )
        )
    scored = [r.weighted for r in results if r.weighted is not None]
    if len(scored) > 1 and len(set(scored)) > 1:
        for r in results:
            r.best = r.weighted == max(scored)
    return results


def score_sheet(*, proposal: Proposal, evaluator: User) -> dict[int, Score]:
    """The evaluator's own scores of a proposal, by criterion id."""
    return {
        s.criterion_id: s
        for s in Score.objects.for_organisation(proposal.organisation).filter(proposal=proposal, evaluator=evaluator)
    }


# --- provider side ------------------------------------------------------------------------------


def inbox_list(*, provider: Organisation) -> QuerySet[RfpInvitation]:
    """The provider's invitations to issued (or later) RFPs, newest first. Drafts are not shown."""
    return (
        RfpInvitation.objects.for_counterparty(provider)
        .select_related("rfp", "organisation", "proposal", "proposal__current_version")
        .order_by("-rfp__issued_at", "-id")
    )


def inbox_invitation_get(*, provider: Organisation, rfp_id: int) -> RfpInvitation:
    """The provider's invitation to RFP ``rfp_id``; NotFound if it was not invited (or the RFP is a draft)."""
    invitation = (
        RfpInvitation.objects.for_counterparty(provider)
        .select_related("rfp", "rfp__organisation", "rfp__need", "organisation", "provider")
        .filter(rfp_id=rfp_id)
        .first()
    )
    if invitation is None:
        raise NotFound("No such RFP.")
    return invitation


@dataclass(frozen=True)
class InboxClarification:
    """A clarification as a provider may read it: its own question with the answer it got, or a question the
    sponsor published to every invitee — then without who asked or when."""

    id: int
    question: str
    answer: str
    visibility: str
    mine: bool
    asked_at: dt.datetime | None
    answered_at: dt.datetime | None

    @property
    def published(self) -> bool:
        return self.visibility == ClarificationVisibility.PUBLISHED


def inbox_clarification_list(*, invitation: RfpInvitation) -> list[InboxClarification]:
    """The provider's own questions, and the questions the sponsor published to all invitees (without the asker)."""
    provider = invitation.provider
    rows = (
        Clarification.objects.for_counterparty(provider)
        .filter(rfp_id=invitation.rfp_id)
        .only("pk", "question", "answer", "visibility", "provider_id", "asked_at", "answered_at")
        .order_by("asked_at", "id")
    )
    seen = []
    for c in rows:
        mine = c.provider_id == provider.pk
        answered = mine or c.visibility == ClarificationVisibility.PUBLISHED
        seen.append(
            InboxClarification(
                id=c.pk,
                question=c.question,
                answer=c.answer if answered else "",
                visibility=c.visibility,
                mine=mine,
                asked_at=c.asked_at if mine else None,
                answered_at=c.answered_at if answered else None,
            )
        )
    return seen


def inbox_proposal_get(*, invitation: RfpInvitation) -> Proposal | None:
    """The provider's own proposal to the RFP, if any."""
    return (
        Proposal.objects.for_counterparty(invitation.provider)
        .filter(rfp_id=invitation.rfp_id)
        .select_related("current_version")
        .first()
    )


def inbox_rfp_documents(*, invitation: RfpInvitation) -> QuerySet[Document]:
    """The RFP's own attachments (not other providers' documents)."""
    return (
        Document.objects.for_counterparty(invitation.provider)
        .filter(rfp_id=invitation.rfp_id, proposal_version__isnull=True)
        .order_by("name")
    )


def inbox_document_get(*, provider: Organisation, document_id: int) -> Document:
    """A document the provider may download: an attachment of an RFP it is invited to, or one of its own."""
    document = Document.objects.for_counterparty(provider).filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    return document

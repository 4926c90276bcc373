"""Comparison and evaluation of an RFP's proposals (sponsor side).

:func:`rfp_comparison` and :func:`rfp_evaluation` are computed once per request and shown as they are by
the compare page, its XLSX and PDF exports and the API (whose schemas read these objects' attributes), so
the four cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from cxo.core.models import User
from cxo.sourcing.models import Proposal, ProposalLine, ProposalMilestone, ProposalVersion, Rfp, RfpLineItem, Score
from cxo.sourcing.selectors import proposal_list


@dataclass
class Cell:
    """One provider's price for one line of the bid grid."""

    proposal: Proposal
    unit_price: Decimal | None = None
    quantity: Decimal | None = None
    amount: Decimal | None = None
    assumption: str = ""
    lowest: bool = False
    highest: bool = False
    missing: bool = False
    quantity_changed: bool = False
    previous_unit_price: Decimal | None = None
    changed: bool = False

    @property
    def proposal_id(self) -> int:
        return self.proposal.pk


@dataclass
class Row:
    """A line of the bid grid with every provider's cell, in the order of the comparison's proposals."""

    item: RfpLineItem
    cells: list[Cell]

    @property
    def line_item_id(self) -> int:
        return self.item.pk

    @property
    def description(self) -> str:
        return self.item.description

    @property
    def unit(self) -> str:
        return self.item.unit

    @property
    def quantity(self) -> Decimal:
        return self.item.quantity


@dataclass
class TimelineRow:
    proposal: Proposal
    milestones: list[ProposalMilestone]
    start: dt.date | None
    finish: dt.date | None
    earliest_finish: bool = False
    summary: str = ""


@dataclass
class Total:
    """A proposal's total, marked lowest or highest when the totals differ, with its completion date."""

    proposal: Proposal
    total: Decimal
    lowest: bool = False
    highest: bool = False
    completion: dt.date | None = None

    @property
    def proposal_id(self) -> int:
        return self.proposal.pk

    @property
    def provider_name(self) -> str:
        return self.proposal.provider.name

    @property
    def version(self) -> int:
        return self.proposal.current_version.number if self.proposal.current_version else 0


@dataclass
class Comparison:
    rfp: Rfp
    proposals: list[Proposal]
    rows: list[Row]
    totals: list[Total]
    timelines: list[TimelineRow]
    flags: int = 0
    notes: dict[int, list[str]] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.rfp.currency


def _mark_extremes(cells: list[Cell]) -> None:
    values = [c.amount for c in cells if c.amount is not None]
    if len(values) < 2 or min(values) == max(values):
        return
    low, high = min(values), max(values)
    for c in cells:
        c.lowest, c.highest = c.amount == low, c.amount == high


def _versions(rfp: Rfp, proposals: list[Proposal]) -> dict[tuple[int, int], ProposalVersion]:
    """Each proposal's current and previous versions with their lines and milestones, in three queries."""
    wanted = Q(pk__in=[])
    for p in proposals:
        assert p.current_version is not None  # proposal_list returns submitted proposals only
        wanted |= Q(proposal_id=p.pk, number__in=[p.current_version.number, p.current_version.number - 1])
    versions = (
        ProposalVersion.objects.for_organisation(rfp.organisation)
        .filter(wanted)
        .prefetch_related("lines", "milestones")
    )
    return {(v.proposal_id, v.number): v for v in versions}


def _cell(
    proposal: Proposal, item: RfpLineItem, line: ProposalLine | None, previous: dict[int, ProposalLine] | None
) -> Cell:
    cell = Cell(proposal=proposal)
    if line is None or line.unit_price is None:
        cell.missing = True
        return cell
    cell.unit_price, cell.quantity, cell.amount, cell.assumption = (
        line.unit_price,
        line.quantity,
        line.amount,
        line.assumption,
    )
    cell.quantity_changed = line.quantity != item.quantity
    if previous:  # a previous version that priced something
        before = previous.get(item.pk)
        if before is None or before.unit_price != line.unit_price:
            cell.changed = True
            cell.previous_unit_price = before.unit_price if before else None
    return cell


def rfp_comparison(*, rfp: Rfp) -> Comparison:
    """The RFP's current proposals side by side: per line, lowest and highest marked, missing and changed
    lines flagged (no price; a quantity other than the RFP's; a price changed since the previous version),
    totals with completion dates, and the proposed timelines."""
    proposals = list(proposal_list(rfp=rfp))
    versions = _versions(rfp, proposals)
    current: dict[int, dict[int, ProposalLine]] = {}
    previous: dict[int, dict[int, ProposalLine] | None] = {}
    for p in proposals:
        assert p.current_version is not None
        number = p.current_version.number
        current[p.pk] = {ln.line_item_id: ln for ln in versions[(p.pk, number)].lines.all()}
        before = versions.get((p.pk, number - 1))
        previous[p.pk] = {ln.line_item_id: ln for ln in before.lines.all()} if before else None
    rows: list[Row] = []
    flags = 0
    for item in rfp.line_items.all():
        cells = [_cell(p, item, current[p.pk].get(item.pk), previous[p.pk]) for p in proposals]
        flags += sum(c.missing + c.quantity_changed + c.changed for c in cells)
        _mark_extremes(cells)
        rows.append(Row(item=item, cells=cells))
    timelines: list[TimelineRow] = []
    for p in proposals:
        assert p.current_version is not None
        milestones = list(versions[(p.pk, p.current_version.number)].milestones.all())
        timelines.append(
            TimelineRow(
                proposal=p,
                milestones=milestones,
                start=milestones[0].due_date if milestones else None,
                finish=milestones[-1].due_date if milestones else None,
                summary=p.current_version.timeline_summary,
            )
        )
    finishes = [t.finish for t in timelines if t.finish]
    if len(set(finishes)) > 1:
        for t in timelines:
            t.earliest_finish = t.finish == min(finishes)
    totals = [
        Total(p, p.current_version.total, completion=timeline.finish)
        for p, timeline in zip(proposals, timelines, strict=True)
        if p.current_version
    ]
    amounts = {total.total for total in totals}
    if len(amounts) > 1:
        for total in totals:
            total.lowest, total.highest = total.total == min(amounts), total.total == max(amounts)
    return Comparison(rfp=rfp, proposals=proposals, rows=rows, totals=totals, timelines=timelines, flags=flags)


@dataclass
class EvaluationResult:
    proposal: Proposal
    by_evaluator: dict[str, Decimal]
    weighted: Decimal | None
    complete_evaluators: int
    best: bool = False

    @property
    def proposal_id(self) -> int:
        return self.proposal.pk

    @property
    def provider_name(self) -> str:
        return self.proposal.provider.name


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
    proposals = list(proposal_list(rfp=rfp))
    sheets: dict[int, dict[str, dict[int, int]]] = {p.pk: {} for p in proposals}
    scores = Score.objects.for_organisation(rfp.organisation).filter(proposal__in=proposals).select_related("evaluator")
    for s in scores:
        sheets[s.proposal_id].setdefault(s.evaluator.get_username(), {})[s.criterion_id] = s.score
    results: list[EvaluationResult] = []
    for p in proposals:
        by_evaluator = {
            name: ws
            for name, sheet in sorted(sheets[p.pk].items())
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

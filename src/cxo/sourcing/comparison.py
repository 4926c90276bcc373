"""Comparison and evaluation of an RFP's proposals (sponsor side): reads for the compare page, its XLSX and PDF
exports and the API, which all show the same objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cxo.core.models import User
from cxo.sourcing.models import Proposal, Rfp, RfpLineItem, Score
from cxo.sourcing.selectors import proposal_list


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

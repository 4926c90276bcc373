"""A work order's terms as typed (lines with quantities and unit prices, milestones with an amount or a share of
the budget) turned into the canonical terms, computed on the server; and the terms written onto the live rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cxo.contracts.content import work_order_terms
from cxo.contracts.models import BudgetLine, Milestone, MilestoneStatus, WorkOrder
from cxo.core.errors import Conflict, ServiceError
from cxo.core.money import ZERO, money_parse, money_round, money_str

HUNDRED = Decimal(100)


@dataclass
class LineInput:
    """A budget line as typed: ``key`` names an existing line (empty for a new one)."""

    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    key: str = ""


@dataclass
class MilestoneInput:
    """A milestone as typed: its payment is ``amount`` or ``percent`` of the budget (one of them)."""

    name: str
    due_date: dt.date | None
    amount: Decimal | None = None
    percent: Decimal | None = None
    acceptance_criteria: str = ""
    key: str = ""


@dataclass
class TermsInput:
    lines: list[LineInput]
    milestones: list[MilestoneInput]
    scope: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _next_keys(work_order: WorkOrder, prefix: str) -> int:
    """The next free number for a new line (L) or milestone (M): keys are never reused, across every baseline."""
    used = [
        *work_order.budget_lines.values_list("key", flat=True),
        *work_order.milestones.values_list("key", flat=True),
    ]
    for baseline in work_order.baselines.all():
        used += [x["key"] for x in baseline.content.get("lines", []) + baseline.content.get("milestones", [])]
    numbers = [int(m.group(1)) for k in used if (m := re.fullmatch(rf"{prefix}(\d+)", k))]
    return max(numbers, default=0) + 1


def terms_build(*, work_order: WorkOrder, data: TermsInput) -> dict[str, Any]:
    """The canonical terms (as ``work_order_terms`` gives them) for what was typed: amounts are quantity times
    unit price and percentages of the total, each rounded to the currency's places. ServiceError names the row."""
    cur = work_order.currency
    known_lines = set(work_order.budget_lines.values_list("key", flat=True))
    # A milestone reported or accepted keeps its payment: a share of the budget is frozen at its amount then.
    frozen = {
        m.key: m.amount
        for m in work_order.milestones.all()
        if m.status in (MilestoneStatus.REPORTED, MilestoneStatus.ACCEPTED)
    }
    known_milestones = set(work_order.milestones.values_list("key", flat=True))
    next_line, next_milestone = _next_keys(work_order, "L"), _next_keys(work_order, "M")
    lines: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, x in enumerate(data.lines, start=1):
        label = f"Line {n}"
        description, unit = x.description.strip(), x.unit.strip()
        if not description:
            raise ServiceError(f"{label}: describe what is priced.", field="lines")
        if not unit:
            raise ServiceError(f"{label} ({description}): give its unit (batch, month, study …).", field="lines")
        if x.quantity is None or x.quantity <= 0:
            raise ServiceError(f"{label} ({description}): the quantity must be more than zero.", field="lines")
        if x.quantity != x.quantity.quantize(Decimal("0.001")):
            raise ServiceError(f"{label} ({description}): a quantity has at most 3 decimal places.", field="lines")
        price = money_parse(x.unit_price, cur, label=f"{label} ({description}) unit price", field="lines")
        key = x.key.strip()
        if key and key not in known_lines:
            raise ServiceError(f"{label}: there is no line {key} on this work order.", field="lines")
        if not key:
            key, next_line = f"L{next_line}", next_line + 1
        if key in seen:
            raise ServiceError(f"{label}: the line {key} is listed twice.", field="lines")
        seen.add(key)
        amount = money_round(x.quantity * price, cur)
        lines.append(
            {
                "key": key,
                "description": description,
                "unit": unit,
                "quantity": f"{x.quantity.normalize():f}",
                "unit_price": money_str(price, cur),
                "amount": money_str(amount, cur),
            }
        )
    total = sum((Decimal(x["amount"]) for x in lines), ZERO)
    milestones: list[dict[str, Any]] = []
    shares = ZERO
    for n, m in enumerate(data.milestones, start=1):
        label = f"Milestone {n}"
        name = m.name.strip()
        if not name:
            raise ServiceError(f"{label}: give it a name.", field="milestones")
        if m.due_date is None:
            raise ServiceError(f"{label} ({name}): give its planned date.", field="milestones")
        if m.percent is not None and m.amount is not None:
            raise ServiceError(f"{label} ({name}): give an amount or a percentage, not both.", field="milestones")
        if m.percent is not None:
            if not ZERO <= m.percent <= HUNDRED or m.percent != m.percent.quantize(Decimal("0.001")):
                raise ServiceError(
                    f"{label} ({name}): a percentage is between 0 and 100, to 3 places.", field="milestones"
                )
            shares += m.percent
            key_ = m.key.strip()
            amount = frozen[key_] if key_ in frozen else money_round(total * m.percent / HUNDRED, cur)
        else:
            amount = money_parse(m.amount or ZERO, cur, label=f"{label} ({name}) amount", field="milestones")
        key = m.key.strip()
        if key and key not in known_milestones:
            raise ServiceError(f"{label}: there is no milestone {key} on this work order.", field="milestones")
        if not key:
            key, next_milestone = f"M{next_milestone}", next_milestone + 1
        if key in seen:
            raise ServiceError(f"{label}: the milestone {key} is listed twice.", field="milestones")
        seen.add(key)
        milestones.append(
            {
                "key": key,
                "name": name,
                "due_date": m.due_date.isoformat(),
                "amount": money_str(amount, cur),
                "percent": None if m.percent is None else f"{m.percent.normalize():f}",
                "acceptance_criteria": m.acceptance_criteria.strip(),
            }
        )
    _last_share_takes_the_rest(milestones, data.milestones, frozen, total, cur, shares)
    if shares > HUNDRED:
        raise ServiceError(f"The milestones' percentages add up to {shares.normalize():f}, more than 100.")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise ServiceError("The end date is before the start date.", field="end_date")
    return {
        "scope": data.scope.strip(),
        "start_date": data.start_date.isoformat() if data.start_date else None,
        "end_date": data.end_date.isoformat() if data.end_date else None,
        "lines": lines,
        "milestones": milestones,
        "total": money_str(total, cur),
    }


def _last_share_takes_the_rest(
    rows: list[dict[str, Any]],
    typed: list[MilestoneInput],
    frozen: dict[str, Decimal],
    total: Decimal,
    currency: str,
    shares: Decimal,
) -> None:
    """When the shares add up to 100%, the last one pays what rounding leaves, so together they pay the budget."""
    if shares != HUNDRED:
        return
    percent_rows = [row for row, m in zip(rows, typed, strict=True) if m.percent is not None]
    if not percent_rows or percent_rows[-1]["key"] in frozen:
        return
    others = sum((Decimal(row["amount"]) for row in percent_rows[:-1]), ZERO)
    percent_rows[-1]["amount"] = money_str(total - others, currency)


def terms_input_of(work_order: WorkOrder) -> TermsInput:
    """The work order's current terms as the edit form and the change-order form start from them."""
    terms = work_order_terms(work_order)
    return TermsInput(
        scope=terms["scope"],
        start_date=work_order.start_date,
        end_date=work_order.end_date,
        lines=[
            LineInput(x["description"], x["unit"], Decimal(x["quantity"]), Decimal(x["unit_price"]), key=x["key"])
            for x in terms["lines"]
        ],
        milestones=[
            MilestoneInput(
                x["name"],
                dt.date.fromisoformat(x["due_date"]),
                amount=None if x["percent"] is not None else Decimal(x["amount"]),
                percent=None if x["percent"] is None else Decimal(x["percent"]),
                acceptance_criteria=x["acceptance_criteria"],
                key=x["key"],
            )
            for x in terms["milestones"]
        ],
    )


def terms_apply(*, work_order: WorkOrder, terms: dict[str, Any]) -> None:
    """Make the live lines and milestones what ``terms`` says (matched by key); milestones keep their state."""
    lines = {b.key: b for b in work_order.budget_lines.all()}
    wanted = {x["key"] for x in terms["lines"]}
    for key, line in lines.items():
        if key not in wanted:
            if line.invoice_lines.exists():
                raise Conflict(f"The line '{line.description}' is invoiced: it cannot be removed.")
            line.delete()
    for position, x in enumerate(terms["lines"]):
        line = lines.get(x["key"]) or BudgetLine(work_order=work_order, key=x["key"])
        line.position = position
        line.description, line.unit = x["description"], x["unit"]
        line.quantity, line.unit_price, line.amount = (
            Decimal(x["quantity"]),
            Decimal(x["unit_price"]),
            Decimal(x["amount"]),
        )
        line.save()
    milestones = {m.key: m for m in work_order.milestones.all()}
    wanted = {x["key"] for x in terms["milestones"]}
    for key, milestone in milestones.items():
        if key not in wanted:
            if milestone.invoice_lines.exists() or milestone.documents.exists():
                raise Conflict(f"The milestone '{milestone.name}' has evidence or invoices: it cannot be removed.")
            milestone.delete()
    for position, x in enumerate(terms["milestones"]):
        milestone = milestones.get(x["key"]) or Milestone(work_order=work_order, key=x["key"])
        milestone.position = position
        milestone.name, milestone.due_date = x["name"], dt.date.fromisoformat(x["due_date"])
        milestone.amount = Decimal(x["amount"])
        milestone.percent = None if x["percent"] is None else Decimal(x["percent"])
        milestone.acceptance_criteria = x["acceptance_criteria"]
        milestone.save()
    work_order.scope = terms["scope"]
    work_order.start_date = dt.date.fromisoformat(terms["start_date"]) if terms["start_date"] else None
    work_order.end_date = dt.date.fromisoformat(terms["end_date"]) if terms["end_date"] else None
    work_order.budget_total = Decimal(terms["total"])

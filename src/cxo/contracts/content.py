"""What is signed and kept: the canonical content of a work order (its baseline), a change order and an
agreement, and the side-by-side difference between two baselines.

The content is plain JSON (amounts as strings to the currency's places), so its SHA-256 is stable: a
signature is bound to it (``cxo.core.signatures``) and a baseline keeps it as it was signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cxo.contracts.models import ChangeOrder, MasterAgreement, WorkOrder
from cxo.core.money import ZERO, money_str


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def work_order_terms(work_order: WorkOrder) -> dict[str, Any]:
    """The changeable terms of the work order as its live rows hold them: scope, dates, lines, milestones."""
    cur = work_order.currency
    lines = [
        {
            "key": b.key,
            "description": b.description,
            "unit": b.unit,
            "quantity": f"{b.quantity.normalize():f}",
            "unit_price": money_str(b.unit_price, cur),
            "amount": money_str(b.amount, cur),
        }
        for b in work_order.budget_lines.all()
    ]
    milestones = [
        {
            "key": m.key,
            "name": m.name,
            "due_date": m.due_date.isoformat(),
            "amount": money_str(m.amount, cur),
            "percent": None if m.percent is None else f"{m.percent.normalize():f}",
            "acceptance_criteria": m.acceptance_criteria,
        }
        for m in work_order.milestones.all()
    ]
    return {
        "scope": work_order.scope,
        "start_date": _date(work_order.start_date),
        "end_date": _date(work_order.end_date),
        "lines": lines,
        "milestones": milestones,
        "total": money_str(sum((b.amount for b in work_order.budget_lines.all()), ZERO), cur),
    }


def work_order_content(work_order: WorkOrder) -> dict[str, Any]:
    """Everything both parties sign: who, under which agreement, where, in which currency, and the terms."""
    agreement = work_order.agreement
    return {
        "record": "work order",
        "reference": work_order.reference,
        "title": work_order.title,
        "sponsor": work_order.organisation.name,
        "provider": work_order.provider.name,
        "agreement": None
        if agreement is None
        else {"reference": agreement.reference, "sha256": agreement.content_sha256},
        "site": None if work_order.site is None else work_order.site.name,
        "service": None if work_order.service is None else work_order.service.code,
        "currency": work_order.currency,
        "time_and_materials": work_order.time_and_materials,
        **work_order_terms(work_order),
    }


def change_order_content(change_order: ChangeOrder, *, base_sha256: str) -> dict[str, Any]:
    """What both parties sign for a change order: the baseline it changes, the reason, the whole new terms."""
    return {
        "record": "change order",
        "work_order": change_order.work_order.reference,
        "number": change_order.number,
        "title": change_order.title,
        "reason": change_order.reason,
        "proposed_by": change_order.proposed_by_organisation.name,
        "base": {"number": change_order.base_number, "sha256": base_sha256},
        "proposed": change_order.proposed,
    }


def agreement_content(agreement: MasterAgreement) -> dict[str, Any]:
    """What both parties sign for a master agreement: its terms and every document version by checksum."""
    return {
        "record": "master agreement",
        "reference": agreement.reference,
        "title": agreement.title,
        "sponsor": agreement.organisation.name,
        "provider": agreement.provider.name,
        "terms_summary": agreement.terms_summary,
        "currency": agreement.currency,
        "payment_terms_days": agreement.payment_terms_days,
        "effective_date": _date(agreement.effective_date),
        "expiry_date": _date(agreement.expiry_date),
        "documents": [
            {"name": d.name, "version": d.version, "sha256": d.sha256} for d in agreement.documents.order_by("id")
        ],
    }


# --- reading terms and comparing two of them -----------------------------------------------------------


@dataclass(frozen=True)
class TermLine:
    key: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TermMilestone:
    key: str
    name: str
    due_date: dt.date
    amount: Decimal
    percent: Decimal | None
    acceptance_criteria: str


@dataclass(frozen=True)
class Terms:
    """A work order's terms read back from JSON (a baseline or a change order's proposal)."""

    scope: str
    start_date: dt.date | None
    end_date: dt.date | None
    lines: list[TermLine]
    milestones: list[TermMilestone]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def scheduled(self) -> Decimal:
        return sum((m.amount for m in self.milestones), ZERO)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def terms_read(content: dict[str, Any]) -> Terms:
    return Terms(
        scope=content.get("scope", ""),
        start_date=_day(content.get("start_date")),
        end_date=_day(content.get("end_date")),
        lines=[
            TermLine(
                key=x["key"],
                description=x["description"],
                unit=x["unit"],
                quantity=Decimal(x["quantity"]),
                unit_price=Decimal(x["unit_price"]),
                amount=Decimal(x["amount"]),
            )
            for x in content.get("lines", [])
        ],
        milestones=[
            TermMilestone(
                key=x["key"],
                name=x["name"],
                due_date=dt.date.fromisoformat(x["due_date"]),
                amount=Decimal(x["amount"]),
                percent=None if x.get("percent") is None else Decimal(x["percent"]),
                acceptance_criteria=x.get("acceptance_criteria", ""),
            )
            for x in content.get("milestones", [])
        ],
    )


@dataclass(frozen=True)
class DiffRow:
    """One line or milestone before and after: ``change`` is added, removed, changed or unchanged; ``fields``
    names what changed."""

    kind: str  # "line" | "milestone"
    key: str
    before: TermLine | TermMilestone | None
    after: TermLine | TermMilestone | None
    change: str
    fields: tuple[str, ...] = field(default_factory=tuple)


_LINE_FIELDS = ("description", "unit", "quantity", "unit_price", "amount")
_MILESTONE_FIELDS = ("name", "due_date", "amount", "percent", "acceptance_criteria")


def _rows(kind: str, before: list[Any], after: list[Any], fields: tuple[str, ...]) -> list[DiffRow]:
    old = {x.key: x for x in before}
    new = {x.key: x for x in after}
    rows = []
    for key in [*old, *(k for k in new if k not in old)]:
        b, a = old.get(key), new.get(key)
        if b is None:
            rows.append(DiffRow(kind, key, None, a, "added"))
        elif a is None:
            rows.append(DiffRow(kind, key, b, None, "removed"))
        else:
            changed = tuple(f for f in fields if getattr(b, f) != getattr(a, f))
            rows.append(DiffRow(kind, key, b, a, "changed" if changed else "unchanged", changed))
    return rows


@dataclass(frozen=True)
class TermsDiff:
    before: Terms
    after: Terms
    lines: list[DiffRow]
    milestones: list[DiffRow]

    @property
    def changed_dates(self) -> bool:
        return (self.before.start_date, self.before.end_date) != (self.after.start_date, self.after.end_date)

    @property
    def changed_scope(self) -> bool:
        return self.before.scope != self.after.scope

    @property
    def total_change(self) -> Decimal:
        return self.after.total - self.before.total

    @property
    def is_empty(self) -> bool:
        rows = [*self.lines, *self.milestones]
        return not self.changed_dates and not self.changed_scope and all(r.change == "unchanged" for r in rows)


def terms_diff(before: Terms, after: Terms) -> TermsDiff:
    """Line by line and milestone by milestone (matched by key), what a change makes of the terms."""
    return TermsDiff(
        before=before,
        after=after,
        lines=_rows("line", before.lines, after.lines, _LINE_FIELDS),
        milestones=_rows("milestone", before.milestones, after.milestones, _MILESTONE_FIELDS),
    )

"""Turning API input into the services' typed input, and the selectors' figures into API output."""

from __future__ import annotations

from typing import Any

from cxo.contracts.content import DiffRow, TermLine, TermMilestone, TermsDiff
from cxo.contracts.models import ChangeOrder, WorkOrder
from cxo.contracts.schemas import InvoiceLineIn, TermsIn
from cxo.contracts.selectors import BaselineView
from cxo.contracts.selectors.money import FIGURES, Figures, MoneyView
from cxo.contracts.services.invoices import InvoiceLineInput
from cxo.contracts.services.terms import LineInput, MilestoneInput, TermsInput, terms_input_of
from cxo.core.money import money_str


def terms_input(work_order: WorkOrder, payload: TermsIn) -> TermsInput:
    """The payload's terms; what it leaves out stays as the work order has it."""
    current = terms_input_of(work_order)
    return TermsInput(
        scope=current.scope if payload.scope is None else payload.scope,
        start_date=payload.start_date or current.start_date,
        end_date=payload.end_date or current.end_date,
        lines=current.lines
        if payload.lines is None
        else [LineInput(x.description, x.unit, x.quantity, x.unit_price, key=x.key) for x in payload.lines],
        milestones=current.milestones
        if payload.milestones is None
        else [
            MilestoneInput(
                x.name,
                x.due_date,
                amount=x.amount,
                percent=x.percent,
                acceptance_criteria=x.acceptance_criteria,
                key=x.key,
            )
            for x in payload.milestones
        ],
    )


def invoice_lines(lines: list[InvoiceLineIn]) -> list[InvoiceLineInput]:
    return [
        InvoiceLineInput(
            milestone_id=x.milestone_id,
            budget_line_id=x.budget_line_id,
            quantity=x.quantity,
            amount=x.amount,
            description=x.description,
        )
        for x in lines
    ]


def figures_out(f: Figures) -> dict[str, str]:
    return {"currency": f.currency, **{name: money_str(getattr(f, name), f.currency) for name in FIGURES}}


def money_out(view: MoneyView) -> dict[str, Any]:
    return {
        "month": f"{view.month:%Y-%m}",
        "rows": [
            {
                "work_order_id": r.work_order.pk,
                "reference": r.work_order.reference,
                "title": r.work_order.title,
                "provider": r.work_order.provider.name,
                "status": r.work_order.status,
                "late_milestones": r.late,
                "figures": figures_out(r.figures),
            }
            for r in view.rows
        ],
        "totals": [figures_out(f) for f in view.totals.values()],
    }


def accruals_out(view: MoneyView) -> dict[str, Any]:
    return {
        "month": f"{view.month:%Y-%m}",
        "month_end": view.month_end,
        "rows": [
            {
                "work_order_id": a.work_order.pk,
                "work_order": a.work_order.reference,
                "provider": a.work_order.provider.name,
                "milestone_id": a.milestone_id,
                "milestone": a.milestone,
                "accepted_on": a.accepted_on,
                "currency": a.currency,
                "accepted": money_str(a.accepted, a.currency),
                "invoiced": money_str(a.invoiced, a.currency),
                "accrued": money_str(a.accrued, a.currency),
            }
            for a in view.accruals
        ],
        "totals": [{"currency": c, "accrued": money_str(v, c)} for c, v in view.accrual_totals.items()],
    }


def _side(x: TermLine | TermMilestone | None, currency: str) -> dict[str, str] | None:
    if x is None:
        return None
    if isinstance(x, TermLine):
        return {
            "description": x.description,
            "unit": x.unit,
            "quantity": f"{x.quantity.normalize():f}",
            "unit_price": money_str(x.unit_price, currency),
            "amount": money_str(x.amount, currency),
        }
    return {
        "name": x.name,
        "due_date": x.due_date.isoformat(),
        "amount": money_str(x.amount, currency),
        "percent": "" if x.percent is None else f"{x.percent.normalize():f}",
        "acceptance_criteria": x.acceptance_criteria,
    }


def _rows(rows: list[DiffRow], currency: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind,
            "key": r.key,
            "change": r.change,
            "fields": list(r.fields),
            "before": _side(r.before, currency),
            "after": _side(r.after, currency),
        }
        for r in rows
    ]


def change_order_out(change_order: ChangeOrder, diff: TermsDiff) -> dict[str, Any]:
    cur = change_order.work_order.currency
    return {
        "id": change_order.pk,
        "work_order_id": change_order.work_order_id,
        "number": change_order.number,
        "code": change_order.code,
        "title": change_order.title,
        "reason": change_order.reason,
        "status": change_order.status,
        "proposed_by": change_order.proposed_by_organisation.name,
        "base_number": change_order.base_number,
        "total_before": money_str(diff.before.total, cur),
        "total_after": money_str(diff.after.total, cur),
        "decision_reason": change_order.decision_reason,
        "sponsor_signature": change_order.sponsor_signature,
        "provider_signature": change_order.provider_signature,
        "lines": _rows(diff.lines, cur),
        "milestones": _rows(diff.milestones, cur),
        "scope_before": diff.before.scope,
        "scope_after": diff.after.scope,
        "end_date_before": diff.before.end_date,
        "end_date_after": diff.after.end_date,
    }


def terms_out(view: BaselineView, currency: str) -> dict[str, Any]:
    t = view.terms
    return {
        "number": view.number,
        "label": view.label,
        "total": money_str(t.total, currency),
        "scope": t.scope,
        "start_date": t.start_date,
        "end_date": t.end_date,
        "lines": [{"key": x.key, **(_side(x, currency) or {})} for x in t.lines],
        "milestones": [{**(_side(m, currency) or {}), "key": m.key, "percent": m.percent} for m in t.milestones],
    }

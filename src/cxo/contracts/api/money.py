"""Money and the programme view through the API: the same figures as the pages, the XLSX and ``cxo accruals``."""

from __future__ import annotations

from typing import Any

from cxo.contracts.api import org_api
from cxo.contracts.api.convert import accruals_out, money_out
from cxo.contracts.schemas import AccrualsOut, MoneyOut, ProgrammeViewOut
from cxo.contracts.selectors.money import money_view, month_parse
from cxo.contracts.selectors.programme import programme_view
from cxo.core.access import OrgRequest


@org_api.get("/money", response=MoneyOut)
def money(request: OrgRequest, month: str | None = None, programme_id: int | None = None) -> dict[str, Any]:
    """Per work order and in total per currency: budget, committed, accepted, invoiced, paid, remaining, and the
    accruals of ``month`` (YYYY-MM, default this month). Currencies are never added together."""
    view = money_view(organisation=request.organisation, month=month_parse(month), programme_id=programme_id)
    return money_out(view)


@org_api.get("/accruals", response=AccrualsOut)
def accruals(request: OrgRequest, month: str | None = None, programme_id: int | None = None) -> dict[str, Any]:
    """The month's accruals: per accepted milestone, what was accepted by the month's last day and not invoiced by
    then; totals per currency."""
    view = money_view(organisation=request.organisation, month=month_parse(month), programme_id=programme_id)
    return accruals_out(view)


@org_api.get("/programmes/{programme_id}/execution", response=ProgrammeViewOut)
def programme_execution(request: OrgRequest, programme_id: int) -> dict[str, Any]:
    """One programme across every partner: late items first, the timeline's rows, and the money view."""
    view = programme_view(organisation=request.organisation, programme_id=programme_id)
    return {
        "programme_id": view.programme.pk,
        "programme": str(view.programme),
        "late": [{"what": i.what, "detail": i.detail, "due": i.due} for i in view.late],
        "rows": [
            {
                "kind": r.kind,
                "label": r.label,
                "detail": r.detail,
                "start": r.start,
                "end": r.end,
                "tone": r.tone,
                "late": r.late,
                "points": [{"day": p.day, "label": p.label, "tone": p.tone} for p in r.points],
            }
            for r in view.rows
        ],
        "money": money_out(view.money),
    }

"""Money: the view per work order with totals per currency and the month's accruals, its XLSX, and the programme
view (timeline and spend against budget)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from cxo.contracts.exports import money_xlsx
from cxo.contracts.selectors.money import MoneyView, money_view, month_parse
from cxo.contracts.selectors.programme import ProgrammeView, programme_view
from cxo.contracts.tables import accruals_table, figures_table
from cxo.core.access import OrgRequest, found
from cxo.core.ratelimit import rate_limited


def _view(request: OrgRequest) -> MoneyView:
    programme = request.GET.get("programme", "")
    view: MoneyView = found(
        money_view,
        organisation=request.organisation,
        month=found(month_parse, text=request.GET.get("month") or None),
        programme_id=int(programme) if programme.isdigit() else None,
    )
    return view


def money(request: OrgRequest) -> HttpResponse:
    view = _view(request)
    org = request.organisation
    return render(
        request,
        "contracts/money.html",
        {
            "organisation": org,
            "view": view,
            "figures": figures_table(view.rows, view.totals, organisation_slug=org.slug, testid="money"),
            "accruals": accruals_table(view.accruals, month_end_label=f"{view.month_end:%d %b}"),
        },
    )


@rate_limited("export")
def money_xlsx_download(request: OrgRequest) -> HttpResponse:
    view = _view(request)
    response = HttpResponse(
        money_xlsx(view=view, organisation_name=request.organisation.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="money-{view.month:%Y-%m}.xlsx"'
    return response


def programme_execution(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    view: ProgrammeView = found(programme_view, organisation=org, programme_id=programme_id)
    figures = figures_table(view.money.rows, view.money.totals, organisation_slug=org.slug, testid="programme-money")
    return render(request, "contracts/programme.html", {"organisation": org, "view": view, "figures": figures})

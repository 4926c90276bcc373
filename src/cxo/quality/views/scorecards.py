"""Scorecards: per provider on the sponsor's list, over a chosen period, with the formula shown."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cxo.core.access import OrgRequest
from cxo.quality.forms import PeriodForm
from cxo.quality.rules import add_months
from cxo.quality.scorecard import NAMES, WEIGHTS, scorecard
from cxo.quality.selectors.asl import listed_sites
from cxo.quality.views.common import sponsor_only


def _period(request: OrgRequest) -> tuple[dt.date, dt.date, PeriodForm]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = add_months(today, -12), today
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    if end < start:
        start, end = end, start
    return start, end, PeriodForm(initial={"start": start, "end": end})


def scorecard_list(request: OrgRequest) -> HttpResponse:
    """Every provider on the list, scored over the period (default: the last 12 months)."""
    sponsor_only(request)
    org = request.organisation
    start, end, form = _period(request)
    providers = {s.organisation_id: s.organisation for s in listed_sites(organisation=org)}
    cards = [scorecard(sponsor=org, provider=p, start=start, end=end) for p in providers.values()]
    cards.sort(key=lambda c: (c.overall is None, -(c.overall or 0), c.provider.name))
    return render(
        request,
        "quality/scorecards.html",
        {
            "organisation": org,
            "cards": cards,
            "form": form,
            "start": start,
            "end": end,
            "columns": [(k, NAMES[k], w) for k, w in WEIGHTS.items()],
        },
    )


def scorecard_detail(request: OrgRequest, provider_id: int) -> HttpResponse:
    """One provider's scorecard, and one per site of it on the list."""
    sponsor_only(request)
    org = request.organisation
    start, end, form = _period(request)
    sites = [s for s in listed_sites(organisation=org) if s.organisation_id == provider_id]
    if not sites:
        raise Http404("This provider is not on your approved supplier list.")
    provider = sites[0].organisation
    return render(
        request,
        "quality/scorecard.html",
        {
            "organisation": org,
            "card": scorecard(sponsor=org, provider=provider, start=start, end=end),
            "site_cards": [scorecard(sponsor=org, provider=provider, start=start, end=end, site=s) for s in sites],
            "form": form,
            "start": start,
            "end": end,
        },
    )

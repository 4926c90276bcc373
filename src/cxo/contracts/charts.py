"""The programme view's pictures, drawn on the server as inline SVG by our own code: a timeline of every need,
RFP, work order and milestone, and spend against budget per provider (one chart per currency).

The markup is built here with every text escaped, so a template includes it as it is; a page with thousands of
milestones is a few string joins, not thousands of template nodes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from cxo.core.money import money_display
from cxo.registry.charts import nice_step

LABEL = 300
PLOT = 640
ROW = 32
TOP = 36


@dataclass(frozen=True)
class Point:
    """A milestone (or a deadline) on a row: ``tone`` is late, done, waiting or planned."""

    day: dt.date
    label: str
    tone: str


@dataclass(frozen=True)
class TimelineRow:
    kind: str  # need | rfp | work_order
    label: str
    detail: str
    start: dt.date | None
    end: dt.date | None
    tone: str  # the bar's: late, active, done, planned
    url: str = ""
    points: tuple[Point, ...] = field(default_factory=tuple)

    @property
    def late(self) -> bool:
        return self.tone == "late" or any(p.tone == "late" for p in self.points)

    def days(self) -> list[dt.date]:
        return [d for d in (self.start, self.end, *(p.day for p in self.points)) if d is not None]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _t(text: str) -> str:
    return escape(text, quote=True)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def timeline_svg(rows: Sequence[TimelineRow], *, today: dt.date, title: str) -> SafeString:
    """One row per need, RFP and work order (its milestones as dots on it), on one time axis with today marked."""
    days = [d for r in rows for d in r.days()] + [today]
    first, last = min(days), max(days)
    if last <= first:
        last = first + dt.timedelta(days=30)
    span = (last - first).days or 1
    height = TOP + len(rows) * ROW + 8
    width = LABEL + PLOT + 20

    def x(day: dt.date) -> float:
        return round(LABEL + PLOT * (day - first).days / span, 1)

    months = _months(first, last)
    every = max(1, math.ceil(len(months) / 12))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg" class="timeline">'
        f'<title id="timeline-title">{_t(title)}</title>'
    ]
    for i, month in enumerate(months):
        if month < first:
            continue
        parts.append(f'<line x1="{x(month)}" x2="{x(month)}" y1="{TOP - 8}" y2="{height - 4}" class="grid-line"/>')
        if i % every == 0:
            parts.append(f'<text x="{x(month) + 3}" y="14" class="tick">{month:%b %Y}</text>')
    parts.append(
        f'<line x1="{x(today)}" x2="{x(today)}" y1="{TOP - 14}" y2="{height - 4}" class="today"/>'
        f'<text x="{x(today) + 3}" y="28" class="tick today-label">today</text>'
    )
    for n, row in enumerate(rows):
        y = TOP + n * ROW
        label = row.label if len(row.label) <= 36 else row.label[:35] + "…"
        link_open = f'<a href="{_t(row.url)}">' if row.url else ""
        link_close = "</a>" if row.url else ""
        parts.append(
            f'<g class="row {row.kind}{" late" if row.late else ""}">{link_open}'
            f'<text x="{LABEL - 8}" y="{y + 13}" class="label" text-anchor="end">{_t(label)}'
            f"<title>{_t(row.label)} — {_t(row.detail)}</title></text>"
            f'<text x="{LABEL - 8}" y="{y + 25}" class="sub" text-anchor="end">{_t(_short(row.detail, 46))}</text>'
            f"{link_close}"
        )
        if row.start and row.end:
            x0, x1 = x(row.start), x(row.end)
            parts.append(
                f'<rect x="{x0}" y="{y + 9}" width="{max(x1 - x0, 3)}" height="10" rx="3" class="bar {row.tone}">'
                f"<title>{_t(row.label)}: {row.start:%d %b %Y} to {row.end:%d %b %Y}</title></rect>"
            )
        elif row.start or row.end:
            day = row.start or row.end
            assert day is not None
            parts.append(f'<rect x="{x(day) - 2}" y="{y + 7}" width="4" height="14" class="bar {row.tone}"/>')
        for p in row.points:
            parts.append(
                f'<circle cx="{x(p.day)}" cy="{y + 14}" r="5" class="point {p.tone}">'
                f"<title>{_t(p.label)}: {p.day:%d %b %Y}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


@dataclass(frozen=True)
class SpendBar:
    label: str
    budget: Decimal
    accepted: Decimal
    invoiced: Decimal
    paid: Decimal


def spend_svg(bars: Sequence[SpendBar], *, currency: str, title: str) -> SafeString:
    """Per provider: the budget (light), what is accepted (darker), paid (darkest), and a mark at what is
    invoiced — one linear scale in ``currency``."""
    maximum = float(max((max(b.budget, b.invoiced) for b in bars), default=Decimal(0))) or 1.0
    step = nice_step(maximum)
    scale = max(step, math.ceil(maximum / step) * step)
    label_w, plot, row = 200, 520, 30
    width, height = label_w + plot + 130, 30 + len(bars) * row + 26

    def w(value: Decimal) -> float:
        return round(plot * float(value) / scale, 1)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="spend-{_t(currency)}" xmlns="http://www.w3.org/2000/svg" class="spend">'
        f'<title id="spend-{_t(currency)}">{_t(title)}</title>'
    ]
    for v in range(0, scale + 1, step):
        xv = label_w + plot * v / scale
        parts.append(
            f'<line x1="{xv:.1f}" x2="{xv:.1f}" y1="22" y2="{height - 26}" class="grid-line"/>'
            f'<text x="{xv:.1f}" y="14" class="tick" text-anchor="middle">{v:,}</text>'
        )
    for n, b in enumerate(bars):
        y = 26 + n * row
        label = b.label if len(b.label) <= 28 else b.label[:27] + "…"
        summary = (
            f"{b.label}: budget {currency} {money_display(b.budget, currency)}, accepted "
            f"{money_display(b.accepted, currency)}, invoiced {money_display(b.invoiced, currency)}, paid "
            f"{money_display(b.paid, currency)}"
        )
        parts.append(
            f'<g class="spend-row"><title>{_t(summary)}</title>'
            f'<text x="{label_w - 8}" y="{y + 14}" class="label" text-anchor="end">{_t(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w(b.budget)}" height="16" class="budget"/>'
            f'<rect x="{label_w}" y="{y + 6}" width="{w(b.accepted)}" height="10" class="accepted"/>'
            f'<rect x="{label_w}" y="{y + 6}" width="{w(b.paid)}" height="10" class="paid"/>'
            f'<line x1="{label_w + w(b.invoiced)}" x2="{label_w + w(b.invoiced)}" y1="{y}" y2="{y + 22}" '
            f'class="invoiced"/>'
            f'<text x="{label_w + max(w(b.budget), w(b.invoiced)) + 6}" y="{y + 15}" class="value">'
            f"{_t(money_display(b.accepted, currency))} of {_t(money_display(b.budget, currency))}</text></g>"
        )
    legend_y = height - 8
    parts.append(
        f'<g class="legend"><rect x="{label_w}" y="{legend_y - 9}" width="12" height="10" class="budget"/>'
        f'<text x="{label_w + 16}" y="{legend_y}">budget</text>'
        f'<rect x="{label_w + 80}" y="{legend_y - 9}" width="12" height="10" class="accepted"/>'
        f'<text x="{label_w + 96}" y="{legend_y}">accepted</text>'
        f'<rect x="{label_w + 170}" y="{legend_y - 9}" width="12" height="10" class="paid"/>'
        f'<text x="{label_w + 186}" y="{legend_y}">paid</text>'
        f'<line x1="{label_w + 236}" x2="{label_w + 236}" y1="{legend_y - 10}" y2="{legend_y + 1}" class="invoiced"/>'
        f'<text x="{label_w + 242}" y="{legend_y}">invoiced</text></g></svg>'
    )
    return mark_safe("".join(parts))  # every text above is escaped

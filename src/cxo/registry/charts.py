"""Horizontal bar charts drawn on the server as SVG: no chart library, no CDN, readable without JavaScript."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 175
BAR_AREA = 320
VALUE_WIDTH = 56
ROW_HEIGHT = 24
BAR_HEIGHT = 16
TOP = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str
    y: int
    width: float
    share: float  # of the total, in per cent

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 4

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    top: int = TOP

    @property
    def plot_bottom(self) -> int:
        return self.height - 4


def nice_step(maximum: float, target_ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) for about ``target_ticks`` ticks up to ``maximum``."""
    raw = max(1.0, maximum / target_ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def bar_chart(rows: Sequence[tuple[str, int, str]], *, title: str) -> BarChart:
    """A chart of (label, value, link) rows, in the order given; bar lengths share one linear scale."""
    maximum = max((value for _, value, _ in rows), default=0)
    step = nice_step(maximum)
    scale_max = max(step, math.ceil(maximum / step) * step)
    total = sum(value for _, value, _ in rows) or 1
    bars = [
        Bar(
            label=label if len(label) <= 27 else label[:26] + "…",
            value=value,
            url=url,
            y=TOP + i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
            width=round(BAR_AREA * value / scale_max, 1) if scale_max else 0,
            share=round(100 * value / total, 1),
        )
        for i, (label, value, url) in enumerate(rows)
    ]
    ticks = [Tick(x=LABEL_WIDTH + BAR_AREA * v / scale_max, label=f"{v:,}") for v in range(0, scale_max + 1, step)]
    return BarChart(
        title=title,
        bars=bars,
        ticks=ticks,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP + len(rows) * ROW_HEIGHT + 6,
    )

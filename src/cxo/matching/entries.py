"""The parts an explanation is made of: entries, the evidence records they show, and picking those records.

A row's deciding capabilities can hold thousands of evidence records (an NDC labeler's listings,
organisation-wide). An explanation shows a few of them — the strongest, the newest, those of a
required kind — so records are picked with NumPy over the index arrays (:class:`EvidenceGroup`,
:mod:`cxo.matching.deciding`) and only the picked ones become :class:`Ev` objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cxo.matching import rules
from cxo.matching.index import MatchIndex
from cxo.matching.snapshot import EVIDENCE_KINDS
from cxo.registry import geo

KIND_LABEL: dict[str, str] = {
    "fda_registration": "FDA establishment registration",
    "ndc_listing": "NDC product listing",
    "ndc_unfinished": "NDC unfinished-drug listing",
    "spl_establishment": "SPL establishment record",
    "clinical_trial": "Clinical trial record",
    "audit": "Audit",
    "self_declared": "Self-declared",
}
MET, PARTLY, NOT_MET = "met", "partly", "not_met"
CRITERION_LABEL: dict[str, str] = {
    "service_fit": "Service fit",
    "product_fit": "Product fit",
    "evidence_strength": "Evidence strength",
    "recency": "Recency",
    "breadth": "Breadth",
    "country": "Country",
    "excluded_countries": "Excluded countries",
    "excluded_organisations": "Excluded organisations",
}
MAX_EVIDENCE_SHOWN = 5


@dataclass
class Ev:
    kind: str
    source_ref: str
    observed_on: dt.date | None
    capability: str  # the service term's name
    where: str  # "site" or "organisation"
    _dict: dict[str, Any] | None = None

    @property
    def points(self) -> int:
        return rules.EVIDENCE_POINTS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        if self._dict is None:
            self._dict = {
                "kind": self.kind,
                "kind_label": KIND_LABEL[self.kind],
                "source_ref": self.source_ref,
                "observed_on": iso(self.observed_on),
                "capability": self.capability,
                "level": self.where,
            }
        return self._dict

    def label(self) -> str:
        when = f", observed {iso(self.observed_on)}" if self.observed_on else ", undated"
        return f"{KIND_LABEL[self.kind]} {self.source_ref}{when}"


def entry(
    criterion: str,
    status: str,
    detail: str,
    points: int | None = None,
    maximum: int | None = None,
    evidence: list[Ev] | None = None,
) -> dict[str, Any]:
    label = (
        CRITERION_LABEL.get(criterion)
        or f"Required: {KIND_LABEL.get(criterion.partition(':')[2], 'current FDA registration')}"
    )
    out: dict[str, Any] = {"criterion": criterion, "label": label, "status": status, "detail": detail}
    if points is not None:
        out["points"] = points
        out["max_points"] = maximum
    out["evidence"] = [e.as_dict() for e in (evidence or [])[:MAX_EVIDENCE_SHOWN]]
    return out


_DATES: dict[int, dt.date] = {}
_ISO: dict[dt.date, str] = {}


def iso(date: dt.date | None) -> str | None:
    if date is None:
        return None
    text = _ISO.get(date)
    if text is None:
        text = _ISO[date] = date.isoformat()
    return text


def day_date(day: int) -> dt.date | None:
    if not day:
        return None
    date = _DATES.get(day)
    if date is None:
        date = _DATES[day] = dt.date.fromordinal(day)
    return date


def strength(ev: Ev) -> tuple[int, int, str]:
    """Order of evidence: kind strength, then date, then (for a stable choice) the reference, reversed."""
    return (ev.points, ev.observed_on.toordinal() if ev.observed_on else 0, ev.source_ref)


def status(points: int, maximum: int) -> str:
    return MET if points >= maximum else PARTLY if points > 0 else NOT_MET


@cache
def country_name(code: str) -> str:
    return geo.country_name(code)


def country_label(code: str) -> str:
    return f"{country_name(code)} ({code})" if code else "no country on record"


def records_text(n: int) -> str:
    return f"{n:,} evidence record{'s' if n != 1 else ''}"


@dataclass(slots=True)
class EvidenceGroup:
    """The evidence records of some capabilities, in capability then record order, as index positions."""

    ev: NDArray[np.int32]  # evidence positions
    term: NDArray[np.int32]  # the service term idx of each record's capability
    where: str

    def __len__(self) -> int:
        return len(self.ev)


def evidence_at(index: MatchIndex, group: EvidenceGroup, i: int) -> Ev:
    j = int(group.ev[i])
    kind, day = EVIDENCE_KINDS[int(index.ev_kind[j])], int(index.ev_day[j])
    name = index.snapshot.terms.name[int(group.term[i])]
    return Ev(kind, index.snapshot.evidence.source_ref[j], day_date(day), name, group.where)


def of_kind(index: MatchIndex, groups: list[EvidenceGroup], kind: str, limit: int = MAX_EVIDENCE_SHOWN) -> list[Ev]:
    """The first ``limit`` records of ``kind`` over the groups."""
    code = EVIDENCE_KINDS.index(kind)
    out: list[Ev] = []
    for group in groups:
        for i in np.flatnonzero(index.ev_kind[group.ev] == code)[: limit - len(out)].tolist():
            out.append(evidence_at(index, group, i))
        if len(out) >= limit:
            break
    return out

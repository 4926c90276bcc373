"""A site's FDA compliance record as matching reads it: per FEI key, the latest inspection (its day
and outcome, the worst on that day), the newest warning letter and the newest Class I recall.

Both the index and the reference ranking read these facts from the snapshot through
:func:`site_records`; what they are worth on a given day is ``rules.compliance_points``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxo.matching import rules
from cxo.matching.snapshot import RegistrySnapshot
from cxo.registry.models import fei_key

# (latest inspection day, its class, newest warning letter day, newest Class I recall day); 0 = none
SiteRecord = tuple[int, int, int, int]
NONE: SiteRecord = (0, 0, 0, 0)
_CLASS_NAME = {v: k for k, v in rules.INSPECTION_CLASS.items()}


def site_records(snapshot: RegistrySnapshot) -> dict[str, SiteRecord]:
    """FEI key -> its :data:`SiteRecord`."""
    c = snapshot.compliance
    out: dict[str, list[int]] = {}
    for fei, kind, day, classification in zip(c.fei, c.kind, c.day, c.classification, strict=True):
        key = fei_key(fei)
        if not key or day is None:
            continue
        ordinal = day.toordinal()
        record = out.setdefault(key, [0, 0, 0, 0])
        if kind == "inspection":
            cls = rules.INSPECTION_CLASS.get(classification, 0)
            if cls and (ordinal, cls) > (record[0], record[1]):
                record[0], record[1] = ordinal, cls
        elif kind == "warning_letter":
            record[2] = max(record[2], ordinal)
        elif kind == "recall":
            record[3] = max(record[3], ordinal)
    return {key: (r[0], r[1], r[2], r[3]) for key, r in out.items()}


def site_record_of(records: dict[str, SiteRecord], fei: str) -> SiteRecord:
    key = fei_key(fei)
    return records.get(key, NONE) if key else NONE


def compliance_entry(record: SiteRecord, points: int, today: dt.date) -> dict[str, Any]:
    """The explanation entry of the compliance component: the facts within the window, named."""
    day, cls, letter, recall = record
    now = today.toordinal()
    years = rules.COMPLIANCE_WINDOW_DAYS // 365
    parts = []
    if rules.within_window(day, now):
        name = _CLASS_NAME[cls]
        low, fresh = rules.COMPLIANCE_BASE[cls], rules.COMPLIANCE_FRESH[cls]
        graded = f"; {name} earns {low} to {low + fresh}, more the more recent" if fresh else ""
        parts.append(
            f"latest FDA inspection {name} on {dt.date.fromordinal(day).isoformat()} ({now - day} days ago{graded})"
        )
    else:
        parts.append(f"no FDA inspection on record in the last {years} years")
    if rules.within_window(letter, now):
        parts.append(f"warning letter on {dt.date.fromordinal(letter).isoformat()} (-{rules.WARNING_LETTER_PENALTY})")
    if rules.within_window(recall, now):
        parts.append(f"Class I recall on {dt.date.fromordinal(recall).isoformat()} (-{rules.CLASS1_RECALL_PENALTY})")
    text = "; ".join(parts)
    detail = text[:1].upper() + text[1:] + "."
    status = "met" if points >= rules.COMPLIANCE_MAX else "not_met" if points == 0 else "partly"
    return {
        "criterion": "compliance",
        "label": "Compliance record",
        "status": status,
        "detail": detail,
        "points": points,
        "max_points": rules.COMPLIANCE_MAX,
        "evidence": [],
    }

"""The quality rules, stated once (``docs/quality.md`` explains each): service criticality, the compliance band,
the risk matrix, audit intervals and approval validity. Pure functions: no database.

Risk = matrix[criticality of the service][compliance band of the site]:

- **criticality** — ``data/risk.json`` by the service code's longest matching prefix (sterile and API high,
  other manufacture, analysis and clinical medium, packaging, development and research low), overridden per
  code in the sponsor's policy;
- **compliance band** — *poor* with an OAI inspection, a warning letter or other compliance action, or a
  Class I recall at the site within ``RECENT_YEARS``, or an open critical finding or an overdue CAPA from the
  sponsor's own audits; *fair* with a latest inspection VAI, a Class II recall within ``RECENT_YEARS``, no
  FDA inspection on record, an expected registration expired or absent, or an open major finding; else *good*.

The level sets the audit interval (policy: high 12 months, medium 24, low 36 by default).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from cxo.quality.content import data_load
from cxo.quality.models import QualityPolicy, RiskLevel

RECENT_YEARS = 5
LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)
POOR, FAIR, GOOD = "poor", "fair", "good"
BAND_NAMES = {POOR: "Poor", FAIR: "Fair", GOOD: "Good"}


@dataclass(frozen=True)
class ServiceRule:
    """What the rules say of one service: how critical, whether FDA registration is expected, which checklist."""

    prefix: str
    criticality: str
    registration: bool
    checklist: str
    why: str


@cache
def service_rules() -> tuple[ServiceRule, ...]:
    raw = data_load("risk.json")["services"]
    rules = [
        ServiceRule(prefix, r["criticality"], r["registration"], r["checklist"], r["why"]) for prefix, r in raw.items()
    ]
    return tuple(sorted(rules, key=lambda r: -len(r.prefix)))


@cache
def risk_matrix() -> dict[str, dict[str, str]]:
    matrix: dict[str, dict[str, str]] = data_load("risk.json")["matrix"]
    return matrix


def _covers(prefix: str, code: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def service_rule(code: str, overrides: Mapping[str, str] | None = None) -> ServiceRule:
    """The rule of a service code (longest prefix wins), with the sponsor's criticality override if it has one."""
    rule = next((r for r in service_rules() if _covers(r.prefix, code)), service_rules()[-1])
    for prefix in sorted(overrides or {}, key=len, reverse=True):
        level = (overrides or {})[prefix]
        if _covers(prefix, code) and level in LEVELS:
            return ServiceRule(rule.prefix, level, rule.registration, rule.checklist, "set in the sponsor's policy")
    return rule


@dataclass(frozen=True)
class RecordSignals:
    """What the risk rules read of a site: its public FDA record and the sponsor's own audit results."""

    inspected: bool = False
    latest_outcome: str = ""  # OAI / VAI / NAI of the latest inspection
    recent_oai_on: dt.date | None = None
    recent_warning_letter_on: dt.date | None = None
    recent_action_on: dt.date | None = None
    recent_class1_on: dt.date | None = None
    recent_class2_on: dt.date | None = None
    registration_lapsed: str = ""  # why an expected registration is not current, else ""
    open_critical: int = 0
    open_major: int = 0
    overdue_capas: int = 0


@dataclass(frozen=True)
class Risk:
    level: str
    criticality: str
    band: str
    reasons: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return RiskLevel(self.level).label

    @property
    def explanation(self) -> str:
        """The formula applied, in words: criticality and band → level, with the reasons for the band."""
        why = "; ".join(self.reasons) if self.reasons else "nothing on record against it"
        return (
            f"{RiskLevel(self.criticality).label} criticality and {BAND_NAMES[self.band].lower()} compliance "
            f"({why}) → {self.label.lower()} risk"
        )


def compliance_band(signals: RecordSignals, *, registration_expected: bool) -> tuple[str, tuple[str, ...]]:
    """The band and the reasons for it (worst first)."""
    poor: list[str] = []
    if signals.recent_oai_on:
        poor.append(f"OAI inspection {signals.recent_oai_on:%d %b %Y}")
    if signals.recent_warning_letter_on:
        poor.append(f"warning letter {signals.recent_warning_letter_on:%d %b %Y}")
    if signals.recent_action_on:
        poor.append(f"compliance action {signals.recent_action_on:%d %b %Y}")
    if signals.recent_class1_on:
        poor.append(f"Class I recall {signals.recent_class1_on:%d %b %Y}")
    if signals.open_critical:
        poor.append(f"{signals.open_critical} open critical finding{'s' if signals.open_critical != 1 else ''}")
    if signals.overdue_capas:
        poor.append(f"{signals.overdue_capas} overdue CAPA{'s' if signals.overdue_capas != 1 else ''}")
    if poor:
        return POOR, tuple(poor)
    fair: list[str] = []
    if signals.latest_outcome == "VAI":
        fair.append("latest inspection VAI")
    if not signals.inspected:
        fair.append("no FDA inspection on record")
    if signals.recent_class2_on:
        fair.append(f"Class II recall {signals.recent_class2_on:%d %b %Y}")
    if registration_expected and signals.registration_lapsed:
        fair.append(signals.registration_lapsed)
    if signals.open_major:
        fair.append(f"{signals.open_major} open major finding{'s' if signals.open_major != 1 else ''}")
    if fair:
        return FAIR, tuple(fair)
    return GOOD, ("latest inspection NAI",) if signals.latest_outcome == "NAI" else ()


def risk_assess(service_code: str, signals: RecordSignals, overrides: Mapping[str, str] | None = None) -> Risk:
    """The risk of a site for a service: the matrix cell of the service's criticality and the site's band."""
    rule = service_rule(service_code, overrides)
    band, reasons = compliance_band(signals, registration_expected=rule.registration)
    return Risk(level=risk_matrix()[rule.criticality][band], criticality=rule.criticality, band=band, reasons=reasons)


def worst(levels: list[str]) -> str:
    """The highest of several risk levels (a site audited for several services takes the worst)."""
    return next((level for level in LEVELS if level in levels), RiskLevel.LOW)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, to the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def approval_valid_until(approved_on: dt.date, policy: QualityPolicy) -> dt.date:
    """The last day an approval given on ``approved_on`` holds (the policy's validity, default 24 months)."""
    return add_months(approved_on, policy.approval_validity_months) - dt.timedelta(days=1)


def audit_due_on(*, last_audit_on: dt.date | None, listed_on: dt.date, level: str, policy: QualityPolicy) -> dt.date:
    """When the next audit of a site is due: the interval of its risk level after the last audit conducted, or
    at once (the day it was listed) when it has never been audited."""
    if last_audit_on is None:
        return listed_on
    return add_months(last_audit_on, policy.interval_months(level))

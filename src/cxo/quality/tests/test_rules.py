"""The risk rules: service criticality by code prefix, the compliance band, the matrix, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from cxo.quality.models import QualityPolicy
from cxo.quality.rules import (
    FAIR,
    GOOD,
    POOR,
    RecordSignals,
    add_months,
    approval_valid_until,
    audit_due_on,
    compliance_band,
    risk_assess,
    service_rule,
)

CLEAN = RecordSignals(inspected=True, latest_outcome="NAI")


@pytest.mark.parametrize(
    ("code", "criticality", "checklist"),
    [
        ("svc.mfg.drug_product.sterile_fill_finish", "high", "gmp_drug_product"),
        ("svc.mfg.api.hpapi", "high", "ich_q7_api"),
        ("svc.mfg.drug_product.solid_dose", "medium", "gmp_drug_product"),
        ("svc.analysis.stability", "medium", "analytical_laboratory"),
        ("svc.clinical.monitoring", "medium", "gcp_cro"),
        ("svc.packaging.label", "low", "gmp_drug_product"),
        ("svc.research.assay_development", "low", "analytical_laboratory"),
        ("svc.sterilize", "high", "gmp_drug_product"),
    ],
)
def test_criticality_follows_the_longest_prefix(code: str, criticality: str, checklist: str) -> None:
    rule = service_rule(code)
    assert (rule.criticality, rule.checklist) == (criticality, checklist)


def test_a_sponsor_override_wins_for_its_code_and_those_below() -> None:
    overrides = {"svc.packaging": "high"}
    assert service_rule("svc.packaging.label", overrides).criticality == "high"
    assert service_rule("svc.analysis", overrides).criticality == "medium"


def test_the_band_reads_the_record_worst_first() -> None:
    assert compliance_band(CLEAN, registration_expected=True) == (GOOD, ("latest inspection NAI",))
    assert compliance_band(RecordSignals(), registration_expected=False) == (FAIR, ("no FDA inspection on record",))
    vai = RecordSignals(inspected=True, latest_outcome="VAI", open_major=1)
    assert compliance_band(vai, registration_expected=True) == (FAIR, ("latest inspection VAI", "1 open major finding"))
    poor = RecordSignals(inspected=True, latest_outcome="VAI", recent_oai_on=dt.date(2025, 3, 4), overdue_capas=2)
    assert compliance_band(poor, registration_expected=True) == (
        POOR,
        ("OAI inspection 04 Mar 2025", "2 overdue CAPAs"),
    )
    lapsed = RecordSignals(inspected=True, latest_outcome="NAI", registration_lapsed="Registration expired")
    assert compliance_band(lapsed, registration_expected=True)[0] == FAIR
    assert compliance_band(lapsed, registration_expected=False)[0] == GOOD


@pytest.mark.parametrize(
    ("code", "signals", "level"),
    [
        ("svc.mfg.api", CLEAN, "medium"),
        ("svc.mfg.api", RecordSignals(), "high"),
        ("svc.mfg.drug_product", CLEAN, "low"),
        ("svc.mfg.drug_product", RecordSignals(inspected=True, recent_warning_letter_on=dt.date(2024, 1, 1)), "high"),
        ("svc.packaging.pack", RecordSignals(inspected=True, recent_class1_on=dt.date(2024, 1, 1)), "medium"),
        ("svc.packaging.pack", CLEAN, "low"),
    ],
)
def test_the_matrix(code: str, signals: RecordSignals, level: str) -> None:
    risk = risk_assess(code, signals)
    assert risk.level == level
    assert risk.explanation.endswith(f"→ {level} risk")


def test_months_end_on_the_months_last_day() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 14) == dt.date(2028, 2, 15)
    assert add_months(dt.date(2026, 3, 31), -13) == dt.date(2025, 2, 28)


def test_validity_and_intervals_come_from_the_policy() -> None:
    policy = QualityPolicy()
    assert approval_valid_until(dt.date(2026, 6, 1), policy) == dt.date(2028, 5, 31)
    listed = dt.date(2026, 1, 10)
    assert audit_due_on(last_audit_on=None, listed_on=listed, level="high", policy=policy) == listed
    last = dt.date(2025, 4, 2)
    due = {
        level: audit_due_on(last_audit_on=last, listed_on=listed, level=level, policy=policy)
        for level in ("high", "medium", "low")
    }
    assert due == {"high": dt.date(2026, 4, 2), "medium": dt.date(2027, 4, 2), "low": dt.date(2028, 4, 2)}

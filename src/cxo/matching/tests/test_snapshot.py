"""The compact snapshot keeps what the records say: absent keys, days, kinds, substances and references."""

from __future__ import annotations

import datetime as dt

from cxo.matching.snapshot import EVIDENCE_KINDS, NO_ID, RegistrySnapshot


def _snapshot() -> RegistrySnapshot:
    return RegistrySnapshot.from_records(
        terms=[(1, "service", "svc.mfg", "Manufacture", (), None, 0), (2, "route", "route.oral", "Oral", (), None, 0)],
        organisations=[(10, "Acme", "acme", "cmo")],
        sites=[
            (20, 10, "Acme Pune", "IND", None, "3000000001", dt.date(2027, 1, 31)),
            (21, 10, "Acme Nashik", "IND", "123", "", None),
        ],
        capabilities=[
            (30, 10, 20, 1, None, 2, None, None, "IBUPROFEN"),
            (31, 10, None, 1, None, None, None, None, ""),
            (32, 10, 21, 1, None, None, None, None, "IBUPROFEN"),
        ],
        evidence=[
            (40, 30, "ndc_listing", "NDC 0001-0002", dt.date(2025, 5, 1)),
            (41, 31, "audit", "Audit ç 2024", None),
            (42, 32, "fda_registration", "", dt.date(1, 1, 1)),
        ],
    )


def test_keys_and_days_become_numbers() -> None:
    snap = _snapshot()
    assert snap.sites.id.tolist() == [20, 21]
    assert snap.sites.registration_expiry.tolist() == [dt.date(2027, 1, 31).toordinal(), 0]
    assert snap.capabilities.site.tolist() == [20, NO_ID, 21]
    assert snap.capabilities.route.tolist() == [2, NO_ID, NO_ID]
    assert snap.evidence.observed_on.tolist() == [dt.date(2025, 5, 1).toordinal(), 0, 1]
    assert [EVIDENCE_KINDS[k] for k in snap.evidence.kind.tolist()] == ["ndc_listing", "audit", "fda_registration"]


def test_substances_are_codes_into_their_distinct_texts() -> None:
    caps = _snapshot().capabilities
    assert [caps.substance_of(i) for i in range(3)] == ["IBUPROFEN", "", "IBUPROFEN"]
    assert sorted(caps.substances) == ["", "IBUPROFEN"]


def test_references_read_back_whole_even_beyond_ascii() -> None:
    refs = _snapshot().evidence.source_ref
    assert len(refs) == 3
    assert [refs[i] for i in range(3)] == ["NDC 0001-0002", "Audit ç 2024", ""]
    assert list(refs) == ["NDC 0001-0002", "Audit ç 2024", ""]


def test_an_empty_registry_has_empty_columns() -> None:
    snap = RegistrySnapshot.from_records(terms=[], organisations=[], sites=[], capabilities=[], evidence=[])
    assert (len(snap.sites.id), len(snap.capabilities.site), len(snap.evidence.source_ref)) == (0, 0, 0)

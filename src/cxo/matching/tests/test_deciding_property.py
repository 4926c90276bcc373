"""Explanations read the evidence of all returned rows in one NumPy pass (cxo.matching.deciding); on random
registries it must pick what reading each row on its own, in plain Python, picks."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cxo.matching import rules
from cxo.matching.deciding import Held, deciding_evidence, product_evidence
from cxo.matching.entries import Ev
from cxo.matching.index import MatchIndex, build_index
from cxo.matching.snapshot import EVIDENCE_KINDS, RegistrySnapshot
from cxo.matching.tests.strategies import SUBSTANCES, registries

Record = tuple[str, str, Any, str, str]  # kind, reference, day, capability, where


def _seen(ev: Ev | None) -> Record | None:
    return None if ev is None else (ev.kind, ev.source_ref, ev.observed_on, ev.capability, ev.where)


# --- the plain reading of one row ------------------------------------------------------------------


def _caps(index: MatchIndex, row: int) -> tuple[list[int], list[int]]:
    org = int(index.row_org[row])
    here = index.row_caps[index.row_caps_ptr[row] : index.row_caps_ptr[row + 1]].tolist()
    there = index.org_caps[index.org_caps_ptr[org] : index.org_caps_ptr[org + 1]].tolist()
    return here, there


def _under(index: MatchIndex, term: int, other: int) -> bool:
    return other >= 0 and term in index.ancestors[other]


def _records(index: MatchIndex, caps: list[int], where: str) -> list[tuple[int, int, str, str, int, str]]:
    """(kind points, day, reference, kind, capability, where) of the capabilities' records, in order."""
    snap = index.snapshot
    out = []
    for cap in caps:
        for j in index.cap_ev[index.cap_ev_ptr[cap] : index.cap_ev_ptr[cap + 1]].tolist():
            kind = EVIDENCE_KINDS[int(index.ev_kind[j])]
            day = int(index.ev_day[j])
            out.append((rules.EVIDENCE_POINTS[kind], day, snap.evidence.source_ref[j], kind, cap, where))
    return out


def _strongest(index: MatchIndex, records: list[Any]) -> Record | None:
    if not records:
        return None
    top = max((points, day) for points, day, *_ in records)
    tied = [r for r in records if (r[0], r[1]) == top]
    pick = next(r for r in tied if r[2] == max(t[2] for t in tied))
    return _as_record(index, pick)


def _as_record(index: MatchIndex, r: Any) -> Record:
    import datetime as dt

    _, day, ref, kind, cap, where = r
    name = index.snapshot.terms.name[int(index.cap_term[cap])]
    return (kind, ref, dt.date.fromordinal(day) if day else None, name, where)


def _deciding(index: MatchIndex, row: int, service_terms: list[int]) -> list[tuple[str, list[int]]]:
    here, there = _caps(index, row)
    if not service_terms:
        return [("site", here) if here else ("organisation", there)]
    out = []
    for term in service_terms:
        at_site = [c for c in here if _under(index, term, int(index.cap_term[c]))]
        if at_site:
            out.append(("site", at_site))
        else:
            out.append(("organisation", [c for c in there if _under(index, term, int(index.cap_term[c]))]))
    return out


# --- the properties --------------------------------------------------------------------------------


def _draw_rows(data: st.DataObject, index: MatchIndex) -> list[int]:
    if not index.size:
        return []
    return data.draw(st.lists(st.integers(0, index.size - 1), max_size=12))


def _terms(snapshot: RegistrySnapshot, index: MatchIndex, services: bool) -> list[int]:
    t = snapshot.terms
    return [index.term_index[i] for i, v in zip(t.id, t.vocabulary, strict=True) if (v == "service") == services]


@given(data=st.data(), snapshot=registries())
def test_deciding_evidence_equals_reading_each_row(data: st.DataObject, snapshot: RegistrySnapshot) -> None:
    index = build_index(snapshot)
    rows = _draw_rows(data, index)
    service_terms = data.draw(st.lists(st.sampled_from(_terms(snapshot, index, True)), max_size=3))
    got = deciding_evidence(index, rows, service_terms)
    name = snapshot.terms.name
    for k, row in enumerate(rows):
        groups = _deciding(index, row, service_terms)
        records = [_records(index, caps, where) for where, caps in groups]
        for g, (where, caps), recs in zip(got.of_row(k), groups, records, strict=True):
            assert got.where[g] == where
            assert got.names[g] == sorted({name[int(index.cap_term[c])] for c in caps})
            assert _seen(got.best[g]) == _strongest(index, recs)
            assert [int(e) for e in got.groups[g].ev] == [
                j for c in caps for j in index.cap_ev[index.cap_ev_ptr[c] : index.cap_ev_ptr[c + 1]].tolist()
            ]
        flat = [r for recs in records for r in recs]
        assert got.records[k] == len(flat)
        newest = max((r[1] for r in flat), default=0)
        expected = _as_record(index, next(r for r in flat if r[1] == newest)) if newest > 0 else None
        assert _seen(got.latest[k]) == expected


@given(data=st.data(), snapshot=registries())
def test_product_evidence_equals_reading_each_row(data: st.DataObject, snapshot: RegistrySnapshot) -> None:
    index = build_index(snapshot)
    rows = _draw_rows(data, index)
    service_terms = data.draw(st.lists(st.sampled_from(_terms(snapshot, index, True)), max_size=2))
    asked: list[int | None] = data.draw(st.lists(st.sampled_from(_terms(snapshot, index, False)), max_size=3))
    substance = rules.normalise_substance(data.draw(st.sampled_from(SUBSTANCES)))
    if data.draw(st.booleans()):
        asked.append(None)
    wanted = index.substance_index.get(substance, -2)
    got = product_evidence(index, rows, asked, wanted, service_terms)

    def of_service(cap: int) -> bool:
        return any(_under(index, s, int(index.cap_term[cap])) for s in service_terms)

    def has(term: int | None, cap: int) -> bool:
        if term is None:
            return int(index.cap_substance[cap]) == wanted and (not service_terms or of_service(cap))
        return any(_under(index, term, int(p)) for p in index.cap_products[cap].tolist())

    for k, row in enumerate(rows):
        here, there = _caps(index, row)
        for term, held in zip(asked, got[k], strict=True):
            expected: Held | None = None
            for where, caps in (("site", here), ("organisation", there)):
                having = [c for c in caps if has(term, c)]
                if having:
                    shown = [c for c in having if of_service(c)] if service_terms else []
                    recs = _records(index, shown or having, where)
                    expected = Held(where, len(_records(index, having, where)), None)
                    assert held is not None
                    assert (held.where, held.records) == (expected.where, expected.records)
                    assert _seen(held.best) == _strongest(index, recs)
                    break
            if expected is None:
                assert held is None

"""The NumPy engine ranks exactly like the plain-Python reference, on random registries and needs."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from cxo.matching import engine, reference
from cxo.matching.index import build_index
from cxo.matching.snapshot import RegistrySnapshot
from cxo.matching.tests.strategies import TODAY, criteria_for, registries


# How many examples: the Hypothesis profile (conftest.py: "ci" by default, HYPOTHESIS_PROFILE=thorough for more).
@given(data=st.data(), snapshot=registries(), today=st.sampled_from([TODAY, dt.date(2024, 3, 1)]))
def test_engine_ranks_like_the_reference(data: st.DataObject, snapshot: RegistrySnapshot, today: dt.date) -> None:
    index = build_index(snapshot)
    for _ in range(5):
        criteria = data.draw(criteria_for(snapshot))
        expected = reference.rank(snapshot, criteria, today=today)
        got = engine.rank(index, criteria, today=today).ranking(index)
        assert got == expected, criteria

"""Hypothesis strategies: small random registries and needs, as snapshots (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from cxo.matching import rules
from cxo.matching.criteria import Criteria
from cxo.matching.snapshot import EVIDENCE_KINDS, RegistrySnapshot

TODAY = dt.date(2026, 11, 25)
NAMES = ["Acme", "ACME", "acme ", "Beta", "Zed", "Ça", "alpha"]
COUNTRIES = ["IND", "USA", "CHN", ""]
FEIS = ["", "3000000001", "0003000000001", "3000000002", "0000000"]  # with leading zeros and a placeholder
SUBSTANCES = ["ATORVASTATIN", "atorvastatin ", "ATORVASTATIN CALCIUM TRIHYDRATE", "IBUPROFEN", ""]


@st.composite
def registries(draw: Any) -> RegistrySnapshot:
    terms: list[tuple[Any, ...]] = []
    next_id = 1

    def add(vocabulary: str, parent: int | None, code: str = "") -> int:
        nonlocal next_id
        tid = next_id
        next_id += 1
        terms.append((tid, vocabulary, code or f"{vocabulary}-{tid}", f"Term {tid}", (), parent, 0))
        return tid

    service_terms: list[int] = []
    for root_code in draw(
        st.lists(st.sampled_from(["svc.mfg", "svc.packaging", "svc.analysis"]), min_size=1, max_size=3, unique=True)
    ):
        root = add("service", None, root_code)
        service_terms.append(root)
        for _ in range(draw(st.integers(0, 3))):
            child = add("service", root)
            service_terms.append(child)
            for _ in range(draw(st.integers(0, 2))):
                service_terms.append(add("service", child))
    product_terms: list[int] = []
    for vocabulary in ("dosage_form", "route"):
        root = add(vocabulary, None)
        product_terms.append(root)
        for _ in range(draw(st.integers(0, 3))):
            product_terms.append(add(vocabulary, root))

    n_orgs = draw(st.integers(1, 6))
    organisations = [(100 + i, draw(st.sampled_from(NAMES)), f"org-{i}", "") for i in range(n_orgs)]
    org_ids = [o[0] for o in organisations]
    dates = st.one_of(st.none(), st.dates(dt.date(2019, 1, 1), dt.date(2027, 6, 1)))
    sites = []
    for i in range(draw(st.integers(0, 10))):
        sites.append(
            (
                1000 + i * 7,
                draw(st.sampled_from(org_ids)),
                draw(st.sampled_from(NAMES)),
                draw(st.sampled_from(COUNTRIES)),
                None,
                draw(st.sampled_from(FEIS)),
                draw(dates),
            )
        )
    capabilities = []
    for i in range(draw(st.integers(0, 30))):
        site = draw(st.one_of(st.none(), st.sampled_from(sites), st.sampled_from(sites))) if sites else None
        org = site[1] if site else draw(st.sampled_from(org_ids))
        maybe_product = st.one_of(st.none(), st.sampled_from(product_terms))
        capabilities.append(
            (
                5000 + i,
                org,
                site[0] if site else None,
                draw(st.sampled_from(service_terms)),
                draw(maybe_product),
                draw(maybe_product),
                None,
                None,
                draw(st.sampled_from(SUBSTANCES)),
            )
        )
    evidence = []
    if capabilities:
        for i in range(draw(st.integers(0, 30))):
            evidence.append(
                (
                    9000 + i,
                    draw(st.sampled_from(capabilities))[0],
                    draw(st.sampled_from(EVIDENCE_KINDS)),
                    f"REF-{i}",
                    draw(dates),
                )
            )
    outcomes = st.sampled_from(["NAI", "VAI", "OAI"])
    compliance = [
        (
            draw(st.sampled_from(FEIS)),
            draw(st.sampled_from(["inspection", "inspection", "warning_letter", "recall"])),
            draw(st.dates(dt.date(2019, 1, 1), dt.date(2027, 6, 1))),
            draw(outcomes),
        )
        for _ in range(draw(st.integers(0, 12)))
    ]
    return RegistrySnapshot.from_records(
        terms=terms,
        organisations=organisations,
        sites=sites,
        capabilities=capabilities,
        evidence=evidence,
        compliance=compliance,
    )


@st.composite
def criteria_for(draw: Any, snapshot: RegistrySnapshot) -> Criteria:
    t = snapshot.terms
    services = [tid for tid, v in zip(t.id, t.vocabulary, strict=True) if v == "service"]
    products = [tid for tid, v in zip(t.id, t.vocabulary, strict=True) if v != "service"]
    countries = st.frozensets(st.sampled_from(COUNTRIES[:3]), min_size=1, max_size=2)
    nothing: st.SearchStrategy[Any] = st.just(frozenset())
    # Filters are drawn rarely enough that most needs still match something.
    return Criteria(
        services=tuple(draw(st.lists(st.sampled_from(services), max_size=2))),
        products=tuple(draw(st.lists(st.sampled_from(products), max_size=3))),
        substance=rules.normalise_substance(draw(st.sampled_from(SUBSTANCES))),
        countries=draw(st.one_of(st.none(), st.none(), countries)),
        exclude_countries=draw(st.one_of(nothing, nothing, countries)),
        exclude_organisations=frozenset(
            draw(st.lists(st.sampled_from(snapshot.organisations.id.tolist()), max_size=1))
        ),
        require_evidence=tuple(
            draw(
                st.one_of(
                    st.just([]),
                    st.just([]),
                    st.lists(st.sampled_from([*EVIDENCE_KINDS, rules.FDA_REGISTRATION_CURRENT]), max_size=2),
                )
            )
        ),
        limit=draw(st.one_of(st.none(), st.integers(1, 6))),
        per_organisation=draw(st.booleans()),
        exclude_flagged=draw(st.booleans()),
    )

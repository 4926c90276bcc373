"""The directory-search half of ``bench/registry.py``: the searches timed, and the registry grown to a size.

Run through ``bench/registry.py --search-only``; nothing here is a test.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# --- directory search ---------------------------------------------------------------------------

# Two facets each, as people narrow the directory: (description, site_search arguments).
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("China + API manufacture", {"countries": ["CHN"], "services": ["svc.mfg.api"]}),
    ("India + analysis", {"countries": ["IND"], "services": ["svc.analysis"]}),
    ("Europe + drug product", {"regions": ["europe"], "services": ["svc.mfg.drug_product"]}),
    ("USA + CMO", {"countries": ["USA"], "kinds": ["cmo"]}),
    ("East Asia + packaging", {"regions": ["east_asia"], "services": ["svc.packaging"]}),
    ("FDA registration + sterilisation", {"evidence_kinds": ["fda_registration"], "services": ["svc.sterilize"]}),
]


@dataclass
class Latency:
    name: str
    sites: int
    p50_ms: float
    p99_ms: float
    runs: int
    hits: int | None = None
    note: str = ""
    cpu_p50_ms: float = 0.0  # this process's CPU time: what the search costs when the machine is busy elsewhere


def _latencies(name: str, sites: int, calls: list[Callable[[], int]], runs: int, note: str = "") -> Latency:
    """Run the calls round-robin ``runs`` times (after one warm-up round); p50/p99 in milliseconds."""
    for call in calls:
        call()
    timings, cpu, hits = [], [], []
    for i in range(runs):
        call = calls[i % len(calls)]
        start, start_cpu = time.perf_counter(), time.process_time()
        hits.append(call())
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    return Latency(
        name, sites, statistics.median(timings), p99, runs, round(statistics.mean(hits)), note, statistics.median(cpu)
    )


def measure_directory_search(*, runs: int = 300) -> list[Latency]:
    """Directory search latency on the current database: two facets with every facet counted, and friends."""
    from django.test import Client

    from cxo.core.models import User
    from cxo.registry.models import SiteFacets
    from cxo.registry.selectors import organisation_search, site_search

    sites = SiteFacets.objects.count()
    two_facets = [lambda kw=kw: site_search(**kw).total for _, kw in SEARCHES]
    out = [
        _latencies(
            "site_search, two facets + all counts", sites, two_facets, runs, f"{len(SEARCHES)} real filter pairs"
        ),
        _latencies("site_search, no filter (landing)", sites, [lambda: site_search().total], runs // 3),
        _latencies(
            "site_search, free text + one facet",
            sites,
            [lambda: site_search(q="pharmaceutical", countries=["IND"]).total],
            runs // 3,
            "substring scan of the index",
        ),
        _latencies(
            "organisation_search, two facets",
            sites,
            [lambda kw=kw: organisation_search(**kw).total for _, kw in SEARCHES],
            runs // 3,
        ),
    ]
    user, _ = User.objects.get_or_create(username="bench-reader")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def http(query: str) -> Callable[[], int]:
        def call() -> int:
            response = client.get("/api/v1/registry/sites?" + query)
            assert response.status_code == 200, response.content[:300]
            return int(response.json()["total"])

        return call

    out.append(
        _latencies(
            "GET /api/v1/registry/sites, two facets",
            sites,
            [http("country=CHN&service=svc.mfg.api"), http("region=europe&service=svc.mfg.drug_product")],
            runs // 3,
            "whole request: auth, JSON",
        )
    )
    return out


@dataclass
class ScaleUp:
    sites: int
    organisations: int
    seconds: float
    index_seconds: float


def scale_up(*, target_sites: int, seed: int = 20251231) -> ScaleUp:
    """Grow the registry to ``target_sites`` by copying the real rows with new DUNS numbers.

    Whole copies of every site (with its organisation, capabilities and evidence) keep the real
    country and operation distributions; a seeded random sample tops up the last partial copy.
    Then the directory's index is rebuilt (timed separately).
    """
    from django.db import transaction

    from cxo.core.models import Organisation
    from cxo.registry.facets import facets_rebuild
    from cxo.registry.models import Capability, Evidence, Site

    start = time.perf_counter()
    base = list(Site.objects.order_by("pk"))
    need = target_sites - len(base)
    if need <= 0:
        return ScaleUp(len(base), Organisation.objects.count(), 0.0, 0.0)
    full, rest = divmod(need, len(base))
    plan = [(r, site) for r in range(1, full + 1) for site in base]
    plan += [(full + 1, site) for site in random.Random(seed).sample(base, rest)]

    used = set(Site.objects.values_list("duns", flat=True)) | set(
        Organisation.objects.exclude(registrant_duns=None).values_list("registrant_duns", flat=True)
    )
    counter = iter(range(100_000_000, 999_999_999))

    def new_duns() -> str:
        duns = f"{next(counter):09d}"
        while duns in used:
            duns = f"{next(counter):09d}"
        used.add(duns)
        return duns

    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in={s.organisation_id for s in base})}
    capabilities: dict[int, list[Capability]] = {}
    for capability in Capability.objects.filter(site__isnull=False).order_by("pk"):
        capabilities.setdefault(capability.site_id, []).append(capability)  # type: ignore[arg-type]
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.order_by("pk"):
        evidence.setdefault(item.capability_id, []).append(item)

    with transaction.atomic():
        copies: dict[tuple[int, int], Organisation] = {}
        for replica, site in plan:
            key = (replica, site.organisation_id)
            if key not in copies:
                source = organisations[site.organisation_id]
                copies[key] = Organisation(
                    name=source.name,
                    slug=f"{source.slug}-copy{replica}",
                    type=source.type,
                    registrant_duns=new_duns(),
                    kind=source.kind,
                    kind_reason=source.kind_reason,
                )
        Organisation.objects.bulk_create(copies.values(), batch_size=2000)
        new_sites = [
            Site(
                organisation=copies[(replica, site.organisation_id)],
                name=site.name,
                address=site.address,
                country=site.country,
                duns=new_duns(),
                fei=site.fei,
                registration_expiry=site.registration_expiry,
                us_agent_name=site.us_agent_name,
                us_agent_duns=site.us_agent_duns,
            )
            for replica, site in plan
        ]
        Site.objects.bulk_create(new_sites, batch_size=2000)
        new_capabilities: list[Capability] = []
        sources: list[Capability] = []
        for (_, site), copy in zip(plan, new_sites, strict=True):
            for capability in capabilities.get(site.pk, []):
                sources.append(capability)
                new_capabilities.append(
                    Capability(
                        organisation_id=copy.organisation_id,
                        site=copy,
                        service_id=capability.service_id,
                        key=Capability.make_key(site_id=copy.pk, service_id=capability.service_id),
                    )
                )
        Capability.objects.bulk_create(new_capabilities, batch_size=2000)
        Evidence.objects.bulk_create(
            [
                Evidence(
                    capability=copy,
                    kind=item.kind,
                    source_ref=f"{item.source_ref} (copy {copy.site.duns})",  # type: ignore[union-attr]
                    observed_on=item.observed_on,
                    detail=item.detail,
                    import_run_id=item.import_run_id,
                )
                for source, copy in zip(sources, new_capabilities, strict=True)
                for item in evidence.get(source.pk, [])
            ],
            batch_size=2000,
        )
    copied = time.perf_counter() - start
    start = time.perf_counter()
    facets_rebuild()
    return ScaleUp(Site.objects.count(), Organisation.objects.count(), copied, time.perf_counter() - start)


def render_latencies(latencies: list[Latency]) -> str:
    header = f"{'search':<40} {'sites':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU p50':>8} {'runs':>5} {'hits':>7}  note"
    lines = [header, "-" * 120]
    for m in latencies:
        hits = f"{m.hits:,}" if m.hits is not None else ""
        lines.append(
            f"{m.name:<40} {m.sites:>8,} {m.p50_ms:>8.1f} {m.p99_ms:>8.1f} {m.cpu_p50_ms:>8.1f} {m.runs:>5} {hits:>7}"
            f"  {m.note}"
        )
    return "\n".join(lines)

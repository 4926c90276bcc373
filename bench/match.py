"""Benchmark of matching: the NumPy engine against the naive way (ORM filtering + Python scoring).

Registries of 10k sites (the whole demo registry: every public file CXO ships — DECRS, the NDC
directory and unfinished file, SPL labels, ClinicalTrials.gov extracts and the six FDA compliance
files), and 100k and 1M sites scaled up from it (copies of every organisation with its sites,
capabilities and evidence, so the distributions of operations, countries, products, substances and
organisation sizes are the real ones; copied sites keep their FEI, so the compliance record joins
them as it does the originals). 200 realistic needs drawn from the same distributions. Every need
is answered with the top 50 and their explanations; "cold" clears everything the index remembers
from earlier answers before each need. The Find providers page (``/o/<sponsor>/match/``, 50 results)
is timed through Django's test client, cold, as server time.

    .venv/bin/python bench/match.py                    # 10k, 100k, 1M; prints a table
    .venv/bin/python bench/match.py --sizes 10k 100k --json

Databases are built once under var/bench/ (SQLite) and reused. Each size runs in its own process.
BENCH_NAIVE_NEEDS=N overrides how many needs the (slow) naive way is timed on.
Run by hand, never in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SIZES = {"10k": 1, "100k": 10, "1M": 96}  # copies of the real registry (10,439 sites)
NAIVE_NEEDS = {"10k": 200, "100k": 20, "1M": 1}  # the naive way takes minutes per broad need at 1M
TODAY = "2026-11-25"


# --- the parent: one worker process per size, then the table -----------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    rows = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", size], capture_output=True, text=True, cwd=ROOT, check=False
        )
        if out.returncode != 0:
            print(out.stdout, out.stderr, file=sys.stderr)
            return out.returncode
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    head = (
        f"{'size':>5} {'sites':>9} {'rows':>9} {'build s':>7} {'MB':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'cold p50':>8} {'cold p99':>8} {'engine p50':>10} {'page p50':>8} {'naive p50 ms':>12} {'speed-up':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        naive = r["naive_p50_ms"]
        print(
            f"{r['size']:>5} {r['sites']:>9,} {r['rows']:>9,} {r['index_build_s']:>7.2f} {r['index_mb']:>6.0f} "
            f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['cold_p50_ms']:>8.2f} {r['cold_p99_ms']:>8.2f} "
            f"{r['engine_p50_ms']:>10.2f} {r['page_p50_ms']:>8.1f} {naive or 0:>12.1f} "
            f"{(naive or 0) / r['cold_p50_ms']:>7.0f}x"
        )
    naive_counts = ", ".join(f"{r['naive_needs']} ({r['size']})" for r in rows)
    print(
        "\n200 needs per size, top 50 with explanations (need_match on a built index). p50/p99: steady state, "
        "after 200 other needs; cold: nothing remembered from earlier answers. engine: the NumPy ranking alone. "
        "naive = ORM filtering of candidate sites, their capabilities and evidence, then plain-Python scoring "
        f"(reference.rank), on the first {naive_counts} needs; "
        f"page: the Find providers page (50 results, cold) through Django's test client, {PAGE_NEEDS} needs; "
        f"speed-up = naive p50 / cold p50. Load average when done: {os.getloadavg()[0]:.1f}."
    )
    return 0


# --- a worker: one registry size ------------------------------------------------------------------------


def _setup(size: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / f'match-{size}.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _build_database(size: str) -> None:
    import io

    from django.core.management import call_command
    from django.db import connection

    from cxo.registry.models import Site

    call_command("migrate", verbosity=0)
    if Site.objects.exists():
        return
    from cxo.registry.demo import demo_registry_load

    with contextlib.redirect_stdout(io.StringIO()):
        demo_registry_load()
    copies = SIZES[size]
    if copies > 1:
        _scale_up(connection, copies)


def _scale_up(connection: Any, copies: int) -> None:
    """Add copies-1 copies of every organisation with its sites, capabilities and evidence (SQL, all columns)."""
    from django.db import transaction

    from cxo.core.models import Organisation
    from cxo.registry.models import Capability, Evidence, Site

    def columns(model: Any) -> list[str]:
        with connection.cursor() as cursor:
            return [c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)]

    with connection.cursor() as cursor:
        stride = {}
        for model in (Organisation, Site, Capability, Evidence):
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
            stride[model] = cursor.fetchone()[0]
    base_org = stride[Organisation]
    with transaction.atomic():
        for k in range(1, copies):
            for model in (Organisation, Site, Capability, Evidence):
                exprs = []
                for col in columns(model):
                    expr = {
                        "id": f"id + {k * stride[model]}",
                        "organisation_id": f"organisation_id + {k * base_org}",
                        "site_id": f"site_id + {k * stride[Site]}",
                        "capability_id": f"capability_id + {k * stride[Capability]}",
                        "duns": "NULL",
                        "registrant_duns": "NULL",
                        "slug": f"slug || '-c{k}'",
                        "key": f"key || '|c{k}'",
                        "detail": "'{}'",  # matching reads no evidence detail; copies stay small
                    }.get(col, col)
                    exprs.append(expr)
                where = f" WHERE id <= {stride[model]}"
                cols = ", ".join(columns(model))
                connection.cursor().execute(
                    f"INSERT INTO {model._meta.db_table} ({cols}) SELECT {', '.join(exprs)} "
                    f"FROM {model._meta.db_table}{where}"
                )


def realistic_needs(count: int = 200, seed: int = 7) -> list[dict[str, Any]]:
    """Needs drawn from the real registry: services by how often DECRS lists them, countries by site count."""
    from cxo.registry.geo import REGION_NAMES
    from cxo.registry.models import Site, Term

    operations = {  # DECRS FY2025 operation counts (shared/data/README.md)
        "MANUFACTURE": 5730,
        "ANALYSIS": 3330,
        "API MANUFACTURE": 2452,
        "LABEL": 2154,
        "PACK": 1996,
        "REPACK": 891,
        "MEDICATED ANIMAL FEED MANUFACTURE": 714,
        "RELABEL": 664,
        "STERILIZE": 251,
        "TRANSFILL": 160,
        "POSITRON EMISSION TOMOGRAPHY DRUG PRODUCTION": 154,
        "PARTICLE SIZE REDUCTION": 55,
    }
    from cxo.registry.models import Capability

    words = ["aseptic fill-finish", "solid dose", "stability testing", "Manufacturing", "Packaging & labelling"]
    countries = list(Site.objects.exclude(country="").values_list("country", flat=True)[:20000])
    # Dosage forms and substances as often as the registry holds them (NDC, SPL, bulk listings).
    forms = list(
        Capability.objects.filter(dosage_form__isnull=False).values_list("dosage_form__code", flat=True)[:20000]
    ) or list(Term.objects.filter(vocabulary="dosage_form", parent__isnull=False).values_list("code", flat=True))
    api = Capability.objects.filter(service__code="svc.mfg.api").exclude(substance="")
    substances = list(api.values_list("substance", flat=True)[:20000])
    rnd = random.Random(seed)
    needs = []
    for _ in range(count):
        services = rnd.choices(list(operations), weights=list(operations.values()))
        if rnd.random() < 0.1:
            services.append(rnd.choice(words))
        need: dict[str, Any] = {"services": services, "limit": 50}
        roll = rnd.random()
        if roll < 0.55:
            need["countries"] = [rnd.choice(countries)]
        elif roll < 0.7:
            need["regions"] = [rnd.choice(list(REGION_NAMES))]
        if rnd.random() < 0.2:
            need["dosage_forms"] = [rnd.choice(forms)]
        if substances and rnd.random() < 0.1:
            need["services"], need["substance"] = ["API MANUFACTURE"], rnd.choice(substances)
        if rnd.random() < 0.1:
            need["require_evidence"] = ["fda_registration"]
        if rnd.random() < 0.05:
            need["exclude_countries"] = ["CHN"]
        if rnd.random() < 0.1:
            need["per_organisation"] = True
        needs.append(need)
    return needs


def naive_match(need: Any, *, today: Any) -> Any:
    """The naive way: ORM queries for the candidates and all they need, then plain-Python scoring."""
    from django.db.models import Q

    from cxo.core.models import Organisation
    from cxo.matching import reference
    from cxo.matching.need import need_resolve
    from cxo.matching.snapshot import RegistrySnapshot
    from cxo.registry.geo import countries_in_region
    from cxo.registry.models import Capability, ComplianceEvent, Evidence, Site, Term

    terms = list(Term.objects.values_list("id", "vocabulary", "code", "name", "synonyms", "parent_id", "sort"))
    children: dict[int | None, list[int]] = {}
    for t in terms:
        children.setdefault(t[5], []).append(t[0])

    def subtree(term_id: int) -> list[int]:
        out, todo = [], [term_id]
        while todo:
            node = todo.pop()
            out.append(node)
            todo += children.get(node, [])
        return out

    resolved = need_resolve(need=need, index=_NAIVE_TERMS)  # strings -> ids (terms only)
    sites = Site.objects.all()
    orgs_with_caps = Capability.objects.all()
    for service in resolved.criteria.services:
        sites = sites.filter(
            Q(capabilities__service__in=subtree(service))
            | Q(organisation__capabilities__site__isnull=True, organisation__capabilities__service__in=subtree(service))
        )
        orgs_with_caps = orgs_with_caps.filter(site__isnull=True, service__in=subtree(service))
    countries = set(need.countries) | {c for r in need.regions for c in countries_in_region(r)}
    if countries:
        sites = sites.filter(country__in=countries)
    site_rows = list(
        sites.distinct().values_list("id", "organisation_id", "name", "country", "duns", "fei", "registration_expiry")
    )
    org_ids = {s[1] for s in site_rows}
    if not countries:
        org_ids |= set(orgs_with_caps.values_list("organisation_id", flat=True))
    org_rows = list(Organisation.objects.filter(id__in=org_ids).values_list("id", "name", "slug", "kind"))
    cap_rows = list(
        Capability.objects.filter(organisation_id__in=org_ids).values_list(
            "id",
            "organisation_id",
            "site_id",
            "service_id",
            "dosage_form_id",
            "route_id",
            "modality_id",
            "scale_id",
            "substance",
        )
    )
    ev_rows = list(
        Evidence.objects.filter(capability__organisation_id__in=org_ids).values_list(
            "id", "capability_id", "kind", "source_ref", "observed_on"
        )
    )
    feis = {s[5] for s in site_rows if s[5]}
    compliance_rows = list(
        ComplianceEvent.objects.filter(fei__in=feis).values_list("fei", "kind", "occurred_on", "classification")
    )
    # All capabilities of the candidates' organisations: their other sites count for breadth.
    snapshot = RegistrySnapshot.from_records(
        terms=[(*t[:4], tuple(t[4] or ()), *t[5:]) for t in terms],
        organisations=org_rows,
        sites=site_rows,
        capabilities=cap_rows,
        evidence=ev_rows,
        compliance=compliance_rows,
    )
    return reference.rank(snapshot, resolved.criteria, today=today)


_NAIVE_TERMS: Any = None
PAGE_NEEDS = 40


def _bench_sponsor() -> Any:
    """The bench's sponsor user (created once per database), who may open Find providers."""
    from django.contrib.auth import get_user_model

    from cxo.core import services
    from cxo.core.roles import OrganisationType

    user = get_user_model().objects.filter(username="bench-sponsor").first()
    if user is None:
        user = get_user_model().objects.create_user(username="bench-sponsor", password="bench-only-password")
        services.organisation_create(
            actor=None, name="Bench Sponsor", type=OrganisationType.SPONSOR, slug="bench-sponsor", admin=user
        )
    return user


def find_providers_page(needs: list[Any], index: Any) -> list[float]:
    """Server time of the Find providers page (50 results), cold, through Django's test client, in ms."""
    from django.test import Client

    from cxo.matching import live

    user = _bench_sponsor()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    assert live.match_index() is index  # the process's index: the one a server has after its first request
    out = []
    for need in needs:
        query: dict[str, Any] = {"go": "1", "limit": "50"}
        for name in ("services", "dosage_forms", "countries", "regions", "exclude_countries", "require_evidence"):
            if getattr(need, name):
                query[name] = list(getattr(need, name))
        if need.substance:
            query["substance"] = need.substance
        if need.per_organisation:
            query["per_organisation"] = "1"
        live.match_index().memo.clear()
        t0 = time.perf_counter()
        response = client.get("/o/bench-sponsor/match/", query)
        out.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (response.status_code, query)
    return sorted(out)


def worker(size: str) -> dict[str, Any]:
    global _NAIVE_TERMS
    import datetime as dt

    _setup(size)
    _build_database(size)
    _bench_sponsor()  # before the index: a new organisation changes the registry's version
    from cxo.matching import live
    from cxo.matching.need import Need
    from cxo.matching.selectors import need_match

    today = dt.date.fromisoformat(TODAY)
    started = time.perf_counter()
    index = live.match_index(force=True)  # the process's index, as a server builds it: read, build, settle
    build_s = time.perf_counter() - started
    settle_s = 0.0
    _NAIVE_TERMS = index
    needs = [Need(**n) for n in realistic_needs()]

    def timed(*, fresh: bool) -> list[float]:
        out = []
        for need in needs:
            if fresh:
                index.memo.clear()
            t0 = time.perf_counter()
            need_match(need=need, index=index, today=today)
            out.append((time.perf_counter() - t0) * 1000)
        return sorted(out)

    need_match(need=needs[0], index=index, today=today)  # process-wide caches: term directory, URL templates
    # Cold: the index remembers nothing of earlier answers, every explanation is written from scratch.
    cold = timed(fresh=True)
    # Steady state: a server that has answered 200 other needs (another draw from the same
    # distributions) remembers the request-independent parts of the rows those showed.
    index.memo.clear()
    for other in realistic_needs(seed=8):
        need_match(need=Need(**other), index=index, today=today)
    timings = timed(fresh=False)
    print(f"{size}: index built in {build_s:.2f} s, p50 {statistics.median(timings):.2f} ms", file=sys.stderr)
    naive = []
    for need in needs[: int(os.environ.get("BENCH_NAIVE_NEEDS", NAIVE_NEEDS[size]))]:
        t0 = time.perf_counter()
        naive_match(need, today=today)
        naive.append((time.perf_counter() - t0) * 1000)
        print(f"{size}: naive need {len(naive)} in {naive[-1]:.0f} ms", file=sys.stderr)
    # The engine alone (no explanations, no JSON-ready rows), for the same needs.
    from cxo.matching import engine
    from cxo.matching.need import need_resolve

    page_ms = find_providers_page(needs[:PAGE_NEEDS], index)

    engine_ms = []
    for need in needs:
        criteria = need_resolve(need=need, index=index).criteria
        t0 = time.perf_counter()
        engine.rank(index, criteria, today=today)
        engine_ms.append((time.perf_counter() - t0) * 1000)
    engine_ms.sort()
    return {
        "size": size,
        "sites": len(index.snapshot.sites.id),
        "rows": index.size,
        "capabilities": len(index.snapshot.capabilities.id),
        "evidence": len(index.snapshot.evidence.id),
        "needs": len(needs),
        "index_build_s": round(build_s, 3),
        "settle_s": round(settle_s, 3),
        "index_mb": round((index.nbytes() + index.strings_nbytes()) / 1e6, 1),
        "index_arrays_mb": round(index.nbytes() / 1e6, 1),
        "p50_ms": round(statistics.median(timings), 3),
        "p90_ms": round(timings[int(0.9 * len(timings)) - 1], 3),
        "p99_ms": round(timings[int(0.99 * len(timings)) - 1], 3),
        "max_ms": round(timings[-1], 3),
        "cold_p50_ms": round(statistics.median(cold), 3),
        "cold_p99_ms": round(cold[int(0.99 * len(cold)) - 1], 3),
        "engine_p50_ms": round(statistics.median(engine_ms), 3),
        "engine_p99_ms": round(engine_ms[int(0.99 * len(engine_ms)) - 1], 3),
        "page_p50_ms": round(statistics.median(page_ms), 2),
        "page_p90_ms": round(page_ms[int(0.9 * len(page_ms)) - 1], 2),
        "page_requests": len(page_ms),
        "naive_p50_ms": round(statistics.median(naive), 2) if naive else None,
        "naive_needs": len(naive),
        "load_average": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    sys.exit(main())

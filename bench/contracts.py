"""Benchmark of the contracts views: the programme view and the money view of a sponsor with 200 work orders,
2,000 milestones and 2,000 invoices (and of one tenth of that, to show the query count does not grow with rows).

Each page is rendered whole through Django's test client (the guard, the selectors, the SVG, the template),
20 times after one warm-up; the table gives p50/p90 in milliseconds and the number of SQL queries per page.
The bar the issue sets: p50 at most 200 ms at full size.

    .venv/bin/python bench/contracts.py            # a table
    .venv/bin/python bench/contracts.py --json

The database is built once under var/bench/ (SQLite) and reused. Run by hand, never in CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SIZES = {"full": 200, "tenth": 20}  # work orders per sponsor; 10 milestones and 10 invoices each
RUNS = 20


def setup(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(work_orders: int) -> dict[str, Any]:
    """A sponsor, ten providers, one programme, and ``work_orders`` active work orders with their rows."""
    from django.core.management import call_command
    from django.utils import timezone

    from cxo.contracts.models import BudgetLine, Invoice, InvoiceLine, Milestone, WorkOrder
    from cxo.core.models import Organisation, User
    from cxo.core.services import organisation_create
    from cxo.sourcing.models import Programme

    call_command("migrate", verbosity=0)
    sponsor = Organisation.objects.filter(slug="bench-sponsor").first()
    if sponsor is not None:
        programme = Programme.objects.for_organisation(sponsor).get(code="BENCH")
        return {"sponsor": sponsor.slug, "programme": programme.pk}
    user = User.objects.create_user("bench", password="bench-password-2026")
    sponsor = organisation_create(actor=None, name="Bench Sponsor", type="sponsor", slug="bench-sponsor", admin=user)
    providers = [
        organisation_create(actor=None, name=f"Bench Provider {n}", type="provider", slug=f"bench-provider-{n}")
        for n in range(10)
    ]
    programme = Programme.objects.create(organisation=sponsor, name="Bench programme", code="BENCH")
    today = timezone.localdate()
    now = timezone.now()
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            organisation=sponsor,
            provider=providers[n % 10],
            programme=programme,
            reference=f"WO-BENCH-{n:04d}",
            title=f"Bench work order {n}",
            status="active",
            currency="EUR" if n % 4 == 0 else "USD",
            budget_total=Decimal("100000"),
            baseline_number=0,
            start_date=today - dt.timedelta(days=120),
            end_date=today + dt.timedelta(days=240),
            sent_at=now,
            signed_at=now,
            activated_at=now,
        )
        for n in range(work_orders)
    )
    BudgetLine.unscoped.bulk_create(
        BudgetLine(
            work_order=wo,
            key=f"L{i + 1}",
            position=i,
            description=f"Line {i + 1}",
            unit="lot",
            quantity=Decimal(1),
            unit_price=Decimal("25000"),
            amount=Decimal("25000"),
        )
        for wo in orders
        for i in range(4)
    )
    milestones = Milestone.unscoped.bulk_create(
        Milestone(
            work_order=wo,
            key=f"M{i + 1}",
            position=i,
            name=f"Milestone {i + 1}",
            due_date=today + dt.timedelta(days=30 * (i - 4)),
            amount=Decimal("10000"),
            status="accepted" if i < 5 else "planned",
            decided_at=now - dt.timedelta(days=5) if i < 5 else None,
        )
        for wo in orders
        for i in range(10)
    )
    invoices = Invoice.unscoped.bulk_create(
        Invoice(
            work_order_id=m.work_order_id,
            number=f"INV-{m.pk}",
            issue_date=today - dt.timedelta(days=3),
            due_date=today + dt.timedelta(days=27),
            currency="USD",
            total=Decimal("2000"),
            status=("submitted", "approved", "paid", "disputed")[m.position % 4],
        )
        for m in milestones
    )
    InvoiceLine.unscoped.bulk_create(
        InvoiceLine(
            invoice=inv,
            milestone=m if m.status == "accepted" else None,
            description=m.name,
            quantity=Decimal(1),
            unit_price=Decimal("2000"),
            amount=Decimal("2000"),
        )
        for inv, m in zip(invoices, milestones, strict=True)
        if m.status == "accepted"
    )
    return {"sponsor": sponsor.slug, "programme": programme.pk}


def measure(size: str) -> dict[str, Any]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    setup(BENCH_DIR / f"contracts-{size}.sqlite3")
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Every request would empty the query log and close the connection: keep both, to count the queries.
    request_started.disconnect(reset_queries)
    request_finished.disconnect(close_old_connections)

    from cxo.contracts.models import Invoice, Milestone, WorkOrder
    from cxo.core.models import Organisation, User

    world = build(SIZES[size])
    sponsor = Organisation.objects.get(slug=world["sponsor"])
    client = Client()
    client.force_login(User.objects.get(username="bench"), backend="django.contrib.auth.backends.ModelBackend")
    pages = {
        "programme view": f"/o/{sponsor.slug}/programmes/{world['programme']}/execution/",
        "money view": f"/o/{sponsor.slug}/money/",
    }
    out: dict[str, Any] = {
        "size": size,
        "work_orders": WorkOrder.objects.for_organisation(sponsor).count(),
        "milestones": Milestone.objects.for_organisation(sponsor).count(),
        "invoices": Invoice.objects.for_organisation(sponsor).count(),
        "pages": {},
    }
    for name, url in pages.items():
        assert client.get(url).status_code == 200  # warm-up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        query_count = len(queries.captured_queries)
        times, cpu = [], []
        for _ in range(RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        times.sort()
        out["pages"][name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "queries": query_count,
            "kb": round(len(response.content) / 1024),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return 0
    import subprocess

    rows = []
    load_before = os.getloadavg()[0]
    for size in SIZES:
        done = subprocess.run([sys.executable, __file__, "--worker", size], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    load = (round(load_before, 2), round(os.getloadavg()[0], 2))
    if args.json:
        print(json.dumps({"load_average": load, "sizes": rows}, indent=2))
        return 0
    head = (
        f"{'size':>6} {'work orders':>11} {'milestones':>10} {'invoices':>8}  {'page':<15} "
        f"{'p50 ms':>7} {'p90 ms':>7} {'CPU p50':>7} {'queries':>7} {'KB':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        for page, f in r["pages"].items():
            print(
                f"{r['size']:>6} {r['work_orders']:>11,} {r['milestones']:>10,} {r['invoices']:>8,}  {page:<15} "
                f"{f['p50_ms']:>7.1f} {f['p90_ms']:>7.1f} {f['cpu_p50_ms']:>7.1f} {f['queries']:>7} {f['kb']:>5}"
            )
    print(f"\nEach page rendered whole through the test client, {RUNS} runs after a warm-up; CPU p50 is this")
    print(f"process's CPU time per page. Load average (1 min) {load[0]} before, {load[1]} after: on a shared")
    print("machine wall time grows with it, CPU time much less.")
    print("Bar: p50 <= 200 ms at full size;")
    print("the query count of each page is the same at full size and at a tenth.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

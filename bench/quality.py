"""The quality app's hot paths: the watch over the whole registry, and the approved supplier list page.

    .venv/bin/python bench/quality.py                          # loads the demo registry into a throwaway SQLite file
    .venv/bin/python bench/quality.py --from var/cxo.sqlite3   # or starts from a copy of one already loaded
    .venv/bin/python bench/quality.py --json                   # the same figures as JSON

With every public file CXO ships loaded (DECRS, NDC, SPL, ClinicalTrials.gov and the six FDA compliance files),
a bench sponsor gets 1,000 approved qualifications of real sites — half of them sites with FDA compliance
records — approved between 1 and 23 months ago. Then:

- ``cxo quality watch`` over all of them: the first run (it moves those whose record after the approval
  triggers, and writes their reviews, audits and notifications) and a second run (it changes nothing);
  bar (issue 12): ≤ 5 s;
- the list page (``/o/<sponsor>/quality/asl/``) of the 1,000 entries — their counts by state over all of
  them, and the first page of 50 rows with each one's risk, agreement, findings, audit due and issues —
  rendered through Django's test client: p50 and p95 of 15 requests and the number of queries; bar: p50 ≤
  200 ms.

Run by hand; nothing here is a test (the query count that does not grow with rows is tested in
``quality/tests/test_exports.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
WATCH_BAR, PAGE_BAR = 5.0, 0.200
ENTRIES = 1000
REQUESTS = 15


@dataclass
class QualityBench:
    database: str
    sites: int
    compliance_events: int
    qualifications: int
    with_records: int
    setup_seconds: float
    watch_first_seconds: float
    watch_first_reviewed: int
    watch_second_seconds: float
    watch_second_reviewed: int
    page_p50_ms: float
    page_p95_ms: float
    page_queries: int
    page_rows: int
    load_average: float


def _load_registry() -> None:
    from cxo.registry.demo import demo_registry_load

    demo_registry_load(show_progress=False)


def _setup() -> tuple[Any, Any, int]:
    """A bench sponsor with 1,000 approved qualifications of real sites (half with compliance records)."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from cxo.core.models import Membership, Organisation, User
    from cxo.core.roles import OrganisationType
    from cxo.quality.models import Qualification, QualificationEvent, QualificationStatus
    from cxo.registry.compliance import compliance_event_list
    from cxo.registry.models import Site, Term

    sponsor, _ = Organisation.objects.get_or_create(
        slug="bench-quality-sponsor", defaults={"name": "Bench Quality Sponsor", "type": OrganisationType.SPONSOR}
    )
    user, _ = User.objects.get_or_create(username="bench-quality", defaults={"password": make_password("bench")})
    Membership.objects.get_or_create(user=user, organisation=sponsor, defaults={"role": "quality"})
    Qualification.unscoped.filter(organisation=sponsor).delete()
    service = Term.objects.get(code="svc.mfg.drug_product")
    sites = list(Site.objects.exclude(fei_key="").order_by("pk"))
    feis = {e.fei for e in compliance_event_list(sites=sites, kinds=()).only("fei")}
    recorded = [s for s in sites if s.fei_key in feis][: ENTRIES // 2]
    others = [s for s in sites if s.fei_key not in feis][: ENTRIES - len(recorded)]
    today = timezone.localdate()
    rows = []
    for i, site in enumerate(recorded + others):
        approved_on = today - dt.timedelta(days=30 + (i * 7) % 660)
        rows.append(
            Qualification(
                organisation=sponsor,
                site=site,
                provider_id=site.organisation_id,
                service=service,
                status=QualificationStatus.APPROVED,
                approved_on=approved_on,
                valid_until=approved_on + dt.timedelta(days=730),
                created_by=user,
            )
        )
    created = Qualification.unscoped.bulk_create(rows, batch_size=500)
    QualificationEvent.unscoped.bulk_create(
        [QualificationEvent(qualification=q, actor_label="bench", to_status=q.status) for q in created], batch_size=500
    )
    return sponsor, user, len(recorded)


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run_bench(database: str, *, load: bool) -> QualityBench:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cxo.quality.watch import quality_watch
    from cxo.registry.models import ComplianceEvent, Site

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if load:
        _load_registry()
    sponsor, user, with_records = _setup()
    setup_seconds = time.perf_counter() - started
    reverse("core:home")  # load the URLconf first, as any running process has: the watch's links need it
    first_seconds, first = _timed(quality_watch)
    second_seconds, second = _timed(quality_watch)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{sponsor.slug}/quality/asl/"
    client.get(url)  # warm: the first request compiles templates
    times = []
    for _ in range(REQUESTS):
        elapsed, response = _timed(lambda: client.get(url))
        assert response.status_code == 200
        times.append(elapsed)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = response.content.decode().count('data-testid="asl-row"')
    times.sort()
    return QualityBench(
        database=database,
        sites=Site.objects.count(),
        compliance_events=ComplianceEvent.objects.count(),
        qualifications=first.checked,
        with_records=with_records,
        setup_seconds=round(setup_seconds, 2),
        watch_first_seconds=round(first_seconds, 3),
        watch_first_reviewed=len(first.reviewed),
        watch_second_seconds=round(second_seconds, 3),
        watch_second_reviewed=len(second.reviewed),
        page_p50_ms=round(statistics.median(times) * 1000, 1),
        page_p95_ms=round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        page_queries=len(queries),
        page_rows=rows,
        load_average=round(os.getloadavg()[0], 1),
    )


def render(b: QualityBench) -> str:
    def verdict(ok: bool) -> str:
        return "within" if ok else "OVER"

    lines = [
        f"Quality bench on {b.database}: {b.sites:,} sites, {b.compliance_events:,} FDA compliance records, "
        f"{b.qualifications:,} approved qualifications ({b.with_records} at sites with records); "
        f"setup {b.setup_seconds} s; load average {b.load_average} on {os.cpu_count()} CPUs",
        "",
        f"{'measure':<44} {'value':>12}   bar",
        f"{'watch, first run (moves and writes reviews)':<44} {b.watch_first_seconds:>10.3f} s   "
        f"{verdict(b.watch_first_seconds <= WATCH_BAR)} {WATCH_BAR:.0f} s ({b.watch_first_reviewed} put under review)",
        f"{'watch, second run (changes nothing)':<44} {b.watch_second_seconds:>10.3f} s   "
        f"{verdict(b.watch_second_seconds <= WATCH_BAR)} {WATCH_BAR:.0f} s ({b.watch_second_reviewed} moved)",
        f"{'list page, p50 of ' + str(REQUESTS):<44} {b.page_p50_ms:>9.1f} ms   "
        f"{verdict(b.page_p50_ms <= PAGE_BAR * 1000)} {PAGE_BAR * 1000:.0f} ms "
        f"({b.page_rows} rows shown of {b.qualifications:,})",
        f"{'list page, p95':<44} {b.page_p95_ms:>9.1f} ms",
        f"{'list page, queries':<44} {b.page_queries:>12}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--from", dest="source", help="start from a copy of this SQLite file (the demo loaded)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxo-quality-bench-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        if args.source:
            shutil.copyfile(args.source, database)
        os.environ["CXO_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        result = run_bench(f"sqlite {database.name}", load=not args.source)
    print(json.dumps(asdict(result), indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

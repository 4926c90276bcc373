"""Registry benchmarks: how fast real public data gets into the registry, and how fast the directory searches it.

    .venv/bin/python bench/registry.py            # a table
    .venv/bin/python bench/registry.py --json     # the same figures as JSON
    .venv/bin/python bench/registry.py --repeat 3 # best of three fresh databases
    .venv/bin/python bench/registry.py --search-only --sites 10000,100000  # just the directory search

Measurements (one function each; ``main`` assembles the table):

- ``measure_decrs_import`` — the shipped FDA DECRS FY2025 file (10,439 rows) imported into a
  fresh SQLite database file, as ``cxo import decrs`` does it: parse, write, recompute kinds, and
  refresh the directory's search index (timed on its own as well).
- ``measure_decrs_reimport`` — the same file again: the idempotent run that writes nothing.
- ``measure_sqlite3_floor`` — the floor: the same rows loaded with the bare ``sqlite3`` module
  (csv parsing, ids computed in Python, ``executemany``) into the same four tables with the same
  indexes, no ORM, no comparison with existing data.

Directory search (the search half):

- ``measure_directory_search`` — ``site_search`` with two facets chosen and every facet counted
  (the directory's hot path), p50/p99 over rotating real filter pairs; also the
  unfiltered landing page, free text, the organisation directory and the same search as an HTTP
  request to ``GET /api/v1/registry/sites`` (JSON, session auth).
- ``scale_up`` — more sites than the real 10,439: whole copies of the real DECRS rows (plus a
  seeded random sample for the remainder), each with new site and registrant DUNS numbers, so the
  country and operation distributions stay the real ones. The index is rebuilt and timed.

It runs on a temporary SQLite file with the product's settings (WAL, synchronous=NORMAL), never
on your database. Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


@dataclass
class Measurement:
    name: str
    seconds: float
    rows: int | None = None
    note: str = ""

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows and self.seconds else None


def setup_django(workdir: Path) -> Path:
    """Point CXO at a throwaway SQLite file in ``workdir`` and start Django. Returns the database path."""
    db_path = workdir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["CXO_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
    import django

    django.setup()
    return db_path


def fresh_database(db_path: Path) -> None:
    """An empty, migrated database with the taxonomy loaded (the state before a first import)."""
    from django.core.management import call_command
    from django.db import connections

    from cxo.registry.taxonomy import taxonomy_load

    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    taxonomy_load(actor=None)


def _timed_facets() -> Callable[[], float]:
    """Time the search-index refresh that follows an import; returns a reader of the seconds spent."""
    from cxo.registry.importers import import_succeeded

    try:
        from cxo.registry.facets import facets_follow_import
    except ImportError:  # no directory index in this tree
        return lambda: 0.0
    spent = [0.0]

    def timed(sender: object, **kwargs: Any) -> None:
        start = time.perf_counter()
        facets_follow_import(sender, **kwargs)
        spent[0] += time.perf_counter() - start

    import_succeeded.disconnect(dispatch_uid="registry.facets_follow_import")
    import_succeeded.connect(timed, dispatch_uid="registry.facets_follow_import", weak=False)
    return lambda: spent[0]


def _decrs_run(path: Path) -> tuple[float, Any, float]:
    from cxo.registry.importers import registry_import
    from cxo.registry.importers.decrs import DecrsImporter

    facets_seconds = _timed_facets()
    before = facets_seconds()
    start = time.perf_counter()
    result = registry_import(actor=None, importer=DecrsImporter(), path=path, actor_label="bench")
    return time.perf_counter() - start, result, facets_seconds() - before


def measure_decrs_import(path: Path) -> list[Measurement]:
    """The first import of the file into an empty registry (call after ``fresh_database``)."""
    seconds, result, facets = _decrs_run(path)
    notes = result.notes
    made = (
        f"{notes['organisations']['created']:,} organisations, {notes['sites']['created']:,} sites, "
        f"{notes['capabilities']['created']:,} capabilities + evidence"
    )
    out = [Measurement("DECRS import, fresh SQLite file", seconds, result.rows, made)]
    if facets:
        out.append(Measurement("  of which the directory index", facets, None, "facets_rebuild of the changed orgs"))
    return out


def measure_decrs_reimport(path: Path) -> Measurement:
    """The same file again: everything compared, nothing written."""
    seconds, result, _ = _decrs_run(path)
    return Measurement(
        "DECRS re-import (idempotent)",
        seconds,
        result.rows,
        f"{result.unchanged:,} unchanged, {result.created} created",
    )


_FLOOR_TABLES = ("core_organisation", "registry_site", "registry_capability", "registry_evidence")


def schema_of(db_path: Path) -> list[str]:
    """The DDL of the tables the import fills, with their indexes, as Django migrated them."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (?, ?, ?, ?) ORDER BY type DESC, name",
            _FLOOR_TABLES,
        ).fetchall()
    return [sql for (sql,) in rows]


def measure_sqlite3_floor(path: Path, ddl: list[str], workdir: Path) -> Measurement:
    """Bare sqlite3: read the CSV and executemany the same rows into the same tables and indexes."""
    from cxo.registry.importers.decrs import decrs_operations

    floor_db = workdir / "floor.sqlite3"
    floor_db.unlink(missing_ok=True)
    db = sqlite3.connect(floor_db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for sql in ddl:
        db.execute(sql)
    service_id = {op: i + 1 for i, op in enumerate(decrs_operations())}

    start = time.perf_counter()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    orgs: dict[str, int] = {}
    org_rows, site_rows, cap_rows, ev_rows = [], [], [], []
    with path.open(encoding="utf-8", newline="") as f:
        for site_id, row in enumerate(csv.DictReader(f), start=1):
            registrant = row["REGISTRANT_DUNS"]
            if registrant not in orgs:
                orgs[registrant] = org_id = len(orgs) + 1
                org_rows.append((org_id, row["REGISTRANT_NAME"], f"org-{registrant}", "provider", now, registrant))
            expiry = dt.datetime.strptime(row["EXPIRATION_DATE"], "%m/%d/%Y").date().isoformat()
            fei = row["FEI_NUMBER"].strip()
            site_rows.append(
                (
                    site_id, orgs[registrant], row["FIRM_NAME"], row["ADDRESS"], row["COUNTRY_ISO3"],
                    row["DUNS_NUMBER"], fei if fei.strip("0") else "", expiry, "expired",
                    row["US_AGENT_NAME"], row["US_AGENT_DUNS"], now, now,
                )
            )  # fmt: skip
            for op in row["OPERATIONS"].split("; "):
                cap_id = len(cap_rows) + 1
                key = f"{site_id}|{service_id[op]}|||||"
                cap_rows.append((cap_id, orgs[registrant], site_id, service_id[op], "", key))
                detail = json.dumps({"operation": op, "fei": fei or None})
                ev_rows.append(
                    (cap_id, "fda_registration", f"DECRS FY2025 DUNS {row['DUNS_NUMBER']}", "2025-01-01", detail)
                )
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO core_organisation (id, name, slug, type, created_at, registrant_duns, kind, kind_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, '', '')",
        org_rows,
    )
    db.executemany(
        "INSERT INTO registry_site (id, organisation_id, name, address, country, duns, fei, registration_expiry, "
        "status, us_agent_name, us_agent_duns, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        site_rows,
    )
    db.executemany(
        "INSERT INTO registry_capability (id, organisation_id, site_id, service_id, substance, key) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        cap_rows,
    )
    db.executemany(
        "INSERT INTO registry_evidence (capability_id, kind, source_ref, observed_on, detail) VALUES (?, ?, ?, ?, ?)",
        ev_rows,
    )
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return Measurement("sqlite3 floor (bare executemany)", seconds, len(site_rows), "same rows, tables and indexes")


from directory_search import Latency, ScaleUp, measure_directory_search, render_latencies, scale_up  # noqa: E402


def search_benchmark(*, sizes: list[int], runs: int) -> tuple[list[Latency], list[ScaleUp]]:
    """The search half: import the real DECRS file, measure, then scale up to each size and measure again."""
    from django.db import connection

    from cxo.registry.importers.decrs import DEMO_FILE

    _decrs_run(DEMO_FILE)
    latencies: list[Latency] = []
    growth: list[ScaleUp] = []
    for size in sorted(sizes):
        grown = scale_up(target_sites=size)
        if grown.seconds:
            growth.append(grown)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        latencies += measure_directory_search(runs=runs)
    return latencies, growth


def render_table(measurements: list[Measurement]) -> str:
    lines = [f"{'measurement':<36} {'seconds':>8} {'rows/s':>9}  note", "-" * 100]
    for m in measurements:
        rate = f"{m.rows_per_second:,.0f}" if m.rows_per_second else ""
        lines.append(f"{m.name:<36} {m.seconds:>8.2f} {rate:>9}  {m.note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--repeat", type=int, default=1, help="fresh databases to run on; the best time is kept")
    parser.add_argument(
        "--sites", default="10439,100000", help="directory search at these registry sizes (comma-separated)"
    )
    parser.add_argument("--runs", type=int, default=300, help="searches timed per size")
    parser.add_argument("--search-only", action="store_true", help="only the directory search half")
    parser.add_argument("--import-only", action="store_true", help="only the import half")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sites.split(",") if s.strip()]
    latencies: list[Latency] = []
    growth: list[ScaleUp] = []
    measurements: list[Measurement] = []

    with tempfile.TemporaryDirectory(prefix="cxo-bench-") as tmp:
        workdir = Path(tmp)
        db_path = setup_django(workdir)
        from cxo.registry.importers.decrs import DEMO_FILE

        best: dict[str, Measurement] = {}

        def keep(found: list[Measurement]) -> None:
            for m in found:
                if m.name not in best or m.seconds < best[m.name].seconds:
                    best[m.name] = m

        if not args.search_only:
            for _ in range(max(1, args.repeat)):
                fresh_database(db_path)
                keep(measure_decrs_import(DEMO_FILE))
                keep([measure_decrs_reimport(DEMO_FILE)])
                keep([measure_sqlite3_floor(DEMO_FILE, schema_of(db_path), workdir)])
            measurements = list(best.values())
        if not args.import_only:
            fresh_database(db_path)
            latencies, growth = search_benchmark(sizes=sizes, runs=args.runs)

    if args.json:
        print(
            json.dumps(
                {
                    "import": [{**asdict(m), "rows_per_second": m.rows_per_second} for m in measurements],
                    "search": [asdict(m) for m in latencies],
                    "scale_up": [asdict(g) for g in growth],
                },
                indent=2,
            )
        )
    else:
        print(f"Registry benchmark (SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs)\n")
        if measurements:
            print(render_table(measurements))
        if latencies:
            print("\n" if measurements else "", end="")
            print(render_latencies(latencies))
            for g in growth:
                print(
                    f"\nscaled up to {g.sites:,} sites / {g.organisations:,} organisations by copying real rows: "
                    f"{g.seconds:.1f} s, index rebuilt in {g.index_seconds:.1f} s"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

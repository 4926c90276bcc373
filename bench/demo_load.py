"""The whole demo load — every public file CXO ships, as ``make run`` loads it — timed per file and per phase.

    .venv/bin/python bench/demo_load.py                # a table, on a throwaway SQLite file
    .venv/bin/python bench/demo_load.py --json         # the same figures as JSON
    .venv/bin/python bench/demo_load.py --postgres     # on a throwaway PostgreSQL cluster (scripts/pgcluster.py)
    .venv/bin/python bench/demo_load.py --profile ndc  # and the 25 costliest functions of one source's import

For each file of ``cxo.registry.demo.DEMO_FILES``: wall seconds, and how they split into reading and
parsing the file, writing the registry rows and recomputing organisation kinds; then the directory
index, rebuilt once after the files; then the second load, which must import nothing.
The bar (issue 10): the whole load within 90 s on the project's 2-CPU machines. Run by hand; nothing
here is a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
BAR_SECONDS = 90.0


@dataclass
class FileTiming:
    source: str
    file: str
    rows: int
    seconds: float
    parse: float = 0.0
    kinds: float = 0.0

    @property
    def write(self) -> float:
        return max(0.0, self.seconds - self.parse - self.kinds)


@dataclass
class DemoLoadRun:
    database: str
    migrate_seconds: float
    files: list[FileTiming] = field(default_factory=list)
    second_load_seconds: float = 0.0
    second_load_imported: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    index_seconds: float = 0.0  # the directory index, rebuilt once after the files
    load_seconds: float = 0.0
    load_cpu_seconds: float = 0.0  # this process's CPU time (on SQLite all the work; not PostgreSQL's server)
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average before and after


class _Phases:
    """Seconds spent in the import framework's phases, accumulated while the wrappers are installed."""

    def __init__(self) -> None:
        self.parse = self.kinds = 0.0

    def reset(self) -> None:
        self.parse = self.kinds = 0.0

    def wrap(self, attribute: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, attribute, getattr(self, attribute) + time.perf_counter() - started)

        return timed


@contextmanager
def phases_timed() -> Iterator[_Phases]:
    """Time parsing and kinds inside every import (the framework's own functions, wrapped). The demo load
    rebuilds the directory index once, after the files: that is timed apart."""
    from cxo.registry.importers import base

    phases = _Phases()
    originals = (base._parse_all, base.organisation_kinds_refresh)
    base._parse_all = phases.wrap("parse", base._parse_all)
    base.organisation_kinds_refresh = phases.wrap("kinds", base.organisation_kinds_refresh)
    try:
        yield phases
    finally:
        base._parse_all, base.organisation_kinds_refresh = originals


def demo_load(database: str, *, profile: str = "") -> DemoLoadRun:
    """Migrate an empty database, load the demo registry twice, and time it."""
    from django.core.management import call_command
    from django.db import connection

    from cxo.registry.demo import DemoFile, FileLoaded, demo_registry_load
    from cxo.registry.models import Capability, ComplianceEvent, Evidence, OrganisationFacets, Site

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    run = DemoLoadRun(database=f"{connection.vendor} {database}", migrate_seconds=time.perf_counter() - started)
    profiler = cProfile.Profile()

    with phases_timed() as phases:

        def starting(demo: DemoFile) -> None:
            phases.reset()
            if demo.source == profile:
                profiler.enable()

        def report(done: FileLoaded) -> None:
            if done.file.source == profile:
                profiler.disable()
            result = done.result
            run.files.append(
                FileTiming(
                    source=done.file.source,
                    file=done.file.path.name,
                    rows=result.rows if result else 0,
                    seconds=done.seconds,
                    parse=phases.parse,
                    kinds=phases.kinds,
                )
            )

        before, cpu = os.getloadavg()[0], time.process_time()
        first = demo_registry_load(starting=starting, report=report)
        run.load_cpu_seconds, run.load_average = time.process_time() - cpu, (before, os.getloadavg()[0])
    run.load_seconds, run.index_seconds = first.seconds, first.index_seconds
    started = time.perf_counter()
    again = demo_registry_load()
    run.second_load_seconds = time.perf_counter() - started
    run.second_load_imported = len(again.imported)
    run.counts = {
        "sites": Site.objects.count(),
        "organisations": OrganisationFacets.objects.count(),
        "capabilities": Capability.objects.count(),
        "evidence": Evidence.objects.count(),
        "compliance_events": ComplianceEvent.objects.count(),
    }
    if profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    return run


def render(run: DemoLoadRun) -> str:
    head = f"{'source':<20} {'file':<50} {'rows':>9} {'seconds':>8} {'parse':>7} {'write':>7} {'kinds':>7}"
    lines = [f"Demo load on {run.database} ({os.cpu_count()} CPUs)", "", head, "-" * len(head)]
    for f in run.files:
        lines.append(
            f"{f.source:<20} {f.file[:50]:<50} {f.rows:>9,} {f.seconds:>8.1f} {f.parse:>7.1f} {f.write:>7.1f} "
            f"{f.kinds:>7.1f}"
        )
    lines.append(f"{'directory index, rebuilt once after the files':<81} {run.index_seconds:>8.1f}")
    verdict = "within" if run.load_seconds <= BAR_SECONDS else "OVER"
    lines += [
        "-" * len(head),
        f"{'whole load':<71} {run.load_seconds:>9.1f}   ({verdict} the {BAR_SECONDS:.0f} s bar; migrate "
        f"{run.migrate_seconds:.1f} s before it)",
        f"this process's CPU time {run.load_cpu_seconds:.1f} s; machine load average {run.load_average[0]:.1f} before, "
        f"{run.load_average[1]:.1f} after (on a shared machine, wall time grows with it)",
        f"second load: {run.second_load_seconds:.1f} s, {run.second_load_imported} files imported",
        "registry: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in run.counts.items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--profile", default="", help="print the costliest functions of this source's import")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cxo-demo-bench-") as tmp:
        os.environ["CXO_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
        cluster: Any = nullcontext(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}")
        if args.postgres:
            from pgcluster import find_bindir, pg_cluster

            bindir = find_bindir()
            if bindir is None:
                print("PostgreSQL server binaries not found (set CXO_PG_BINDIR).", file=sys.stderr)
                return 2
            cluster = pg_cluster(bindir=bindir)
        with cluster as url:
            if args.postgres:  # the throwaway cluster's own database: nothing else lives there
                url = url.rsplit("/", 1)[0] + "/postgres"
            os.environ["DATABASE_URL"] = url
            import django

            django.setup()
            from django.db import connections

            run = demo_load(url.split("@")[-1], profile=args.profile)
            connections.close_all()
    if args.json:
        files = [{**asdict(f), "write": round(f.write, 3)} for f in run.files]
        print(json.dumps({**asdict(run), "files": files}, indent=2))
    else:
        print(render(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())

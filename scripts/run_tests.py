"""Run the whole suite: on SQLite, then on a throwaway PostgreSQL cluster.

In CI (CI=true) PostgreSQL and Chromium are required: if either is missing the run fails
instead of skipping. Tests marked ``slow`` (whole real files imported or ranked: a minute and
more) are left out of both halves and run once afterwards, on SQLite, timed on their own line.
Tests marked ``fuzz`` (schemathesis over every API operation: the longest single test) run in the
PostgreSQL half only, where the database differences they could find live; without PostgreSQL
(outside CI) they run in the SQLite half instead, so they are never lost.
When the arguments choose markers themselves (``-m``) they run as asked, once per database.
A run in which no test actually ran (none collected, all deselected or all skipped) counts as a
failure, so a broken selection cannot make CI green. Extra arguments go to pytest, e.g.
``make test ARGS="-k audit"``. Each run uses two pytest-xdist workers (the machines have two
cores) unless the arguments say otherwise (``ARGS="-n 0"``: one process).

Each line of the summary gives the wall time, the CPU time the tests used and the load average
when they finished: the machines are shared, so wall time alone says little.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from pgcluster import find_bindir, pg_cluster

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2  # pytest-xdist processes per run: one per core of the build machines
NO_TESTS_COLLECTED = 5  # pytest's exit code
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass
class Result:
    label: str
    code: int
    seconds: float
    cpu_seconds: float = 0.0
    load: float = 0.0
    tests: int = 0
    failed: int = 0
    skipped: int = 0
    optional: bool = False  # the whole-file run after a selection (ARGS) that holds none of them

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def ok(self) -> bool:
        return (self.code == 0 and self.ran > 0) or (self.optional and self.code == NO_TESTS_COLLECTED)

    def line(self) -> str:
        counts = f"{self.ran - self.failed} passed, {self.failed} failed, {self.skipped} skipped"
        if self.optional and self.code == NO_TESTS_COLLECTED:
            verdict = "none selected"
        elif self.code == 0 and self.ran == 0:
            verdict = "FAILED (no test ran)"
        else:
            verdict = "passed" if self.code == 0 else f"FAILED (pytest exit {self.code})"
        times = f"{self.seconds:6.1f}s wall, {self.cpu_seconds:6.1f}s CPU, load {self.load:.1f}"
        return f"  {self.label:<22} {verdict:<24} {counts:<38} {times}"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished children: each pytest run and its workers
    return usage.ru_utime + usage.ru_stime


def run_pytest(label: str, env: dict[str, str], args: list[str]) -> Result:
    print(f"\n=== test suite on {label} ===", flush=True)
    with tempfile.TemporaryDirectory(prefix="cxo-junit-") as tmp:
        report = Path(tmp) / "report.xml"
        started, cpu = time.monotonic(), _children_cpu()
        command = [sys.executable, "-m", "pytest", f"--junitxml={report}", "--durations=10", *args]
        code = subprocess.call(command, cwd=ROOT, env=env)
        result = Result(label, code, time.monotonic() - started, _children_cpu() - cpu, os.getloadavg()[0])
        if report.exists():
            for suite in ET.parse(report).getroot().iter("testsuite"):
                result.tests += int(suite.get("tests", 0))
                result.failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
                result.skipped += int(suite.get("skipped", 0))
    return result


def main() -> int:
    args = sys.argv[1:]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if CI:
        env["CXO_REQUIRE_POSTGRES"] = "1"
        env["CXO_REQUIRE_BROWSER"] = "1"
    chosen = "-m" in args  # markers chosen by the caller: run them as asked on both databases
    selected = bool(args)  # the caller chose tests: the whole-file run may find none of them
    if not any(a.startswith(("-n", "--numprocesses")) for a in args):
        args = ["-n", str(WORKERS), *args]
    sqlite_env = {**env, "CXO_EXPECT_DATABASE": "sqlite"}
    bindir = find_bindir()
    sqlite_markers = "not slow" if bindir is None else "not slow and not fuzz"
    results = [run_pytest("SQLite", sqlite_env, args if chosen else ["-m", sqlite_markers, *args])]

    if bindir is None:
        if env.get("CXO_REQUIRE_POSTGRES"):
            print("PostgreSQL server binaries (initdb, pg_ctl) not found, and PostgreSQL is required.", file=sys.stderr)
            results.append(Result("PostgreSQL", 1, 0.0))
        else:
            print(
                "\nPostgreSQL server binaries not found: the PostgreSQL run is skipped (install postgresql to run it)."
            )
    else:
        with pg_cluster(bindir=bindir) as url:
            pg_env = {**env, "DATABASE_URL": url, "CXO_EXPECT_DATABASE": "postgresql"}
            results.append(run_pytest("PostgreSQL", pg_env, args if chosen else ["-m", "not slow", *args]))
    if not chosen:
        # loadgroup: a module that loads the whole demo registry once (xdist_group) stays on one worker
        whole = run_pytest("whole files (SQLite)", sqlite_env, ["-m", "slow", "--dist", "loadgroup", *args])
        results.append(replace(whole, optional=selected))

    print("\n=== summary ===")
    for result in results:
        print(result.line())
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

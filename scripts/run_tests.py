"""Run the whole suite: on SQLite, then on a throwaway PostgreSQL cluster.

In CI (CI=true) PostgreSQL and Chromium are required: if either is missing the run fails
instead of skipping. Tests marked ``slow`` (whole real files imported or ranked) run once, in the
SQLite half; the PostgreSQL half leaves them out unless the arguments choose markers themselves.
A run in which no test actually ran (none collected, all deselected or all skipped) counts as a
failure, so a broken selection cannot make CI green. Extra arguments go to pytest, e.g.
``make test ARGS="-k audit"`` or ``ARGS="-n 2"`` (pytest-xdist).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from pgcluster import find_bindir, pg_cluster

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass
class Result:
    label: str
    code: int
    seconds: float
    tests: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def ok(self) -> bool:
        return self.code == 0 and self.ran > 0

    def line(self) -> str:
        counts = f"{self.ran - self.failed} passed, {self.failed} failed, {self.skipped} skipped"
        if self.code == 0 and self.ran == 0:
            verdict = "FAILED (no test ran)"
        else:
            verdict = "passed" if self.code == 0 else f"FAILED (pytest exit {self.code})"
        return f"  {self.label:<11} {verdict:<24} {counts:<40} {self.seconds:6.1f}s"


def run_pytest(label: str, env: dict[str, str], args: list[str]) -> Result:
    print(f"\n=== test suite on {label} ===", flush=True)
    with tempfile.TemporaryDirectory(prefix="cxo-junit-") as tmp:
        report = Path(tmp) / "report.xml"
        started = time.monotonic()
        command = [sys.executable, "-m", "pytest", f"--junitxml={report}", "--durations=10", *args]
        code = subprocess.call(command, cwd=ROOT, env=env)
        result = Result(label, code, time.monotonic() - started)
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
    results = [run_pytest("SQLite", {**env, "CXO_EXPECT_DATABASE": "sqlite"}, args)]

    bindir = find_bindir()
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
            pg_args = args if "-m" in args else ["-m", "not slow", *args]
            results.append(run_pytest("PostgreSQL", pg_env, pg_args))

    print("\n=== summary ===")
    for result in results:
        print(result.line())
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

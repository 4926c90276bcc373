"""Run the whole suite: on SQLite, then on a throwaway PostgreSQL cluster.

In CI (CI=true) PostgreSQL and Chromium are required: if either is missing the run fails
instead of skipping. Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from pgcluster import find_bindir, pg_cluster

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest(label: str, env: dict[str, str], args: list[str]) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    args = sys.argv[1:]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if CI:
        env["CXO_REQUIRE_POSTGRES"] = "1"
        env["CXO_REQUIRE_BROWSER"] = "1"
    results: dict[str, int] = {"SQLite": pytest("SQLite", env, args)}

    bindir = find_bindir()
    if bindir is None:
        if env.get("CXO_REQUIRE_POSTGRES"):
            print("PostgreSQL server binaries (initdb, pg_ctl) not found, and PostgreSQL is required.", file=sys.stderr)
            results["PostgreSQL"] = 1
        else:
            print(
                "\nPostgreSQL server binaries not found: the PostgreSQL run is skipped (install postgresql to run it)."
            )
    else:
        with pg_cluster(bindir=bindir) as url:
            results["PostgreSQL"] = pytest("PostgreSQL", {**env, "DATABASE_URL": url}, args)

    print("\n=== summary ===")
    for label, code in results.items():
        print(f"  {label:<11} {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

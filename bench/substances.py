"""Substance recall and precision of API needs, against the shared copy of the NDC unfinished file.

    .venv/bin/python bench/substances.py                          # loads the demo registry into a throwaway SQLite file
    .venv/bin/python bench/substances.py --from var/cxo.sqlite3   # or starts from a copy of one already loaded
    .venv/bin/python bench/substances.py --json                   # the same figures as JSON

For the 20 substances with the most bulk-ingredient labelers in ``../shared/data/fda_ndc_unfinished_2018``
(located from the repository root; skipped when absent), ``cxo match --service "API MANUFACTURE" --substance S
--all --json`` against the registry: labelers in the file, those the registry holds, those found, results,
results with API evidence for S — recall and precision per substance (``cxo.matching.recall``; bars: recall
≥ 60 %, precision ≥ 80 %). Exits 1 when a substance misses a bar. Run by hand; the same check on the shipped
file is ``src/cxo/matching/tests/test_quality_demo.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SHARED_FILE = ROOT.parent / "shared" / "data" / "fda_ndc_unfinished_2018" / "unfinished_product.txt.gz"
TODAY = "2026-11-25"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--from", dest="source", type=Path, help="a copy of this SQLite database, already loaded")
    args = parser.parse_args()
    if not SHARED_FILE.exists():
        print(f"skipped: {SHARED_FILE} is not here (the shared data sits beside the repository)")
        return 0
    with tempfile.TemporaryDirectory(prefix="cxo-bench-substances-") as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        if args.source:
            shutil.copy(args.source, db_path)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        os.environ["CXO_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
        import datetime as dt

        import django

        django.setup()
        from django.core.management import call_command

        from cxo.matching.recall import PRECISION_BAR, RECALL_BAR, substance_recall
        from cxo.registry.demo import demo_registry_load

        call_command("migrate", verbosity=0)
        if not args.source:
            with contextlib.redirect_stdout(io.StringIO()):
                demo_registry_load()
        figures = substance_recall(path=SHARED_FILE, today=dt.date.fromisoformat(TODAY))

    missed = [f for f in figures if f.recall < RECALL_BAR or f.precision < PRECISION_BAR]
    if args.json:
        print(json.dumps([f.as_dict() for f in figures], indent=2))
        return 1 if missed else 0
    head = (
        f"{'substance':<34} {'labelers':>8} {'held':>5} {'found':>5} {'recall':>7} {'results':>7} {'API ev':>6} "
        f"{'precision':>9}"
    )
    print(head)
    print("-" * len(head))
    for f in figures:
        print(
            f"{f.substance[:34]:<34} {f.labelers:>8} {f.held:>5} {f.found:>5} {f.recall:>7.0%} {f.results:>7} "
            f"{f.with_api_evidence:>6} {f.precision:>9.0%}"
        )
    held, found = sum(f.held for f in figures), sum(f.found for f in figures)
    results, with_api = sum(f.results for f in figures), sum(f.with_api_evidence for f in figures)
    print(
        f"\nall 20: recall {found / held:.0%} of {held} labelers held, precision {with_api / results:.0%} of {results}"
    )
    print(f"bars: recall >= {RECALL_BAR:.0%}, precision >= {PRECISION_BAR:.0%}; missed by {len(missed)} substance(s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

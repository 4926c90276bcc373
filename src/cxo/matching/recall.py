"""How well an API need for a substance finds the substance's bulk-ingredient labelers (issue 10's bar).

For the substances with the most bulk-ingredient labelers in an NDC unfinished file (read here with
gzip and csv, not with the importer), ``cxo match --service "API MANUFACTURE" --substance S --all
--json`` is run and compared with the file: **recall** is the share of the labelers the registry
holds (an organisation holds a labeler's listings) that the results include; **precision** the
share of the results whose product-fit entry shows API evidence for the substance. The bar: recall
≥ 60 %, precision ≥ 80 %. Used by ``tests/test_quality_demo.py`` on the shipped file and by
``bench/substances.py`` on the shared copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.management import call_command

from cxo.registry.models import Evidence, EvidenceKind, Term, Vocabulary
from cxo.registry.substances import substance_moiety

RECALL_BAR, PRECISION_BAR = 0.6, 0.8


@dataclass(frozen=True)
class SubstanceRecall:
    substance: str
    labelers: int  # labelers with a bulk-ingredient listing of it in the file
    held: int  # of those, the ones whose listings an organisation of the registry holds
    found: int  # of those, the ones whose organisation is among the results
    results: int
    with_api_evidence: int  # results whose product fit shows API evidence for the substance

    @property
    def recall(self) -> float:
        return self.found / self.held if self.held else 0.0

    @property
    def precision(self) -> float:
        return self.with_api_evidence / self.results if self.results else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "recall": round(self.recall, 3), "precision": round(self.precision, 3)}


def bulk_labelers(path: Path) -> dict[str, set[str]]:
    """Substance as written (upper case) -> the labelers with a bulk-ingredient listing of it."""
    labelers: dict[str, set[str]] = defaultdict(set)
    with gzip.open(path) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1", newline=""), delimiter="\t", quoting=3)
        for row in reader:
            if row["MARKETINGCATEGORYNAME"].startswith("BULK INGREDIENT"):
                for substance in row["SUBSTANCENAME"].split(";"):
                    if substance.strip():
                        labelers[substance.strip().upper()].add(row["LABELERNAME"].strip())
    return labelers


def _api_services() -> set[str]:
    terms = list(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", "name"))
    return {name for code, name in terms if code == "svc.mfg.api" or code.startswith("svc.mfg.api.")}


def substance_recall(*, path: Path, top: int = 20, today: dt.date | None = None) -> list[SubstanceRecall]:
    """Recall and precision of ``cxo match`` for the ``top`` substances with the most bulk labelers."""
    labelers = bulk_labelers(path)
    substances = sorted(labelers, key=lambda s: (-len(labelers[s]), s))[:top]
    held: dict[str, set[int]] = defaultdict(set)  # labeler as written -> organisations holding its listings
    for org, labeler in (
        Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED)
        .values_list("capability__organisation_id", "detail__labeler")
        .distinct()
    ):
        held[str(labeler).strip()].add(org)
    api = _api_services()
    day = ["--today", today.isoformat()] if today else []
    out = []
    for substance in substances:
        buffer = io.StringIO()
        call_command(
            "match", "--service", "API MANUFACTURE", "--substance", substance, "--all", "--json", *day, stdout=buffer
        )
        results = json.loads(buffer.getvalue())["results"]
        found_orgs = {r["organisation"]["id"] for r in results}
        holds = [name for name in labelers[substance] if held.get(name)]
        moiety = substance_moiety(substance).casefold()
        shown = (f"{moiety}: at this site", f"{moiety}: organisation-wide")
        with_api = 0
        for r in results:
            product = next(e for e in r["explanation"] if e["criterion"] == "product_fit")
            evidence = product["evidence"]
            names_it = product["detail"].casefold().startswith(shown)
            if names_it and evidence and all(ev["capability"] in api for ev in evidence):
                with_api += 1
        out.append(
            SubstanceRecall(
                substance=substance,
                labelers=len(labelers[substance]),
                held=len(holds),
                found=sum(1 for name in holds if held[name] & found_orgs),
                results=len(results),
                with_api_evidence=with_api,
            )
        )
    return out

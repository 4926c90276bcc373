"""Every public data file of the shared folder, imported whole: NDC, SPL and ClinicalTrials.gov, after DECRS.

The folder (``/work/shared/data``, or ``CXO_PUBLIC_DATA``) is on the project's build machines, not in
a clone, so the test skips without it. Counts are checked against the raw files read here with the
csv module and ElementTree; the figures (rows, seconds, link rates) are printed — run with ``-s`` to
see them — and never asserted on time.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from cxo.registry.importers import registry_import
from cxo.registry.importers.ctgov import CtgovImporter
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.importers.ndc import NdcImporter
from cxo.registry.importers.spl import SplImporter
from cxo.registry.models import Evidence, EvidenceKind, Vocabulary
from cxo.registry.taxonomy import term_lookup

PUBLIC_DATA = Path(os.environ.get("CXO_PUBLIC_DATA", "/work/shared/data"))
pytestmark = pytest.mark.skipif(
    not (PUBLIC_DATA / "fda_ndc_2019" / "product.txt.gz").is_file(),
    reason=f"the shared public data folder is not on this machine ({PUBLIC_DATA}; set CXO_PUBLIC_DATA)",
)
V3 = "{urn:hl7-org:v3}"


def timed(importer: Any, path: Path) -> tuple[Any, float]:
    start = time.perf_counter()
    result = registry_import(actor=None, importer=importer, path=path)
    return result, time.perf_counter() - start


def ndc_expected() -> tuple[int, int]:
    """(rows, evidence) of the NDC file: one evidence per product, route and substance.

    Routes count by the term they name: the file's "SUBGINGIVAL" is CDISC's "PERIODONTAL", so a
    product listed for both is one route.
    """
    routes_of = term_lookup(vocabulary=Vocabulary.ROUTE)
    with gzip.open(PUBLIC_DATA / "fda_ndc_2019" / "product.txt.gz") as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1", newline=""), delimiter="\t", quoting=3)
        rows = evidence = 0
        for row in reader:
            rows += 1
            routes = {routes_of.id_of(r) for r in row["ROUTENAME"].split(";") if r.strip()}
            substances = {s.strip().upper() for s in row["SUBSTANCENAME"].split(";") if s.strip()}
            evidence += max(1, len(routes)) * max(1, len(substances))
    return rows, evidence


def spl_establishments() -> set[str]:
    duns: set[str] = set()
    path = f"{V3}author/{V3}assignedEntity/{V3}representedOrganization/{V3}assignedEntity/{V3}assignedOrganization"
    for file in (PUBLIC_DATA / "fda_spl_samples").glob("*.xml"):
        for entity in ET.parse(file).getroot().findall(f"{path}/{V3}assignedEntity"):
            if entity.find(f"{V3}performance") is not None:
                duns.add(str(entity.find(f"{V3}assignedOrganization/{V3}id").get("extension")))  # type: ignore[union-attr]  # known to exist in this fixture
    return duns


def test_every_public_file_imports_whole(taxonomy: None) -> None:
    """A second run of SPL and each ClinicalTrials.gov file changes nothing; for NDC the fixture test shows
    that (a second run of the whole NDC file takes as long as the first: measured by hand, not here)."""
    figures: list[str] = []
    decrs, seconds = timed(DecrsImporter(), PUBLIC_DATA / "fda_decrs" / "drls_reg_2025_redacted.csv")
    figures.append(f"decrs  {decrs.rows:>8,} rows {seconds:6.1f} s  {decrs.counts_line()}")

    rows, evidence = ndc_expected()
    ndc, seconds = timed(NdcImporter(), PUBLIC_DATA / "fda_ndc_2019" / "product.txt.gz")
    assert (ndc.rows, ndc.created, ndc.rejected) == (rows, rows, 0) == (128241, 128241, 0)
    assert Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING).count() == evidence
    assert ndc.notes["products"] == {"listed": 96587, "excluded": {"E": 31654}}
    links = ndc.notes["labelers"]
    assert links["exact"] + links["fuzzy"] + links["unmatched"] == links["names"]
    assert links["exact"] / links["names"] > 0.2  # "exact matches are only about a fifth"
    assert ndc.notes["unknown_dosage_forms"] == {} and ndc.notes["unknown_routes"] == {}
    rate = ndc.notes["link_rate_percent"]
    figures.append(
        f"ndc    {ndc.rows:>8,} rows {seconds:6.1f} s  {ndc.counts_line()}; labelers {links['names']:,}: "
        f"exact {links['exact']:,} ({rate['exact']}%), fuzzy {links['fuzzy']:,} ({rate['fuzzy']}%), "
        f"unmatched {links['unmatched']:,} ({rate['unmatched']}%); evidence {evidence:,}"
    )

    spl, seconds = timed(SplImporter(), PUBLIC_DATA / "fda_spl_samples")
    assert (spl.rows, spl.rejected) == (5, 0)
    assert spl.notes["establishments"] == len(spl_establishments())
    figures.append(
        f"spl    {spl.rows:>8,} labels {seconds:4.1f} s  {spl.counts_line()}; establishments "
        f"{spl.notes['establishments']} ({spl.notes['establishments_known']} already registered, "
        f"{spl.notes['sites_created']} new sites)"
    )
    assert timed(SplImporter(), PUBLIC_DATA / "fda_spl_samples")[0].unchanged == 5

    for path in sorted((PUBLIC_DATA / "ctgov").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            trials = sum(1 for _ in csv.DictReader(f))
        ctgov, seconds = timed(CtgovImporter(), path)
        assert (ctgov.rows, ctgov.created + ctgov.updated + ctgov.unchanged, ctgov.rejected) == (trials, trials, 0)
        orgs = ctgov.notes["organisations"]
        figures.append(
            f"ctgov  {ctgov.rows:>8,} rows {seconds:6.1f} s  {ctgov.counts_line()}; {path.name}: "
            f"{orgs['names']} names -> {orgs['organisations']} organisations (exact {orgs['exact']}, "
            f"fuzzy {orgs['fuzzy']}, earlier imports {orgs['earlier_import']}, new {orgs['new']})"
        )
        assert timed(CtgovImporter(), path)[0].unchanged == trials
    print("\n" + "\n".join(figures))

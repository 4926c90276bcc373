"""The demo registry: every shipped public file, imported once, checked against the files themselves.

``test_demo_loads_every_shipped_file_once`` is the suite's one test that imports the whole files
(about a minute; marked ``slow``, which CI runs like any other). Every other importer test reads
the small real excerpts in ``fixtures/``. Figures are computed here from the raw files with the
csv module, gzip and openpyxl, not with the importers' own readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cxo.core.models import Organisation
from cxo.registry.demo import DEMO_FILES, demo_registry_load
from cxo.registry.importers.ndc_unfinished import BULK_FORMS
from cxo.registry.kind import roles_of
from cxo.registry.models import Capability, ComplianceEvent, Evidence, EvidenceKind, ImportRun, Vocabulary
from cxo.registry.selectors import organisation_search, site_search
from cxo.registry.taxonomy import DATA_DIR, term_lookup

# The shipped copies are the files documented in data/PROVENANCE.md, byte for byte (SHA-256 of each file).
SHIPPED = {
    "decrs/drls_reg_2025_redacted.csv": "4dc04e152f0c456350489bd4351b0b93486a5926a4fe37bc289d6184d4117caa",
    "ndc/product.txt.gz": "419ececccaa49ac5679624adafe164d9817ebe459a74ae559a0cd97b2246fc46",
    "ndc_unfinished/unfinished_product.txt.gz": "7fb19666b39b43df49c4a475013e348d5ddbf3118d2bdd2caea45bef127fb4a4",
    "fda_compliance/dashboard_drug_inspections.csv.gz": (
        "edf84911aa45b3b6fbc087f846f7841393a9ac537ace0593da4df1ac138767c1"
    ),
    "fda_compliance/dashboard_drug_citations.csv.gz": (
        "185b2b589496747f3ef06a37ebad5ee63f586b66385ed289b0898ffd47bca298"
    ),
    "fda_compliance/dashboard_compliance_actions_drug_biologic.csv.gz": (
        "58ca89b7aa8f1d46fcaaf456791c3872adcbcfe3be5f65eaa3f770e7ef567229"
    ),
    "fda_compliance/dashboard_published_483s_2025-06-25.xlsx": (
        "2d1deb11c4bd86fd6717771812a1d5ba4091c2ddae1e8b08b001f3e113d90247"
    ),
    "fda_compliance/dashboard_drug_recalls_cder.xlsx": (
        "2f686074fcb37c7727d5ad99cf7c43beb9c872bc5386d8d89cc757f9c02dbbfe"
    ),
    "fda_compliance/warning_letters_2019-2024.xlsx": "1effa016c303e3ec50482786478d8f074212c6751471e862fa9e52a45713dd3e",
}
# Compressed here: the SHA-256 of the content, as published.
SHIPPED_GZIPPED = {
    "spl/cough.xml.gz": "84412a4c5114d42e30e0043483f48aecf4bafb1101063c971704c23880fb2039",
    "spl/humira.xml.gz": "28e043f1fadfe7ab2b075242805971d1f231dde44b778ec9f700fc1ead2eead3",
    "spl/lipitor-orig.xml.gz": "77ff9463a01b36916c07f6917add1dc2176c8383e6cee65a105edd3a21caa27a",
    "spl/lipitor-repack.xml.gz": "763d383c9d7df1aad07eee4e765b40d62211165e7aa8783b74e2efe970ac002f",
    "spl/viagra-64f8040f-938d-4236-8e22-c838c9b5f8da.xml.gz": (
        "756df648463824dcee709d04b39cbea67d54b0cadc487e05b00add74b4b399e8"
    ),
    "ctgov/ctg_hypertension_india_aliza0811.csv.gz": "4c4e5beb2c2a2be998855494a2b32625633291079c926a04efaff8a13cab0910",
    "ctgov/ctg_type2diabetes_jk1201.csv.gz": "bc6466e397f56c139d159cf9ce0e8a2d610aec95dfc08abcc157ec70ad2a1558",
    "ctgov/ctg_urology_marcmorcos.csv.gz": "fdb192ba9587e55b5fdab4d6b5003972433ab18ae4e848cf3ebe44feee512d00",
}
COMPLIANCE = DATA_DIR / "fda_compliance"


def test_the_shipped_files_are_the_documented_ones() -> None:
    provenance = (DATA_DIR / "PROVENANCE.md").read_text()
    for name, digest in SHIPPED.items():
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == digest, name
        assert digest in provenance, f"{name}: its SHA-256 is not in PROVENANCE.md"
    for name, digest in SHIPPED_GZIPPED.items():
        assert hashlib.sha256(gzip.decompress((DATA_DIR / name).read_bytes())).hexdigest() == digest, name
        assert digest in provenance, f"{name}: its SHA-256 is not in PROVENANCE.md"
    assert {f.path for f in DEMO_FILES} <= {DATA_DIR / n for n in (*SHIPPED, *SHIPPED_GZIPPED)} | {DATA_DIR / "spl"}


def _tsv(path: Path) -> list[dict[str, str]]:
    with gzip.open(path) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1", newline=""), delimiter="\t", quoting=3))


def _csv(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _xlsx(path: Path) -> list[dict[str, Any]]:
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def _key(fei: object) -> str:
    text = str(fei or "").strip()
    return text.lstrip("0") if text.isdigit() and len(text) <= 10 else ""


def _substances(row: dict[str, str]) -> set[str]:
    return {s.strip().upper() for s in row["SUBSTANCENAME"].split(";") if s.strip()}


def _labeler_organisations() -> dict[str, list[str]]:
    """NDC labeler name as written -> the stored roles of the organisations its listings are at."""
    out: dict[str, set[int]] = {}
    for org_id, labeler in (
        Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING)
        .values_list("capability__organisation_id", "detail__labeler")
        .distinct()
    ):
        out.setdefault(str(labeler).strip(), set()).add(org_id)
    kinds = dict(Organisation.objects.values_list("pk", "kind"))
    return {name: [kinds[o] for o in ids] for name, ids in out.items()}


def _join(feis: list[str], registry: Counter[str]) -> tuple[int, int]:
    """(distinct FEIs that reach a DECRS site, those sites), as the data README measures it."""
    joined = {k for k in feis if k and k in registry}
    return len(joined), sum(registry[k] for k in joined)


@pytest.mark.slow
def test_demo_loads_every_shipped_file_once(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = demo_registry_load()
    runs = {f.file.path.name: f.result for f in loaded.files}
    assert all(r is not None for r in runs.values()) and len(runs) == len(DEMO_FILES) == 13

    decrs_rows = list(csv.DictReader((DATA_DIR / "decrs/drls_reg_2025_redacted.csv").open(encoding="utf-8-sig")))
    registry_feis: Counter[str] = Counter(_key(r["FEI_NUMBER"]) for r in decrs_rows if _key(r["FEI_NUMBER"]))
    decrs = runs["drls_reg_2025_redacted.csv"]
    assert decrs is not None and decrs.created == len(decrs_rows) == 10439

    # NDC finished products: one evidence record per product, route term and substance.
    products = _tsv(DATA_DIR / "ndc/product.txt.gz")
    routes_of = term_lookup(vocabulary=Vocabulary.ROUTE)
    ndc = runs["product.txt.gz"]
    assert ndc is not None and (ndc.rows, ndc.created, ndc.rejected) == (len(products), len(products), 0) == (
        128241,
        128241,
        0,
    )
    expected = sum(
        max(1, len({routes_of.id_of(r) for r in p["ROUTENAME"].split(";") if r.strip()})) * max(1, len(_substances(p)))
        for p in products
    )
    assert Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING).count() == expected
    assert ndc.notes["products"] == {"listed": 96587, "excluded": {"E": 31654}}
    assert ndc.notes["labelers"]["exact"] / ndc.notes["labelers"]["names"] > 0.2  # "only about a fifth"

    # NDC unfinished: bulk ingredients are API manufacture, the rest drug product manufacture, per substance.
    listings = _tsv(DATA_DIR / "ndc_unfinished/unfinished_product.txt.gz")
    unfinished = runs["unfinished_product.txt.gz"]
    assert unfinished is not None and (unfinished.rows, unfinished.created, unfinished.rejected) == (21478, 21478, 0)
    bulk = [
        r
        for r in listings
        if r["MARKETINGCATEGORYNAME"].startswith("BULK INGREDIENT")
        or r["PRODUCTTYPENAME"] == "LICENSED VACCINE BULK INTERMEDIATE"
        or r["DOSAGEFORMNAME"].strip().upper() in BULK_FORMS
    ]
    assert unfinished.notes["listings"]["api"] == len(bulk) > 15000
    on_record = Evidence.objects.filter(kind=EvidenceKind.NDC_UNFINISHED)
    assert on_record.count() == sum(max(1, len(_substances(r))) for r in listings)
    api = on_record.filter(capability__service__code="svc.mfg.api")
    assert api.count() == sum(max(1, len(_substances(r))) for r in bulk)
    assert api.filter(capability__substance="ATORVASTATIN CALCIUM TRIHYDRATE").values(
        "source_ref"
    ).distinct().count() == (sum(1 for r in bulk if "ATORVASTATIN CALCIUM TRIHYDRATE" in _substances(r)))

    spl = runs["spl"]
    assert spl is not None and (spl.rows, spl.rejected) == (5, 0)
    for name in ("ctg_urology_marcmorcos.csv.gz", "ctg_hypertension_india_aliza0811.csv.gz"):
        trials = len(_csv(DATA_DIR / "ctgov" / name))
        run = runs[name]
        assert run is not None and (run.rows, run.created + run.updated + run.unchanged, run.rejected) == (
            trials,
            trials,
            0,
        )

    # Compliance: one event per row, joined to sites by FEI as the data README measured it.
    inspections = _csv(COMPLIANCE / "dashboard_drug_inspections.csv.gz")
    citations = _csv(COMPLIANCE / "dashboard_drug_citations.csv.gz")
    actions = _csv(COMPLIANCE / "dashboard_compliance_actions_drug_biologic.csv.gz")
    forms = _xlsx(COMPLIANCE / "dashboard_published_483s_2025-06-25.xlsx")
    recalls = _xlsx(COMPLIANCE / "dashboard_drug_recalls_cder.xlsx")
    letters = _xlsx(COMPLIANCE / "warning_letters_2019-2024.xlsx")
    figures = {
        "dashboard_drug_inspections.csv.gz": (inspections, "fei_number", (4692, 4963)),
        "dashboard_drug_citations.csv.gz": (citations, "fei_number", (1179, None)),
        "dashboard_compliance_actions_drug_biologic.csv.gz": (actions, "FEI Number", (560, 620)),
        "dashboard_published_483s_2025-06-25.xlsx": (forms, "FEI Number", (231, None)),
        "dashboard_drug_recalls_cder.xlsx": (recalls, "FEI Number", (366, 430)),
    }
    for name, (rows, column, (readme_feis, readme_sites)) in figures.items():
        run = runs[name]
        assert run is not None and (run.rows, run.created, run.rejected) == (len(rows), len(rows), 0), name
        feis, sites = _join([_key(r[column]) for r in rows], registry_feis)
        assert (run.notes["fei"]["joined"], run.notes["fei"]["sites"]) == (feis, sites), name
        assert feis == readme_feis and sites == (readme_sites or sites), name
    assert ComplianceEvent.objects.filter(kind="inspection", classification="OAI").count() == sum(
        1 for r in inspections if r["classification"] == "OAI"
    )
    listing = runs["warning_letters_2019-2024.xlsx"]
    distinct = {tuple(str(v or "") for v in r.values()) for r in letters}
    assert listing is not None and (listing.rows, listing.created) == (len(letters), len(distinct)) == (3605, 3593)
    assert listing.notes["companies"]["exact"] + listing.notes["companies"]["fuzzy"] > 200  # README: about 216
    assert listing.notes["companies"]["unlinked"][0]["records"] >= listing.notes["companies"]["unlinked"][-1]["records"]

    # The directory: every facet has values, and statuses follow the clock, not the import.
    facets = site_search(page_size=1).facets
    for facet in ("dosage_form", "route", "substance", "compliance", "registration", "evidence"):
        assert any(v.count for v in facets[facet]), facet
    # Bulk-ingredient labelers of heparin are found as API makers with heparin on their record.
    heparin = site_search(services=["API MANUFACTURE"], substances=["HEPARIN SODIUM"], page_size=1)
    assert heparin.total >= 10 and heparin.filters.substances == ("HEPARIN",)
    outcome = {"OAI": 0, "VAI": -1, "NAI": -2}  # the newest date wins; on one day, the worst outcome
    latest: dict[str, tuple[str, int]] = {}
    for r in inspections:
        seen = (r["inspection_end_date"], outcome[r["classification"]])
        latest[_key(r["fei_number"])] = max(latest.get(_key(r["fei_number"]), seen), seen)
    latest_oai = sum(n for key, n in registry_feis.items() if key in latest and latest[key][1] == 0)
    oai = next(v for v in facets["compliance"] if v.code == "inspection_oai")
    assert oai.count == site_search(compliance=["inspection_oai"], page_size=1).total == latest_oai > 400
    assert site_search(registrations=["current"], today=dt.date(2025, 6, 1), page_size=1).total == 10439
    later = site_search(registrations=["current"], today=dt.date(2026, 1, 1), page_size=1)
    assert later.total == 0 and "FY2025" in later.filters.empty_reason

    # Organisation counts per (service, country): the organisations with a site in that country that has
    # the service on record — at least the DECRS registrants with such a site (other sources add site
    # records, e.g. SPL establishments); a service on record at another site, or organisation-wide, does
    # not count (facts of one site, issue 10 item 9).
    for country, operation, code in (("CHN", "API MANUFACTURE", "svc.mfg.api"), ("IND", "ANALYSIS", "svc.analysis")):
        registrants = {
            r["REGISTRANT_DUNS"]
            for r in decrs_rows
            if r["COUNTRY_ISO3"] == country and operation in r["OPERATIONS"].split("; ")
        }
        at_a_site = set(
            Capability.objects.filter(site__country=country, service__code__startswith=code).values_list(
                "organisation_id", flat=True
            )
        )
        total = organisation_search(countries=[country], services=[operation], page_size=1).total
        assert total == len(at_a_site) >= len(registrants) > 0, (country, operation)

    # Roles: the 20 labelers with the most NDA/BLA products in the NDC file are sponsors (those not
    # registered only to repack or relabel: a repackager's listings are other companies' products);
    # nothing registered for ANALYSIS alone is a CRO.
    innovator: Counter[str] = Counter(
        p["LABELERNAME"].strip() for p in products if p["MARKETINGCATEGORYNAME"].strip() in ("NDA", "BLA")
    )
    labeler_orgs = _labeler_organisations()
    top = [name for name, _ in innovator.most_common(20)]
    not_sponsors = [n for n in top if any("sponsor" not in roles_of(k) for k in labeler_orgs[n])]
    repackagers = {n for n in not_sponsors if all("logistics" in roles_of(k) for k in labeler_orgs[n])}
    assert not_sponsors == sorted(repackagers, key=top.index), not_sponsors
    analysis_only: dict[str, set[str]] = {}
    for r in decrs_rows:
        analysis_only.setdefault(r["REGISTRANT_DUNS"], set()).update(r["OPERATIONS"].split("; "))
    lab_duns = [duns for duns, ops in analysis_only.items() if ops == {"ANALYSIS"}]
    lab_kinds = Organisation.objects.filter(registrant_duns__in=lab_duns).values_list("kind", flat=True)
    assert len(lab_kinds) == len(lab_duns) > 500
    assert not [k for k in lab_kinds if "cro" in roles_of(k)]
    assert sum("lab" in roles_of(k) for k in lab_kinds) > 0.9 * len(lab_duns)

    # A second load imports nothing.
    runs_before = ImportRun.objects.count()
    again = demo_registry_load()
    assert again.imported == [] and ImportRun.objects.count() == runs_before
    assert (again.sites, again.evidence, again.compliance_events) == (
        loaded.sites,
        loaded.evidence,
        loaded.compliance_events,
    )

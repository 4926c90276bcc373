"""The SPL importer on two real labels: Lipitor (trimmed to its product and establishment sections) and a cough syrup.

Expected values are read off the XML by hand (and checked here against the file with ElementTree):
the Lipitor label of 2014-01-13 (setId c6e131fe-…, version 11) names six establishments, each with
its operations for the four Lipitor NDCs; three of them are in the DECRS excerpt
``decrs_spl_sites.csv``. The cough syrup label names one establishment whose operations list no
product, so they apply to the label's one product.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from cxo.core.models import Organisation
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.importers.spl import SplImporter
from cxo.registry.kind import roles_of
from cxo.registry.models import Capability, Evidence, EvidenceKind, ImportRun, Site

FIXTURES = Path(__file__).parent / "fixtures"
SPL_DIR = FIXTURES / "spl"
LIPITOR = SPL_DIR / "lipitor-orig-listing.xml"
COUGH = SPL_DIR / "cough.xml"
LIPITOR_SET = "c6e131fe-e7df-4876-83f7-9156fc4e8228"
LIPITOR_NDCS = ["0071-0155", "0071-0156", "0071-0157", "0071-0158"]
ATORVASTATIN = "ATORVASTATIN CALCIUM TRIHYDRATE"

LIPITOR_ESTABLISHMENTS = {
    "989811526": {"API MANUFACTURE"},  # Pfizer Ireland Pharmaceuticals (not in DECRS 2025)
    "896090987": {"API MANUFACTURE"},  # Pfizer Ireland Pharmaceuticals (not in DECRS 2025)
    "829084552": {"ANALYSIS", "MANUFACTURE", "PACK"},  # now Viatris Pharmaceuticals LLC in DECRS
    "894677996": {"API MANUFACTURE"},  # Pfizer Asia Pacific PTE LTD (not in DECRS 2025)
    "341970073": {"ANALYSIS", "API MANUFACTURE", "MANUFACTURE", "PACK"},  # Pfizer Manufacturing Deutschland
    "985052076": {"ANALYSIS", "MANUFACTURE"},  # Pfizer Ireland Pharmaceuticals, Ringaskiddy
}
COUGH_ESTABLISHMENTS = {"129836151": {"MANUFACTURE", "ANALYSIS"}}  # now Haleon US Inc. in DECRS
SERVICE = {
    "API MANUFACTURE": "svc.mfg.api",
    "MANUFACTURE": "svc.mfg.drug_product",
    "ANALYSIS": "svc.analysis",
    "PACK": "svc.packaging.pack",
}


def run_import(path: Path = SPL_DIR, **kwargs: Any) -> Any:
    return registry_import(actor=None, importer=SplImporter(), path=path, **kwargs)


@pytest.fixture
def decrs(taxonomy: None) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_spl_sites.csv")


def snapshot() -> dict[str, list[Any]]:
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
        "capabilities": list(Capability.objects.order_by("pk").values()),
        "evidence": list(Evidence.objects.order_by("pk").values()),
    }


def test_the_fixture_says_what_the_tests_expect() -> None:
    """An independent read of the establishment sections (ElementTree paths, no importer code)."""
    v3 = "{urn:hl7-org:v3}"
    for path, expected in ((LIPITOR, LIPITOR_ESTABLISHMENTS), (COUGH, COUGH_ESTABLISHMENTS)):
        root = ET.parse(path).getroot()
        found: dict[str, set[str]] = defaultdict(set)
        path_ = f"{v3}author/{v3}assignedEntity/{v3}representedOrganization/{v3}assignedEntity/{v3}assignedOrganization"
        for entity in root.findall(f"{path_}/{v3}assignedEntity"):
            duns = entity.find(f"{v3}assignedOrganization/{v3}id").get("extension")  # type: ignore[union-attr]  # known to exist in this fixture
            for code in entity.findall(f"{v3}performance/{v3}actDefinition/{v3}code"):
                found[str(duns)].add(str(code.get("displayName")))
        assert found == expected


def test_each_establishment_operation_is_a_site_capability_with_the_product(decrs: None) -> None:
    result = run_import()
    assert (result.rows, result.created, result.updated, result.unchanged, result.rejected) == (2, 2, 0, 0, 0)
    evidence = Evidence.objects.filter(kind=EvidenceKind.SPL_ESTABLISHMENT).select_related(
        "capability__site", "capability__service", "capability__dosage_form", "capability__route"
    )
    found: dict[str, set[str]] = defaultdict(set)
    for e in evidence.filter(source_ref__startswith=f"SPL {LIPITOR_SET} v11 "):
        cap = e.capability
        assert cap.site is not None
        operation = e.detail["operation"]
        found[str(cap.site.duns)].add(operation)
        assert e.source_ref == f"SPL {LIPITOR_SET} v11 DUNS {cap.site.duns} {operation}"
        assert cap.service.code == SERVICE[operation]
        assert e.observed_on == dt.date(2014, 1, 13)
        assert e.detail["products"] == LIPITOR_NDCS and e.detail["names"] == ["Lipitor"]
        assert e.detail["labeler"] == "Parke-Davis Div of Pfizer Inc"
        assert e.detail["url"] == f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={LIPITOR_SET}"
        assert cap.substance == ATORVASTATIN
        if operation == "API MANUFACTURE":  # the drug substance: no finished dosage form
            assert (cap.dosage_form, cap.route) == (None, None)
        else:
            assert (cap.dosage_form.name, cap.route.name) == ("TABLET, FILM COATED", "ORAL")  # type: ignore[union-attr]  # known to exist in this fixture
    assert found == LIPITOR_ESTABLISHMENTS
    assert evidence.count() == sum(map(len, LIPITOR_ESTABLISHMENTS.values())) + 2 * 2  # cough: 2 substances x 2 ops
    assert result.notes["establishments"] == 7 and result.notes["establishments_known"] == 4
    assert result.notes["operations"] == {"ANALYSIS": 4, "API MANUFACTURE": 4, "MANUFACTURE": 4, "PACK": 2}


def test_known_sites_keep_their_organisation_and_new_ones_join_the_registrant(decrs: None) -> None:
    run_import()
    viatris = Site.objects.select_related("organisation").get(duns="829084552")
    assert viatris.organisation.name == "Viatris Inc."  # the DECRS registrant today, not the label's
    assert set(viatris.capabilities.values_list("organisation__name", flat=True)) == {"Viatris Inc."}
    new = Site.objects.filter(duns__in=["989811526", "896090987", "894677996"]).select_related("organisation")
    assert {(s.duns, s.name) for s in new} == {
        ("989811526", "Pfizer Ireland Pharmaceuticals"),
        ("896090987", "Pfizer Ireland Pharmaceuticals"),
        ("894677996", "Pfizer Asia Pacific PTE LTD"),
    }
    assert {s.organisation.registrant_duns for s in new} == {"113480771"}  # Pfizer Inc, the label's registrant
    assert {(s.registration_expiry, s.fei_key) for s in new} == {(None, "")}  # not registered, no FEI
    assert Organisation.objects.filter(registrant_duns="113480771").count() == 1


def test_operations_without_products_apply_to_every_product_of_the_label(decrs: None) -> None:
    run_import()
    caps = Capability.objects.filter(site__duns="129836151", evidence__kind=EvidenceKind.SPL_ESTABLISHMENT)
    assert sorted(
        caps.values_list("service__code", "dosage_form__name", "route__name", "substance", "evidence__detail__products")
    ) == sorted(
        (service, "SYRUP", "ORAL", substance, ["0067-6344"])
        for service in ("svc.analysis", "svc.mfg.drug_product")
        for substance in ("DIPHENHYDRAMINE HYDROCHLORIDE", "PHENYLEPHRINE HYDROCHLORIDE")
    )
    assert set(caps.values_list("organisation__name", flat=True)) == {"Haleon US Holdings LLC"}
    assert set(caps.values_list("evidence__observed_on", flat=True)) == {dt.date(2011, 4, 26)}


def test_a_label_without_a_registry_registrant_creates_its_organisation(taxonomy: None) -> None:
    result = run_import(LIPITOR)
    pfizer = Organisation.objects.get(registrant_duns="113480771")
    assert pfizer.name == "Pfizer Inc"
    assert Site.objects.filter(organisation=pfizer).count() == 6
    assert result.notes["organisations_created"] == 1 and result.notes["sites_created"] == 6
    # API and drug product manufacture for its own label (Parke-Davis, a Pfizer division), testing, packing.
    assert roles_of(pfizer.kind) == ["maker", "api"]


def test_a_second_import_changes_nothing(decrs: None) -> None:
    run_import()
    before = snapshot()
    again = run_import()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.notes["kinds_changed"] == 0
    assert snapshot() == before


def test_a_malformed_file_fails_the_folder_naming_it_and_its_line(decrs: None, tmp_path: Path) -> None:
    folder = tmp_path / "labels"
    shutil.copytree(SPL_DIR, folder)
    text = LIPITOR.read_text(encoding="utf-8").splitlines()
    text[13] = text[13].replace("</name>", "</nam>")  # line 14: <name>Parke-Davis Div of Pfizer Inc</name>
    (folder / "broken.xml").write_text("\n".join(text), encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        run_import(folder)
    assert "line 14: broken.xml: not well-formed XML (mismatched tag: line 14, column" in caught.value.message
    assert "nothing was imported" in caught.value.message
    assert snapshot() == before

    out = tmp_path / "rejected.csv"
    result = run_import(folder, skip_bad=True, rejected_path=out)
    assert (result.rows, result.created, result.rejected) == (3, 2, 1)
    with out.open(encoding="utf-8", newline="") as f:
        [rejected] = list(csv.DictReader(f))
    assert (rejected["line"], rejected["file"]) == ("14", "broken.xml")
    assert rejected["reason"].startswith("broken.xml: not well-formed XML (mismatched tag")


def test_a_file_that_is_not_a_label_is_rejected(db: None, tmp_path: Path) -> None:
    path = tmp_path / "page.xml"
    path.write_text("<html><body>not a label</body></html>", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"line 1: page\.xml: not an HL7 SPL document"):
        run_import(path)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_the_same_label_twice_is_rejected(decrs: None, tmp_path: Path) -> None:
    shutil.copy(LIPITOR, tmp_path / "a.xml")
    shutil.copy(LIPITOR, tmp_path / "b.xml")
    with pytest.raises(ImportFailed, match=f"b.xml: label {LIPITOR_SET} v11 is already in a.xml"):
        run_import(tmp_path)


def test_an_empty_folder_fails(db: None, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"No \.xml or \.xml\.gz files in"):
        run_import(tmp_path)


def test_a_gzipped_label_in_a_folder_imports_as_the_plain_one(decrs: None, tmp_path: Path) -> None:
    plain = run_import(LIPITOR)
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "lipitor.xml.gz").write_bytes(gzip.compress(LIPITOR.read_bytes()))
    again = run_import(folder)
    assert (again.rows, again.rejected) == (1, 0)
    assert again.unchanged == 1 and plain.created == 1  # the same label: nothing new

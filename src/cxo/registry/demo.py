"""The demo registry: the taxonomy and every public file CXO ships (``src/cxo/registry/data``), each loaded once.

In order — establishments first, since the other sources link to them: FDA DECRS FY2025, the NDC
directory of finished products, the NDC unfinished (bulk ingredient) file, five SPL labels, three
ClinicalTrials.gov extracts, and the six FDA compliance files. Provenance of each file is in
``data/PROVENANCE.md``.

Each file goes through the same import as ``cxo import`` (an import run, atomic, audited). A file
is skipped when it was imported before (same SHA-256), and a single-file source (all but
ClinicalTrials.gov) when any file of it was — so a second ``cxo demo`` imports nothing and says
so, and the demo never writes an older file over one a user imported since.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from cxo.registry.facets import facets_deferred
from cxo.registry.importers import importer_for
from cxo.registry.importers.base import ImportResult, file_sha256, registry_import
from cxo.registry.importers.decrs import DEMO_FILE
from cxo.registry.models import Capability, ComplianceEvent, Evidence, ImportRun, OrganisationFacets, Site
from cxo.registry.taxonomy import DATA_DIR, TaxonomyLoaded, taxonomy_load


@dataclass(frozen=True)
class DemoFile:
    source: str
    path: Path
    label: str


COMPLIANCE_DIR = DATA_DIR / "fda_compliance"
DEMO_FILES: tuple[DemoFile, ...] = (
    DemoFile("decrs", DEMO_FILE, "FDA DECRS establishment registrations FY2025"),
    DemoFile("ndc", DATA_DIR / "ndc" / "product.txt.gz", "FDA NDC directory, finished products (2019)"),
    DemoFile(
        "ndc-unfinished",
        DATA_DIR / "ndc_unfinished" / "unfinished_product.txt.gz",
        "FDA NDC unfinished drugs, bulk ingredients (2018)",
    ),
    DemoFile("spl", DATA_DIR / "spl", "DailyMed SPL labels (5)"),
    *(
        DemoFile("ctgov", DATA_DIR / "ctgov" / name, f"ClinicalTrials.gov extract: {what}")
        for name, what in (
            ("ctg_urology_marcmorcos.csv.gz", "urology"),
            ("ctg_hypertension_india_aliza0811.csv.gz", "hypertension in India"),
            ("ctg_type2diabetes_jk1201.csv.gz", "type 2 diabetes"),
        )
    ),
    DemoFile("fda-inspections", COMPLIANCE_DIR / "dashboard_drug_inspections.csv.gz", "FDA inspection classifications"),
    DemoFile("fda-citations", COMPLIANCE_DIR / "dashboard_drug_citations.csv.gz", "FDA inspection citations"),
    DemoFile(
        "fda-actions",
        COMPLIANCE_DIR / "dashboard_compliance_actions_drug_biologic.csv.gz",
        "FDA compliance actions (warning letters)",
    ),
    DemoFile("fda-483s", COMPLIANCE_DIR / "dashboard_published_483s_2025-06-25.xlsx", "FDA published Form 483s"),
    DemoFile("fda-recalls", COMPLIANCE_DIR / "dashboard_drug_recalls_cder.xlsx", "FDA recalls (CDER)"),
    DemoFile("fda-warning-letters", COMPLIANCE_DIR / "warning_letters_2019-2024.xlsx", "FDA warning-letter listing"),
)
#: Sources whose demo data is several files: each is skipped only if that very file was imported.
MULTI_FILE_SOURCES = frozenset({"ctgov"})


@dataclass(frozen=True)
class FileLoaded:
    file: DemoFile
    result: ImportResult | None  # None when skipped
    seconds: float
    skipped_because: str = ""


@dataclass
class DemoRegistry:
    taxonomy: TaxonomyLoaded
    files: list[FileLoaded] = field(default_factory=list)
    sites: int = 0
    organisations: int = 0
    capabilities: int = 0
    evidence: int = 0
    compliance_events: int = 0
    seconds: float = 0.0  # the whole load, the directory index rebuilt at the end included

    @property
    def imported(self) -> list[FileLoaded]:
        return [f for f in self.files if f.result is not None]

    @property
    def index_seconds(self) -> float:
        """The one rebuild of the directory index after the files (0 when nothing was imported)."""
        return max(0.0, self.seconds - sum(f.seconds for f in self.files))


def _already(demo: DemoFile, checksum: str) -> str:
    """Why the file need not be imported, or "" to import it."""
    done = ImportRun.objects.filter(source=demo.source, status=ImportRun.Status.SUCCEEDED).order_by("-started_at")
    same = done.filter(checksum=checksum).first()
    if same is not None:
        return f"already imported (import run #{same.pk})"
    if demo.source not in MULTI_FILE_SOURCES:
        other = done.first()
        if other is not None:
            return f"{other.file_name} is imported already (import run #{other.pk}); the demo file is left out"
    return ""


def _any_to_import() -> bool:
    return any(not _already(demo, file_sha256(demo.path)) for demo in DEMO_FILES)


def _load(demo: DemoFile, *, show_progress: bool, starting: Callable[[DemoFile], None] | None) -> FileLoaded:
    started = time.perf_counter()
    why = _already(demo, file_sha256(demo.path))
    if why:
        return FileLoaded(demo, None, time.perf_counter() - started, why)
    if starting is not None:
        starting(demo)
    result = registry_import(
        actor=None, importer=importer_for(demo.source), path=demo.path, show_progress=show_progress, actor_label="demo"
    )
    return FileLoaded(demo, result, time.perf_counter() - started)


def demo_registry_load(
    *,
    show_progress: bool = False,
    starting: Callable[[DemoFile], None] | None = None,
    report: Callable[[FileLoaded], None] | None = None,
) -> DemoRegistry:
    """Load the taxonomy and each shipped file not imported yet; ``starting`` is called before a file is
    imported, ``report`` after each file, imported or skipped.

    Idempotent: the second time the taxonomy load is a comparison and every file is skipped. The
    directory index is rebuilt once after the files rather than after each (:func:`facets_deferred`).
    """
    loaded = DemoRegistry(taxonomy=taxonomy_load(actor=None))
    started = time.perf_counter()
    with facets_deferred() if _any_to_import() else nullcontext():
        for demo in DEMO_FILES:
            loaded.files.append(_load(demo, show_progress=show_progress, starting=starting))
            if report is not None:
                report(loaded.files[-1])
    loaded.seconds = time.perf_counter() - started
    loaded.sites = Site.objects.count()
    loaded.organisations = OrganisationFacets.objects.count()
    loaded.capabilities = Capability.objects.count()
    loaded.evidence = Evidence.objects.count()
    loaded.compliance_events = ComplianceEvent.objects.count()
    return loaded

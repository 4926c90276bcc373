"""Importers of public data into the registry, by source name (what ``cxo import <source>`` takes).

Add a source by writing an :class:`~cxo.registry.importers.base.Importer` subclass in its own
module and listing it in :data:`IMPORTERS`.
"""

from __future__ import annotations

from typing import Any

from cxo.core.errors import ServiceError
from cxo.registry.importers.base import Importer, ImportFailed, ImportResult, import_succeeded, registry_import
from cxo.registry.importers.compliance_sources import COMPLIANCE_IMPORTERS
from cxo.registry.importers.ctgov import CtgovImporter
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.importers.ndc import NdcImporter
from cxo.registry.importers.ndc_unfinished import NdcUnfinishedImporter
from cxo.registry.importers.spl import SplImporter

IMPORTERS: dict[str, type[Importer[Any]]] = {
    DecrsImporter.source: DecrsImporter,
    NdcImporter.source: NdcImporter,
    NdcUnfinishedImporter.source: NdcUnfinishedImporter,
    SplImporter.source: SplImporter,
    CtgovImporter.source: CtgovImporter,
    **{importer.source: importer for importer in COMPLIANCE_IMPORTERS},
}


def importer_for(source: str) -> Importer[Any]:
    """A fresh importer for ``source`` (one per run: importers keep per-run state)."""
    try:
        return IMPORTERS[source]()
    except KeyError:
        raise ServiceError(f"Unknown import source '{source}' (known: {', '.join(sorted(IMPORTERS))}).") from None


__all__ = [
    "IMPORTERS",
    "ImportFailed",
    "ImportResult",
    "Importer",
    "import_succeeded",
    "importer_for",
    "registry_import",
]

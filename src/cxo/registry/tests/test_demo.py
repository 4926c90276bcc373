"""The demo registry: the taxonomy, and the shipped DECRS file loaded once into an empty registry."""

from __future__ import annotations

import hashlib

from cxo.registry.demo import demo_registry_load
from cxo.registry.importers.decrs import DEMO_FILE
from cxo.registry.models import ImportRun, Site, Term

# The shipped copy is the file documented in data/PROVENANCE.md, byte for byte.
DECRS_SHA256 = "4dc04e152f0c456350489bd4351b0b93486a5926a4fe37bc289d6184d4117caa"


def test_the_shipped_decrs_file_is_the_documented_one() -> None:
    assert hashlib.sha256(DEMO_FILE.read_bytes()).hexdigest() == DECRS_SHA256


def test_demo_loads_the_registry_once(db: None) -> None:
    first = demo_registry_load()
    assert first.taxonomy.created == Term.objects.count()
    assert first.imported is not None and first.imported.created == 10439
    assert first.sites == Site.objects.count() == 10439

    second = demo_registry_load()
    assert (second.taxonomy.created, second.taxonomy.updated) == (0, 0)
    assert second.imported is None
    assert ImportRun.objects.count() == 1
    assert second.sites == 10439

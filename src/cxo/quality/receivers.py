"""How quality follows the apps below it: the registry's imports run the watch, and matching and sourcing get
the sponsor's standing of a site through ``cxo.core.standing`` (they never import quality)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from cxo.core.standing import standing_source_register
from cxo.quality.selectors.approval import QualitySource
from cxo.quality.watch import quality_watch_after_import
from cxo.registry.models import ImportRun

DISPATCH_UID = "cxo.quality.watch_after_import"
#: Import sources whose records the watch reads: FDA's compliance files, and DECRS for registrations.
WATCHED_SOURCES = ("fda-", "decrs")
SOURCE = QualitySource()


def on_import_run_saved(sender: Any, *, instance: ImportRun, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """After a compliance or registration import succeeds, watch the qualifications at the sites it touched."""
    if raw or instance.status != ImportRun.Status.SUCCEEDED or not instance.source.startswith(WATCHED_SOURCES):
        return
    run_id = instance.pk
    transaction.on_commit(lambda: quality_watch_after_import(import_run_id=run_id))


def connect() -> None:
    post_save.connect(on_import_run_saved, sender=ImportRun, dispatch_uid=DISPATCH_UID)
    standing_source_register(SOURCE)

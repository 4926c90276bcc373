"""The process-local index, rebuilt when the registry changes.

Two signals of change, because imports write in other processes and often with ``bulk_create``
(which sends no ``post_save``):

- a generation counter bumped by ``post_save`` / ``post_delete`` of registry models in this process;
- :func:`registry_version`, a signature of the registry tables read in one query, checked at most
  once every ``CXO_MATCH_VERSION_TTL`` seconds (default 2; 0 checks on every call).
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save

from cxo.matching.index import MatchIndex, build_index
from cxo.matching.snapshot import snapshot_from_db

_lock = threading.Lock()
_generation = 0
_index: MatchIndex | None = None
_index_key: tuple[int, tuple[Any, ...]] | None = None
_checked_at = 0.0
_checked_version: tuple[Any, ...] = ()


def _bump(**kwargs: Any) -> None:
    global _generation
    _generation += 1


def connect_signals() -> None:
    from cxo.core.models import Organisation
    from cxo.registry.models import Capability, Evidence, ImportRun, Site, Term

    for model in (Organisation, Site, Capability, Evidence, Term, ImportRun):
        post_save.connect(_bump, sender=model, dispatch_uid=f"matching-{model.__name__}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"matching-{model.__name__}-delete")


def registry_version() -> tuple[Any, ...]:
    """A signature of the registry that changes when terms, sites, capabilities, evidence or imports do."""
    from cxo.core.models import Organisation
    from cxo.registry.models import Capability, Evidence, ImportRun, Site, Term

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    parts = []
    for model in (Term, Site, Capability, Evidence, Organisation):
        parts.append(f"(SELECT COUNT(*) FROM {table(model)})")
        parts.append(f"(SELECT MAX(id) FROM {table(model)})")
    parts.append(f"(SELECT MAX(id) FROM {table(ImportRun)})")
    parts.append(f"(SELECT MAX(finished_at) FROM {table(ImportRun)})")
    parts.append(f"(SELECT MAX(updated_at) FROM {table(Site)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple(str(v) for v in row)


def match_index(*, force: bool = False) -> MatchIndex:
    """The current index of the registry, built on first use and rebuilt after changes."""
    global _index, _index_key, _checked_at, _checked_version
    ttl = float(getattr(settings, "CXO_MATCH_VERSION_TTL", 2.0))
    now = time.monotonic()
    if force or _index is None or now - _checked_at >= ttl or ttl <= 0:
        _checked_version = registry_version()
        _checked_at = now
    key = (_generation, _checked_version)
    if not force and _index is not None and _index_key == key:
        return _index
    with _lock:
        if force or _index is None or _index_key != key:
            _index = index_from_db(version=key)
            _index_key = key
            settle()
        return _index


def index_from_db(*, version: object = None) -> MatchIndex:
    """Read the registry and build its index, with the cyclic garbage collector paused meanwhile.

    Reading creates millions of row tuples (a chunk at a time) and the names of every site and
    organisation, and no reference cycles; left on, the collector would walk the ones that
    accumulate again and again (a third of the build time, when the snapshot was all tuples).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build_index(snapshot_from_db(), version=version)
    finally:
        if enabled:
            gc.enable()


def settle() -> None:
    """Keep the cyclic garbage collector off the index's millions of long-lived objects.

    Without this a full collection, triggered by the allocations of ordinary requests, walks the
    snapshot's names and the index's dictionaries now and then and turns a 2 ms match into a 40 ms
    one. Frozen objects are still freed by reference counting when the next index replaces them (the
    snapshot has no cycles).
    """
    gc.collect()
    gc.freeze()


def forget() -> None:
    """Drop the cached index (tests)."""
    global _index, _index_key
    with _lock:
        _index = None
        _index_key = None

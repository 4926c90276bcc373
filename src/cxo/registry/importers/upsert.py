"""Bulk writes shared by the importers of public data: new organisations, capabilities by key, evidence by reference.

Each works on a whole file's rows with a handful of queries, never one per row, and compares with
what the registry already holds, so that a second run of the same file writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import QuerySet
from django.utils.text import slugify

from cxo.core.models import Organisation
from cxo.registry.importers.base import bulk_insert
from cxo.registry.models import Capability, Evidence, ImportRun, Site

K = TypeVar("K")
_SLUG_LENGTH = 70


def organisations_create(
    *, names: Mapping[K, str], type: str, registrant_duns: Mapping[K, str] | None = None
) -> dict[K, int]:
    """Create one registry organisation per entry of ``names`` (any key -> display name); returns key -> id.

    The slug is made from the name, with ``-2``, ``-3``, … appended on a clash, and never changes
    afterwards. Organisations are created unclaimed, with no members; their kind is derived later.
    """
    if not names:
        return {}
    taken = set(Organisation.objects.values_list("slug", flat=True))
    slugs: dict[K, str] = {}
    rows: list[tuple[str, str, str, str | None]] = []
    for key, name in names.items():
        base = slugify(name)[:_SLUG_LENGTH].strip("-") or "organisation"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[key] = slug
        rows.append((name[:255], slug, type, (registrant_duns or {}).get(key)))
    bulk_insert(Organisation, ("name", "slug", "type", "registrant_duns"), rows)
    ids: dict[str, int] = {}
    wanted = list(slugs.values())
    for start in range(0, len(wanted), 900):
        ids.update(Organisation.objects.filter(slug__in=wanted[start : start + 900]).values_list("slug", "pk"))
    return {key: ids[slug] for key, slug in slugs.items()}


@dataclass(frozen=True, slots=True)
class CapabilitySpec:
    """A capability as an importer derives it; equal specs name the same capability."""

    organisation_id: int
    service_id: int
    site_id: int | None = None
    dosage_form_id: int | None = None
    route_id: int | None = None
    modality_id: int | None = None
    scale_id: int | None = None
    substance: str = ""

    def values(self) -> tuple[Any, ...]:
        """The field values in declaration order."""
        return (
            self.organisation_id, self.service_id, self.site_id, self.dosage_form_id, self.route_id,
            self.modality_id, self.scale_id, self.substance,
        )  # fmt: skip

    @property
    def key(self) -> str:
        return Capability.make_key(
            site_id=self.site_id,
            service_id=self.service_id,
            dosage_form_id=self.dosage_form_id,
            route_id=self.route_id,
            modality_id=self.modality_id,
            scale_id=self.scale_id,
            substance=self.substance,
        )


@dataclass
class CapabilitiesEnsured:
    ids: dict[CapabilitySpec, int]
    created: int
    organisation_ids: set[int]  # organisations that gained a capability


def capabilities_ensure(specs: Iterable[CapabilitySpec], *, scope: QuerySet[Capability]) -> CapabilitiesEnsured:
    """The id of every capability in ``specs``, creating those the registry does not have yet.

    ``scope`` must hold every existing capability the specs can name (e.g. the organisation-level
    capabilities of the services the importer writes); it is read once, and again after inserting.
    """
    wanted = {spec: spec.key for spec in specs}
    existing = {(org_id, key): pk for pk, org_id, key in scope.values_list("pk", "organisation_id", "key")}
    missing = [spec for spec, key in wanted.items() if (spec.organisation_id, key) not in existing]
    if missing:
        bulk_insert(
            Capability,
            ("organisation", "service", "site", "dosage_form", "route", "modality", "scale", "substance", "key"),
            ((*s.values(), wanted[s]) for s in missing),
        )
        existing = {(org_id, key): pk for pk, org_id, key in scope.values_list("pk", "organisation_id", "key")}
    return CapabilitiesEnsured(
        ids={spec: existing[(spec.organisation_id, key)] for spec, key in wanted.items()},
        created=len(missing),
        organisation_ids={spec.organisation_id for spec in missing},
    )


@dataclass(frozen=True, slots=True)
class EvidenceSpec:
    """One piece of evidence for one capability, from the record on ``line``.

    ``detail`` must be JSON-shaped already (lists, not tuples; dates as ISO strings), so that it
    compares equal to what the database gives back.
    """

    line: int
    organisation_id: int
    capability_id: int
    source_ref: str
    observed_on: dt.date | None
    detail: dict[str, Any]


@dataclass
class EvidenceWritten:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_lines: set[int] = field(default_factory=set)  # records all of whose evidence is new
    updated_lines: set[int] = field(default_factory=set)  # records with some evidence before, and a change
    organisation_ids: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def evidence_upsert(
    *, kind: str, specs: Sequence[EvidenceSpec], existing: QuerySet[Evidence], run: ImportRun
) -> EvidenceWritten:
    """Create the evidence the registry lacks and update what changed (date or detail), by (capability, reference).

    ``existing`` must hold every stored evidence of ``kind`` the specs can name. Evidence is never
    deleted here: a record that a later file no longer has stays a dated fact.
    """
    stored = {
        (cap_id, ref): (pk, observed_on, detail)
        for pk, cap_id, ref, observed_on, detail in existing.values_list(
            "pk", "capability_id", "source_ref", "observed_on", "detail"
        )
    }
    result = EvidenceWritten()
    to_create: list[tuple[Any, ...]] = []
    to_update: list[tuple[Any, ...]] = []
    seen: set[tuple[int, str]] = set()
    status: dict[int, list[str]] = defaultdict(list)
    for spec in specs:
        pair = (spec.capability_id, spec.source_ref)
        if pair in seen:
            raise ValueError(f"evidence {spec.source_ref} for capability {spec.capability_id} is given twice")
        seen.add(pair)
        found = stored.get(pair)
        if found is None:
            to_create.append((spec.capability_id, kind, spec.source_ref, spec.observed_on, spec.detail, run.pk))
            status[spec.line].append("new")
        elif found[1] != spec.observed_on or found[2] != spec.detail:
            to_update.append((spec.observed_on, spec.detail, run.pk, found[0]))
            status[spec.line].append("changed")
        else:
            status[spec.line].append("same")
            continue
        result.organisation_ids.add(spec.organisation_id)
    bulk_insert(Evidence, ("capability", "kind", "source_ref", "observed_on", "detail", "import_run"), to_create)
    _evidence_update(to_update)
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(specs) - result.created - result.updated
    for line, states in status.items():
        if all(s == "new" for s in states):
            result.created_lines.add(line)
        elif any(s != "same" for s in states):
            result.updated_lines.add(line)
    return result


def _evidence_update(rows: list[tuple[Any, ...]], *, batch_size: int = 5000) -> None:
    """UPDATE (observed_on, detail, import_run) by id with one ``executemany`` per batch (no per-row query)."""
    if not rows:
        return
    opts = Evidence._meta
    observed, detail = opts.get_field("observed_on"), opts.get_field("detail")
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(opts.db_table)} SET {qn('observed_on')} = %s, {qn('detail')} = %s, {qn('import_run_id')} = %s "
        f"WHERE {qn('id')} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    (observed.get_db_prep_save(o, connection), detail.get_db_prep_save(d, connection), run, pk)
                    for o, d, run, pk in rows[start : start + batch_size]
                ],
            )


def line_counts(lines: Iterable[int], written: EvidenceWritten) -> tuple[int, int, int]:
    """(created, updated, unchanged) records: created when all their evidence is new, updated on any change."""
    all_lines = set(lines)
    created = len(all_lines & written.created_lines)
    updated = len(all_lines & written.updated_lines)
    return created, updated, len(all_lines) - created - updated


#: Rows written above which the planner's statistics are refreshed (see :func:`statistics_refresh`).
ANALYZE_THRESHOLD = 10_000


def statistics_refresh(*, rows_written: int) -> None:
    """On PostgreSQL, ANALYZE the registry tables after a large bulk write, inside the import's transaction.

    Autovacuum cannot see rows that are not committed yet, so without this the queries that follow
    in the same transaction (kinds, the directory index) are planned for the tables' old sizes — on a
    first NDC import, nested loops over 270,000 evidence rows that take minutes instead of seconds.
    SQLite plans without such statistics and needs nothing.
    """
    if rows_written < ANALYZE_THRESHOLD or connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Organisation, Site, Capability, Evidence)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def chunked(items: Sequence[K], size: int = 900) -> Iterable[Sequence[K]]:
    """Slices of at most ``size`` items (keeps ``IN (…)`` lists under SQLite's parameter limit)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]

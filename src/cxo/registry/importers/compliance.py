"""FDA compliance records as registry facts: the framework shared by the six compliance importers.

Each importer (:mod:`cxo.registry.importers.compliance_sources`) reads one kind of file — the Data
Dashboard's inspection classifications, inspection citations, compliance actions, published Form
483s, CDER recalls, or FDA's warning-letter listing — as CSV, gzipped CSV or XLSX, with the
Dashboard's own column names or those of the copies in ``data/fda_compliance``
(:mod:`cxo.registry.importers.tabular`), and turns each row into one
:class:`~cxo.registry.models.ComplianceEvent`.

- **Identity**: ``(source, source_ref)``, the row's own id in its file (the inspection id and
  project area, the recall's product id, …). A second run of the same file changes nothing; a
  changed row is updated; nothing is deleted (a record missing from a later file stays a dated fact).
- **Joins**: by FEI — digits only, leading zeros stripped (:func:`cxo.registry.models.fei_key`), so
  DECRS's ``0000000360`` meets the Dashboard's ``360`` and placeholders such as ``0000000`` meet
  nothing. The join is made when the record is read (an event is at every site with its FEI), so
  sites imported later join too. The import counts what joins now: the FEIs and rows that reach a
  registry site, and how many sites — the join rate, in the run's notes and summary. Records that
  name a company only (the warning-letter listing) are linked to an organisation by name with the
  NDC linker (:mod:`cxo.registry.importers.labelers`); names that link to nothing are listed.
- **After the import** the directory's index is rebuilt for the organisations whose sites (or
  names) the changed records reach; organisation kinds do not depend on compliance and are not
  recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cxo.registry.importers.base import ImportContext, Importer, Outcome, Record, RowRejected, bulk_insert
from cxo.registry.importers.labelers import link_summary, names_link, percent
from cxo.registry.importers.tabular import Column, table_records
from cxo.registry.importers.upsert import chunked
from cxo.registry.models import ComplianceEvent, Site

#: The fields of an event an import writes and compares (besides source and source_ref).
EVENT_FIELDS = (
    "kind",
    "occurred_on",
    "classification",
    "status",
    "closed_on",
    "title",
    "text",
    "fei",
    "firm_name",
    "organisation_id",
    "url",
    "detail",
)


_PLURAL = {
    "inspection": "inspections",
    "citation": "citations",
    "form_483": "Form 483s",
    "warning_letter": "warning letters",
    "action": "other actions",
    "recall": "recalls (products)",
}


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """One source row as an event: what :meth:`ComplianceImporter.event` returns."""

    line: int
    source_ref: str
    kind: str
    occurred_on: dt.date | None
    firm_name: str
    fei: str = ""
    classification: str = ""
    status: str = ""
    closed_on: dt.date | None = None
    title: str = ""
    text: str = ""
    url: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def values(self, organisation_id: int | None) -> tuple[Any, ...]:
        """The values of :data:`EVENT_FIELDS`, as stored."""
        return (
            self.kind, self.occurred_on, self.classification, self.status, self.closed_on, self.title[:500],
            self.text, self.fei, self.firm_name[:255], organisation_id, self.url[:500], self.detail,
        )  # fmt: skip


class ComplianceImporter(Importer[ComplianceRow]):
    """A compliance file's importer: subclasses set ``source``, ``label``, ``table`` and implement ``event``."""

    table: ClassVar[tuple[Column, ...]]
    #: Whether rows name a company without an FEI, to be linked to an organisation by name.
    link_by_name: ClassVar[bool] = False
    affects_kinds = False

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self.duplicates: list[dict[str, Any]] = []

    @property
    def columns(self) -> tuple[str, ...]:  # type: ignore[override]  # derived from the table, not set by hand
        return tuple(c.field for c in self.table if c.required)

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        return table_records(path, self.table, label=self.label)

    def check_shape(self, record: Record) -> None:
        if None in record:
            raise RowRejected(f"{len(record[None])} value(s) beyond the header's last column")

    def event(self, *, line: int, record: Record) -> ComplianceRow:
        """The event one record describes; raise RowRejected(reason) for a bad one."""
        raise NotImplementedError

    def parse(self, *, line: int, record: Record) -> ComplianceRow:
        row = self.event(line=line, record=record)
        if not row.source_ref:
            raise RowRejected("the row has no id of its own")
        if len(row.source_ref) > 255:
            raise RowRejected("the row's id is longer than 255 characters")
        if row.source_ref in self._seen:
            raise RowRejected(f"{row.source_ref} is already on line {self._seen[row.source_ref]}")
        self._seen[row.source_ref] = line
        return row

    def apply(self, *, rows: list[ComplianceRow], context: ImportContext) -> Outcome:
        outcome = Outcome()
        organisation_of: dict[str, int | None] = {}
        link_figures: dict[str, Any] = {}
        if self.link_by_name:
            linked = names_link(Counter(r.firm_name for r in rows), create_missing=False, noun="company")
            organisation_of, link_figures = linked.organisation_of, linked.figures

        existing = {
            ref: (pk, tuple(values))
            for pk, ref, *values in ComplianceEvent.objects.filter(source=self.source).values_list(
                "pk", "source_ref", *EVENT_FIELDS
            )
        }
        to_create: list[tuple[Any, ...]] = []
        to_update: list[ComplianceEvent] = []
        changed: list[ComplianceRow] = []
        for row in context.progress(rows, desc="records"):
            values = row.values(organisation_of.get(row.firm_name))
            found = existing.get(row.source_ref)
            if found is None:
                to_create.append((self.source, row.source_ref, context.run.pk, *values))
                outcome.created += 1
            elif found[1] != values:
                to_update.append(
                    ComplianceEvent(pk=found[0], import_run=context.run, **dict(zip(EVENT_FIELDS, values, strict=True)))
                )
                outcome.updated += 1
            else:
                outcome.unchanged += 1
                continue
            changed.append(row)
        bulk_insert(ComplianceEvent, ("source", "source_ref", "import_run", *EVENT_FIELDS), to_create)
        if to_update:
            ComplianceEvent.objects.bulk_update(to_update, [*EVENT_FIELDS, "import_run"], batch_size=500)

        join = fei_join(rows)
        touched = fei_join(changed)
        outcome.organisation_ids |= touched.organisation_ids
        outcome.organisation_ids |= {org for r in changed if (org := organisation_of.get(r.firm_name)) is not None}
        self.report(rows, outcome, join, link_figures)
        return outcome

    def report(self, rows: list[ComplianceRow], outcome: Outcome, join: FeiJoin, links: dict[str, Any]) -> None:
        """The run's notes and summary: counts by kind and classification, the FEI join rate, name links."""
        kinds = Counter(r.kind for r in rows)
        classes = Counter(r.classification for r in rows if r.classification)
        outcome.notes = {
            "records": len(rows),
            "kinds": dict(kinds.most_common()),
            "classifications": dict(classes.most_common()),
            "fei": {**join.figures(), "not_an_fei": sum(1 for r in rows if "fei_as_written" in r.detail)},
            "duplicates": self.duplicates[:100],
        }
        what = ", ".join(f"{n:,} {_PLURAL.get(k, k)}" for k, n in kinds.most_common())
        outcome.summary = [f"Records: {what}."]
        if classes and len(classes) <= 8:
            outcome.summary[0] += " " + ", ".join(f"{c} {n:,}" for c, n in classes.most_common()) + "."
        if bad := outcome.notes["fei"]["not_an_fei"]:
            outcome.summary.append(f"{bad:,} records give an FEI that is not one (kept as written, joined to no site).")
        if self.duplicates:
            outcome.summary.append(f"{len(self.duplicates):,} rows repeat an earlier row exactly and were read once.")
        if links:
            outcome.notes["companies"] = links
            outcome.summary.append(link_summary(links, noun="Companies"))
        else:
            outcome.summary.append(join.summary())


@dataclass
class FeiJoin:
    """How records meet the registry's sites by FEI (computed now; the pages join again when read)."""

    rows: int = 0
    rows_with_fei: int = 0
    feis: int = 0
    feis_joined: int = 0
    rows_joined: int = 0
    sites: int = 0
    organisation_ids: set[int] = field(default_factory=set)

    def figures(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_with_fei": self.rows_with_fei,
            "distinct": self.feis,
            "joined": self.feis_joined,
            "rows_joined": self.rows_joined,
            "sites": self.sites,
            "join_rate_percent": round(100 * self.feis_joined / self.feis, 1) if self.feis else 0.0,
        }

    def summary(self) -> str:
        if not self.rows_with_fei:
            return f"FEI: none of the {self.rows:,} records carries one, so none joins a site."
        return (
            f"FEI: {self.feis:,} distinct in {self.rows_with_fei:,} records ({self.rows - self.rows_with_fei:,} "
            f"without one); {self.feis_joined:,} ({percent(self.feis_joined, self.feis)}) join "
            f"{self.sites:,} registry sites, covering {self.rows_joined:,} records."
        )


def fei_join(rows: Sequence[ComplianceRow]) -> FeiJoin:
    """Which of the rows' FEIs reach registry sites, and those sites' organisations (a query per 900 FEIs)."""
    feis = Counter(r.fei for r in rows if r.fei)
    join = FeiJoin(rows=len(rows), rows_with_fei=sum(feis.values()), feis=len(feis))
    joined: set[str] = set()
    for chunk in chunked(sorted(feis)):
        for key, org_id in Site.objects.filter(fei_key__in=chunk).values_list("fei_key", "organisation_id"):
            joined.add(key)
            join.sites += 1
            join.organisation_ids.add(org_id)
    join.feis_joined = len(joined)
    join.rows_joined = sum(feis[k] for k in joined)
    return join

"""FDA Drug Establishments Current Registration Site (DECRS, "drls_reg"): registered sites and what they do.

One row is one registered establishment (a site, unique by ``DUNS_NUMBER``) with its business
operations. The importer makes:

- an **organisation** per ``REGISTRANT_DUNS`` (``Organisation.registrant_duns``, type provider).
  Its display name is the registrant name written on most of its rows, preferring one that is not
  all capitals on a tie; an organisation someone has claimed keeps the name they gave it. Slugs
  are made once, from the name (``-<DUNS>`` appended on a clash), and never change.
- a **site** per row: firm name, address, country (``COUNTRY_ISO3``; a row without one is
  imported with an empty country and reported), FEI (blank and all-zero placeholders such as
  ``0000000`` are treated as missing and counted; ``fei_key`` is the FEI that compliance records
  join on), registration expiry, US agent. Whether a registration is current is not stored: it
  depends on the day it is read (:mod:`cxo.registry.registration`).
- per operation, a site-level **capability** in the service taxonomy (the mapping is
  ``data/decrs_operations.csv``), with **evidence** of kind ``fda_registration``, source reference
  ``DECRS FY<year> DUNS <duns>`` and detail ``{"operation", "fei"}``.

Observation date: establishments renew between 1 October and 31 December and are then registered
until the end of the following calendar year (FDA, "Drug Establishments Current Registration
Site"), so a registration that expires on 31 December of year Y was in force throughout year Y.
The evidence is therefore dated 1 January of the expiry year — for the FY2025 file, 2025-01-01 —
and the fiscal year in the source reference is the expiry year. Both are derived from the row,
so re-importing the same file gives the same evidence.

Nothing is deleted: evidence is a dated fact, and a later file adds its own (FY2026) evidence.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.registry.geo import country_exists, country_from_address
from cxo.registry.importers.base import ImportContext, Importer, Outcome, Record, RowRejected, bulk_insert
from cxo.registry.models import (
    Capability,
    Evidence,
    EvidenceKind,
    OrganisationMerge,
    Site,
    SitePlacement,
    Term,
    fei_assigned,
    fei_key,
)
from cxo.registry.taxonomy import DATA_DIR, taxonomy_load

OPERATIONS_FILE = DATA_DIR / "decrs_operations.csv"
DEMO_FILE = DATA_DIR / "decrs" / "drls_reg_2025_redacted.csv"

_DUNS = re.compile(r"\d{9}")
_FEI = re.compile(r"\d{1,10}")
_SITE_FIELDS = (
    "organisation_id",
    "name",
    "address",
    "country",
    "fei",
    "fei_key",
    "registration_expiry",
    "us_agent_name",
    "us_agent_duns",
)


@cache
def decrs_operations() -> dict[str, str]:
    """DECRS operation -> service term code, from ``data/decrs_operations.csv`` (the one place it is kept)."""
    with OPERATIONS_FILE.open(encoding="utf-8", newline="") as f:
        return {row["operation"].strip(): row["service_code"].strip() for row in csv.DictReader(f)}


@dataclass(frozen=True, slots=True)
class DecrsRow:
    line: int
    duns: str
    fei: str
    fei_state: str  # "ok", "blank" or "placeholder"
    firm_name: str
    address: str
    country: str
    expiry: dt.date
    operations: tuple[str, ...]
    registrant_duns: str
    registrant_name: str
    agent_duns: str
    agent_name: str
    excluded: bool
    country_parsed: bool = False  # COUNTRY_ISO3 was empty; the country was read from the address

    @property
    def source_ref(self) -> str:
        return f"DECRS FY{self.expiry.year} DUNS {self.duns}"

    @property
    def observed_on(self) -> dt.date:
        return dt.date(self.expiry.year, 1, 1)


def _text(record: Record, column: str) -> str:
    return re.sub(r"\s+", " ", (record.get(column) or "").strip())


def _duns(record: Record, column: str, *, required: bool = True) -> str:
    value = (record.get(column) or "").strip()
    if not value and not required:
        return ""
    if not _DUNS.fullmatch(value):
        raise RowRejected(f"{column} {value!r} is not a 9-digit DUNS number")
    return value


@lru_cache(maxsize=64)
def _us_date(text: str) -> dt.date:
    # A snapshot has a handful of distinct expiry dates; strptime is the slowest step of parsing a row.
    return dt.datetime.strptime(text, "%m/%d/%Y").date()


def _max_length(value: str, column: str, limit: int) -> str:
    if len(value) > limit:
        raise RowRejected(f"{column} is longer than {limit} characters")
    return value


def canonical_name(variants: Counter[str]) -> str:
    """The name to show for an organisation written several ways: the most used, mixed case before ALL CAPS."""
    first_seen = {name: i for i, name in enumerate(variants)}
    return min(variants, key=lambda n: (-variants[n], n.isupper(), first_seen[n]))


class DecrsImporter(Importer[DecrsRow]):
    """FDA DECRS ``drls_reg`` CSV (see the module docstring)."""

    source = "decrs"
    label = "FDA DECRS (drls_reg)"
    columns = (
        "FEI_NUMBER",
        "DUNS_NUMBER",
        "FIRM_NAME",
        "ADDRESS",
        "COUNTRY_ISO3",
        "EXPIRATION_DATE",
        "OPERATIONS",
        "REGISTRANT_NAME",
        "REGISTRANT_DUNS",
        "US_AGENT_DUNS",
        "US_AGENT_NAME",
        "EXCLUSION_FLAG",
    )

    def __init__(self) -> None:
        self.operations = decrs_operations()
        self._seen: dict[str, int] = {}

    def parse(self, *, line: int, record: Record) -> DecrsRow:
        duns = _duns(record, "DUNS_NUMBER")
        if duns in self._seen:
            raise RowRejected(f"DUNS_NUMBER {duns} is already on line {self._seen[duns]}")
        firm_name = _max_length(_text(record, "FIRM_NAME"), "FIRM_NAME", 255)
        if not firm_name:
            raise RowRejected("FIRM_NAME is empty")
        registrant_name = _max_length(_text(record, "REGISTRANT_NAME"), "REGISTRANT_NAME", 255)
        if not registrant_name:
            raise RowRejected("REGISTRANT_NAME is empty")
        registrant_duns = _duns(record, "REGISTRANT_DUNS")

        raw_fei = (record.get("FEI_NUMBER") or "").strip()
        if raw_fei and not _FEI.fullmatch(raw_fei):
            raise RowRejected(f"FEI_NUMBER {raw_fei!r} is not a number of up to 10 digits")
        fei_state = "blank" if not raw_fei else "ok" if fei_assigned(raw_fei) else "placeholder"

        country = (record.get("COUNTRY_ISO3") or "").strip().upper()
        if country and not country_exists(country):
            raise RowRejected(f"COUNTRY_ISO3 {country!r} is not an ISO 3166 alpha-3 country code")
        country_parsed = not country and bool(country := country_from_address(_text(record, "ADDRESS")))

        raw_date = (record.get("EXPIRATION_DATE") or "").strip()
        try:
            expiry = _us_date(raw_date)
        except ValueError:
            raise RowRejected(f"EXPIRATION_DATE {raw_date!r} is not a date in MM/DD/YYYY form") from None

        operations = tuple(dict.fromkeys(op.strip().upper() for op in (record.get("OPERATIONS") or "").split(";")))
        operations = tuple(op for op in operations if op)
        if not operations:
            raise RowRejected("OPERATIONS is empty")
        unknown = [op for op in operations if op not in self.operations]
        if unknown:
            raise RowRejected(
                f"unknown operation {', '.join(repr(op) for op in unknown)} "
                f"(known: {', '.join(sorted(self.operations))})"
            )

        flag = (record.get("EXCLUSION_FLAG") or "").strip().upper()
        if flag not in {"", "N", "Y"}:
            raise RowRejected(f"EXCLUSION_FLAG {flag!r} is not Y or N")

        self._seen[duns] = line
        return DecrsRow(
            line=line,
            duns=duns,
            fei=raw_fei if fei_state == "ok" else "",
            fei_state=fei_state,
            firm_name=firm_name,
            address=_text(record, "ADDRESS"),
            country=country,
            expiry=expiry,
            operations=operations,
            registrant_duns=registrant_duns,
            registrant_name=registrant_name,
            agent_duns=_duns(record, "US_AGENT_DUNS", required=False),
            agent_name=_max_length(_text(record, "US_AGENT_NAME"), "US_AGENT_NAME", 255),
            excluded=flag == "Y",
            country_parsed=country_parsed,
        )

    def apply(self, *, rows: list[DecrsRow], context: ImportContext) -> Outcome:
        taxonomy_load(actor=context.actor)  # the service terms must exist; a no-op once loaded
        service_ids = dict(Term.objects.filter(code__in=set(self.operations.values())).values_list("code", "id"))
        op_service = {op: service_ids[code] for op, code in self.operations.items()}
        outcome = Outcome()
        changed_rows: set[int] = set()

        org_ids, org_counts = self._organisations(rows, outcome)
        site_ids, site_counts, created_rows = self._sites(rows, org_ids, outcome, changed_rows, context)
        cap_ids, cap_counts = self._capabilities(rows, org_ids, site_ids, op_service, outcome, changed_rows)
        ev_counts = self._evidence(rows, cap_ids, site_ids, op_service, context, changed_rows)

        outcome.created = len(created_rows)
        outcome.updated = len(changed_rows - created_rows)
        outcome.unchanged = len(rows) - outcome.created - outcome.updated
        self._report(rows, outcome, org_counts, site_counts, cap_counts, ev_counts)
        return outcome

    def _organisations(self, rows: list[DecrsRow], outcome: Outcome) -> tuple[dict[str, int], dict[str, int]]:
        variants: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            variants[row.registrant_duns][row.registrant_name] += 1
        names = {duns: canonical_name(v) for duns, v in variants.items()}
        existing: dict[str, tuple[int, str, dt.datetime | None]] = {
            str(duns): (pk, name, claimed_at)
            for pk, duns, name, claimed_at in Organisation.objects.filter(registrant_duns__isnull=False).values_list(
                "pk", "registrant_duns", "name", "claimed_at"
            )
        }
        renamed = [
            Organisation(pk=existing[duns][0], name=name)
            for duns, name in names.items()
            if duns in existing and existing[duns][1] != name and existing[duns][2] is None  # claimed: theirs to name
        ]
        if renamed:
            Organisation.objects.bulk_update(renamed, ["name"], batch_size=500)

        new = [duns for duns in names if duns not in existing]
        org_ids = {duns: pk for duns, (pk, _, _) in existing.items()}
        if new:
            taken = set(Organisation.objects.values_list("slug", flat=True))
            created: list[tuple[str, str, str, str]] = []
            for duns in new:
                base = slugify(names[duns])[:70] or "organisation"
                slug, n = base, 1
                while slug in taken:  # the DUNS makes a clash-free slug that does not depend on import order
                    slug = f"{base[:64]}-{duns}" + (f"-{n}" if n > 1 else "")
                    n += 1
                taken.add(slug)
                created.append((names[duns], slug, OrganisationType.PROVIDER, duns))
            bulk_insert(Organisation, ("name", "slug", "type", "registrant_duns"), created)
            org_ids = {
                str(duns): pk
                for duns, pk in Organisation.objects.filter(registrant_duns__isnull=False).values_list(
                    "registrant_duns", "pk"
                )
            }
        outcome.organisation_ids |= {org_ids[duns] for duns in new} | {org.pk for org in renamed}
        # A registrant a curator merged into another organisation: its sites go there.
        merged_into = dict(OrganisationMerge.objects.values_list("merged_id", "into_id"))
        org_ids = {duns: merged_into.get(pk, pk) for duns, pk in org_ids.items()}
        return org_ids, {
            "created": len(new),
            "updated": len(renamed),
            "unchanged": len(names) - len(new) - len(renamed),
        }

    def _sites(
        self,
        rows: list[DecrsRow],
        org_ids: dict[str, int],
        outcome: Outcome,
        changed_rows: set[int],
        context: ImportContext,
    ) -> tuple[dict[str, int], dict[str, int], set[int]]:
        existing = {
            str(duns): (pk, tuple(values))
            for pk, duns, *values in Site.objects.filter(duns__isnull=False).values_list("pk", "duns", *_SITE_FIELDS)
        }
        # Sites a curator placed in another organisation (a split) stay there.
        placed = dict(SitePlacement.objects.values_list("site__duns", "organisation_id"))
        now = timezone.now()
        to_create: list[tuple[Any, ...]] = []
        to_update: list[Site] = []
        created_rows: set[int] = set()
        for row in context.progress(rows, desc="sites"):
            values = (
                placed.get(row.duns) or org_ids[row.registrant_duns],
                row.firm_name,
                row.address,
                row.country,
                row.fei,
                fei_key(row.fei),
                row.expiry,
                row.agent_name,
                row.agent_duns,
            )
            found = existing.get(row.duns)
            if found is None:
                to_create.append((row.duns, now, now, *values))
                created_rows.add(row.line)
                outcome.organisation_ids.add(values[0])
            elif found[1] != values:
                to_update.append(Site(pk=found[0], updated_at=now, **dict(zip(_SITE_FIELDS, values, strict=True))))
                changed_rows.add(row.line)
                outcome.organisation_ids |= {found[1][0], values[0]}  # a site may move to another registrant
        bulk_insert(Site, ("duns", "created_at", "updated_at", *_SITE_FIELDS), to_create)
        if to_update:
            Site.objects.bulk_update(to_update, [*_SITE_FIELDS, "updated_at"], batch_size=500)
        site_ids = {duns: pk for duns, (pk, _) in existing.items()}
        if to_create:
            site_ids = {str(duns): pk for duns, pk in Site.objects.filter(duns__isnull=False).values_list("duns", "pk")}
        counts = {"created": len(to_create), "updated": len(to_update)}
        counts["unchanged"] = len(rows) - counts["created"] - counts["updated"]
        return site_ids, counts, created_rows

    def _capabilities(
        self,
        rows: list[DecrsRow],
        org_ids: dict[str, int],
        site_ids: dict[str, int],
        op_service: dict[str, int],
        outcome: Outcome,
        changed_rows: set[int],
    ) -> tuple[dict[str, int], dict[str, int]]:
        ours = Capability.objects.filter(site__isnull=False, service_id__in=set(op_service.values()))
        existing = {key: (pk, org_id) for pk, org_id, key in ours.values_list("pk", "organisation_id", "key")}
        to_create: dict[str, tuple[int, int, int, str]] = {}
        to_update: list[Capability] = []
        placed = dict(SitePlacement.objects.values_list("site__duns", "organisation_id"))
        for row in rows:
            org_id, site_id = placed.get(row.duns) or org_ids[row.registrant_duns], site_ids[row.duns]
            for op in row.operations:
                key = Capability.make_key(site_id=site_id, service_id=op_service[op])
                found = existing.get(key)
                if found is None:
                    to_create[key] = (org_id, site_id, op_service[op], key)
                    changed_rows.add(row.line)
                    outcome.organisation_ids.add(org_id)
                elif found[1] != org_id:
                    to_update.append(Capability(pk=found[0], organisation_id=org_id))
                    changed_rows.add(row.line)
                    outcome.organisation_ids |= {found[1], org_id}
        bulk_insert(Capability, ("organisation", "site", "service", "key"), to_create.values())
        if to_update:
            Capability.objects.bulk_update(to_update, ["organisation"], batch_size=500)
        cap_ids = {key: pk for key, (pk, _) in existing.items()}
        if to_create:
            cap_ids = dict(ours.values_list("key", "pk"))
        return cap_ids, {"created": len(to_create), "updated": len(to_update)}

    def _evidence(
        self,
        rows: list[DecrsRow],
        cap_ids: dict[str, int],
        site_ids: dict[str, int],
        op_service: dict[str, int],
        context: ImportContext,
        changed_rows: set[int],
    ) -> dict[str, int]:
        existing = {
            (cap_id, ref): (pk, observed_on, detail)
            for pk, cap_id, ref, observed_on, detail in Evidence.objects.filter(
                kind=EvidenceKind.FDA_REGISTRATION, source_ref__startswith="DECRS "
            ).values_list("pk", "capability_id", "source_ref", "observed_on", "detail")
        }
        to_create: list[tuple[Any, ...]] = []
        to_update: list[Evidence] = []
        for row in rows:
            site_id = site_ids[row.duns]
            for op in row.operations:
                cap_id = cap_ids[Capability.make_key(site_id=site_id, service_id=op_service[op])]
                detail: dict[str, Any] = {"operation": op, "fei": row.fei or None}
                if row.excluded:
                    detail["excluded"] = True
                found = existing.get((cap_id, row.source_ref))
                if found is None:
                    to_create.append(
                        (cap_id, EvidenceKind.FDA_REGISTRATION, row.source_ref, row.observed_on, detail, context.run.pk)
                    )
                elif found[1] != row.observed_on or found[2] != detail:
                    to_update.append(
                        Evidence(pk=found[0], observed_on=row.observed_on, detail=detail, import_run=context.run)
                    )
                else:
                    continue
                changed_rows.add(row.line)
        bulk_insert(Evidence, ("capability", "kind", "source_ref", "observed_on", "detail", "import_run"), to_create)
        if to_update:
            Evidence.objects.bulk_update(to_update, ["observed_on", "detail", "import_run"], batch_size=500)
        return {"created": len(to_create), "updated": len(to_update)}

    def _report(
        self,
        rows: list[DecrsRow],
        outcome: Outcome,
        org_counts: dict[str, int],
        site_counts: dict[str, int],
        cap_counts: dict[str, int],
        ev_counts: dict[str, int],
    ) -> None:
        fei_states = Counter(row.fei_state for row in rows)
        fei_rows = Counter(row.fei for row in rows if row.fei)
        shared = {fei: n for fei, n in fei_rows.items() if n > 1}
        without_country = [{"line": r.line, "duns": r.duns, "firm": r.firm_name} for r in rows if not r.country]
        parsed = [
            {"line": r.line, "duns": r.duns, "firm": r.firm_name, "country": r.country}
            for r in rows
            if r.country_parsed
        ]
        excluded = sum(row.excluded for row in rows)
        outcome.notes = {
            "organisations": org_counts,
            "sites": site_counts,
            "capabilities": cap_counts,
            "evidence": ev_counts,
            "fei_blank": fei_states["blank"],
            "fei_placeholder": fei_states["placeholder"],
            "fei_shared_values": len(shared),
            "fei_shared_rows": sum(shared.values()),
            "without_country": without_country,
            "country_from_address": parsed,
            "excluded_flag": excluded,
            "snapshot_years": sorted({row.expiry.year for row in rows}),
        }
        outcome.summary = [
            f"Organisations: {org_counts['created']:,} created, {org_counts['updated']:,} renamed; "
            f"sites: {site_counts['created']:,} created, {site_counts['updated']:,} updated; "
            f"capabilities: {cap_counts['created']:,} created; evidence: {ev_counts['created']:,} created, "
            f"{ev_counts['updated']:,} updated.",
            f"FEI: {fei_states['blank']:,} blank and {fei_states['placeholder']:,} placeholder (all zeros) "
            f"treated as missing; {len(shared):,} FEIs are shared by {sum(shared.values()):,} sites.",
        ]
        for item in parsed:
            outcome.summary.append(
                f"Country read from the address: line {item['line']}, DUNS {item['duns']} ({item['firm']}): "
                f"{item['country']} (COUNTRY_ISO3 was empty)."
            )
        for item in without_country:
            outcome.summary.append(
                f"No country: line {item['line']}, DUNS {item['duns']} ({item['firm']}) imported with an empty country."
            )
        if excluded:
            outcome.summary.append(f"{excluded:,} rows carry EXCLUSION_FLAG=Y (kept; marked in the evidence).")


def decrs_file_default() -> Path:
    """The DECRS FY2025 file shipped with CXO (for the demo)."""
    return DEMO_FILE

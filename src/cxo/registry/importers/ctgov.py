"""ClinicalTrials.gov CSV exports: who sponsors and who collaborates on trials of which phase.

Two column styles are accepted and mapped to one set of names: the site's own export ("NCT Number",
"Study Title", "Funder Type", "Start Date", …) and the same columns with underscores
("NCT_Number", "Funder_Type", …, written by some tools that also write dates as dd-mm-yyyy). A
file lacking a needed column fails at once, naming the columns it lacks. Dates may be
``YYYY-MM-DD``, ``YYYY-MM`` (read as the 1st) or ``DD-MM-YYYY``.

What a trial makes
------------------

- Its **lead sponsor** and each **collaborator** (``|``-separated; an entry without a letter, such
  as a postcode an exporter split off an address, is skipped and reported) is an organisation,
  linked to a registry organisation by name as in :mod:`cxo.registry.names` (exact on the
  normalised name, then fuzzy against FDA-registered organisations), else created: a lead sponsor
  whose funder type is INDUSTRY as a sponsor-type organisation (a company that buys services), any
  other as a provider-type registry entry (universities, hospitals, agencies and companies named
  as collaborators), unclaimed.
- Per organisation and phase, an **organisation-level capability**: service "Phase I trial services"
  … "Phase IV trial services" with the matching phase scale (EARLY_PHASE1 counts as phase I), or
  the service "Clinical" without a scale for trials with no phase (NA, observational studies).
  "PHASE1|PHASE2" is evidence for both phases.
- **Evidence** of kind ``clinical_trial`` per capability and trial: ``source_ref`` is the NCT number,
  ``observed_on`` the start date (else the first-posted date), ``detail`` the title, conditions,
  interventions, status, study type, phases, the organisation's role (``lead_sponsor`` or
  ``collaborator``), the lead sponsor's funder type (on its own evidence) or the lead sponsor's
  name (on a collaborator's), and the trial's address on ClinicalTrials.gov.

The kind rule (:mod:`cxo.registry.kind`) reads the role: leading trials shows an organisation
*buys* clinical services (a sponsor, unless it provides services too); being a collaborator proves
neither, so a collaborator gets a kind only from other evidence.

An organisation named twice in one trial (as sponsor and collaborator, or by two spellings that
link to one organisation) gets one evidence per capability, as lead sponsor if it leads.
Trials in several files are the same evidence: a later export updates its detail.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxo.core.roles import OrganisationType
from cxo.registry.importers.base import ImportContext, Importer, ImportFailed, Outcome, Record, RowRejected, open_text
from cxo.registry.importers.decrs import canonical_name
from cxo.registry.importers.upsert import (
    CapabilitySpec,
    EvidenceSpec,
    capabilities_ensure,
    evidence_upsert,
    line_counts,
    organisations_create,
    statistics_refresh,
)
from cxo.registry.kind import LEAD_SPONSOR
from cxo.registry.models import Capability, Evidence, EvidenceKind, Term
from cxo.registry.names import EXACT, FUZZY, OrganisationIndex, name_key
from cxo.registry.taxonomy import taxonomy_load

COLLABORATOR = "collaborator"
CLINICAL_SERVICE = "svc.clinical"
#: ClinicalTrials.gov phase -> (service, scale); None: a trial with no phase (NA).
PHASES: dict[str, tuple[str, str] | None] = {
    "EARLY_PHASE1": ("svc.clinical.phase1", "scale.clinical.phase1"),
    "PHASE1": ("svc.clinical.phase1", "scale.clinical.phase1"),
    "PHASE2": ("svc.clinical.phase2", "scale.clinical.phase2"),
    "PHASE3": ("svc.clinical.phase3", "scale.clinical.phase3"),
    "PHASE4": ("svc.clinical.phase4", "scale.clinical.phase4"),
    "NA": None,
}
STUDY_URL = "https://clinicaltrials.gov/study/"

_NCT = re.compile(r"NCT\d{8}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")
_DMY = re.compile(r"\d{2}-\d{2}-\d{4}")


def column_key(name: str) -> str:
    """How a header names a column, whatever its style: "NCT_Number" and "NCT Number" -> "nct number"."""
    return " ".join(name.replace("_", " ").split()).casefold()


def trial_date(raw: str) -> dt.date:
    """A ClinicalTrials.gov export date: YYYY-MM-DD, YYYY-MM (the 1st) or DD-MM-YYYY. Raises ValueError."""
    if _ISO_DAY.fullmatch(raw):
        return dt.date.fromisoformat(raw)
    if _ISO_MONTH.fullmatch(raw):
        return dt.date(int(raw[:4]), int(raw[5:7]), 1)
    if _DMY.fullmatch(raw):
        return dt.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
    raise ValueError(raw)


@dataclass(frozen=True, slots=True)
class Trial:
    line: int
    nct: str
    title: str
    status: str
    conditions: tuple[str, ...]
    interventions: tuple[str, ...]
    sponsor: str
    collaborators: tuple[str, ...]
    phases: tuple[str, ...]  # as written, e.g. ("PHASE1", "PHASE2"); empty when none given
    funder_type: str
    study_type: str
    start: dt.date | None
    first_posted: dt.date | None
    not_names: tuple[str, ...] = ()  # collaborator entries without a letter, e.g. a postcode split off an address

    @property
    def observed_on(self) -> dt.date | None:
        return self.start or self.first_posted


def _text(record: Record, column: str) -> str:
    return " ".join((record.get(column) or "").split())


def _list(record: Record, column: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in (" ".join(v.split()) for v in _text(record, column).split("|")) if p))


def _date(record: Record, column: str) -> dt.date | None:
    raw = _text(record, column)
    if not raw:
        return None
    try:
        return trial_date(raw)
    except ValueError:
        raise RowRejected(f"{column} {raw!r} is not a date (YYYY-MM-DD, YYYY-MM or DD-MM-YYYY)") from None


class CtgovImporter(Importer[Trial]):
    """ClinicalTrials.gov CSV export, either column style (see the module docstring)."""

    source = "ctgov"
    label = "ClinicalTrials.gov CSV export"
    columns = (
        "NCT Number",
        "Study Title",
        "Study Status",
        "Conditions",
        "Interventions",
        "Sponsor",
        "Collaborators",
        "Phases",
        "Funder Type",
        "Study Type",
        "Start Date",
        "First Posted",
    )

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        with open_text(path, encoding=self.encoding) as f:  # a gzipped export is read as it is
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            wanted = {column_key(c): c for c in self.columns}
            rename = {h: wanted[column_key(h)] for h in header if column_key(h) in wanted}
            missing = [c for c in self.columns if c not in rename.values()]
            if missing:
                raise ImportFailed(
                    f"line 1: the file lacks the column(s) {', '.join(missing)} (a {self.label} has "
                    f"{', '.join(self.columns)}; the same names with underscores, e.g. NCT_Number, are accepted too)."
                )
            line = 1
            for record in reader:
                start = line + 1
                line = reader.line_num
                yield start, {rename.get(k, k) if k is not None else None: v for k, v in record.items()}

    def parse(self, *, line: int, record: Record) -> Trial:
        nct = _text(record, "NCT Number").upper()
        if not _NCT.fullmatch(nct):
            raise RowRejected(f"NCT Number {nct!r} is not an NCT number (NCT and eight digits)")
        if nct in self._seen:
            raise RowRejected(f"NCT Number {nct} is already on line {self._seen[nct]}")
        sponsor = _text(record, "Sponsor")
        if not sponsor:
            raise RowRejected("Sponsor is empty")
        listed = _list(record, "Collaborators")
        collaborators = tuple(c for c in listed if any(ch.isalpha() for ch in c))
        too_long = [n for n in (sponsor, *collaborators) if len(n) > 255]
        if too_long:
            raise RowRejected(f"the organisation name {too_long[0][:40]!r}… is longer than 255 characters")
        phases = tuple(p.upper().replace(" ", "") for p in _list(record, "Phases"))
        unknown = [p for p in phases if p not in PHASES]
        if unknown:
            raise RowRejected(f"Phases {', '.join(unknown)!r} unknown (known: {', '.join(PHASES)})")
        start = _date(record, "Start Date")
        first_posted = _date(record, "First Posted")
        self._seen[nct] = line
        return Trial(
            line=line,
            nct=nct,
            title=_text(record, "Study Title"),
            status=_text(record, "Study Status").upper(),
            conditions=_list(record, "Conditions"),
            interventions=_list(record, "Interventions"),
            sponsor=sponsor,
            collaborators=tuple(c for c in collaborators if c != sponsor),
            phases=phases,
            funder_type=_text(record, "Funder Type").upper(),
            study_type=_text(record, "Study Type").upper(),
            start=start,
            first_posted=first_posted,
            not_names=tuple(c for c in listed if c not in collaborators),
        )

    def apply(self, *, rows: list[Trial], context: ImportContext) -> Outcome:
        taxonomy_load(actor=context.actor)
        codes = {CLINICAL_SERVICE} | {c for pair in PHASES.values() if pair for c in pair}
        terms = dict(Term.objects.filter(code__in=codes).values_list("code", "pk"))
        outcome = Outcome()
        org_of, links = self._organisations(rows, outcome)

        per_trial: list[tuple[Trial, list[tuple[CapabilitySpec, dict[str, Any]]]]] = []
        for trial in context.progress(rows, desc="trials"):
            roles: dict[int, tuple[str, str]] = {org_of[trial.sponsor]: (LEAD_SPONSOR, trial.sponsor)}
            for name in trial.collaborators:
                roles.setdefault(org_of[name], (COLLABORATOR, name))
            steps = [PHASES[p] for p in trial.phases] or [None]
            targets = [
                (terms[pair[0]], terms[pair[1]]) if pair else (terms[CLINICAL_SERVICE], None)
                for pair in dict.fromkeys(steps)
            ]
            items = []
            for org_id, (role, name) in roles.items():
                detail = self._detail(trial, role, name)
                for service_id, scale_id in targets:
                    spec = CapabilitySpec(organisation_id=org_id, service_id=service_id, scale_id=scale_id)
                    items.append((spec, detail))
            per_trial.append((trial, items))

        caps = capabilities_ensure(
            (spec for _, items in per_trial for spec, _ in items),
            scope=Capability.objects.filter(site__isnull=True, service_id__in=set(terms.values())),
        )
        evidence = [
            EvidenceSpec(
                line=trial.line,
                organisation_id=spec.organisation_id,
                capability_id=caps.ids[spec],
                source_ref=trial.nct,
                observed_on=trial.observed_on,
                detail=detail,
            )
            for trial, items in per_trial
            for spec, detail in items
        ]
        written = evidence_upsert(
            kind=EvidenceKind.CLINICAL_TRIAL,
            specs=evidence,
            existing=Evidence.objects.filter(kind=EvidenceKind.CLINICAL_TRIAL, source_ref__startswith="NCT"),
            run=context.run,
        )
        statistics_refresh(rows_written=caps.created + written.created + written.updated)
        outcome.created, outcome.updated, outcome.unchanged = line_counts((t.line for t in rows), written)
        outcome.organisation_ids |= caps.organisation_ids | written.organisation_ids
        self._report(rows, outcome, links, caps.created, written.counts())
        return outcome

    @staticmethod
    def _detail(trial: Trial, role: str, name: str) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "title": trial.title,
            "role": role,
            "name": name,
            "status": trial.status,
            "study_type": trial.study_type,
            "phases": list(trial.phases),
            "conditions": list(trial.conditions),
            "interventions": list(trial.interventions),
        }
        if role == LEAD_SPONSOR:
            detail["funder_type"] = trial.funder_type
        else:
            detail["lead_sponsor"] = trial.sponsor
        detail["url"] = STUDY_URL + trial.nct
        return detail

    def _organisations(self, rows: list[Trial], outcome: Outcome) -> tuple[dict[str, int], dict[str, Any]]:
        """Each sponsor and collaborator name's organisation (linked or created), and the link figures."""
        mentions: Counter[str] = Counter()
        industry_sponsors: set[str] = set()
        for trial in rows:
            mentions[trial.sponsor] += 1
            if trial.funder_type == "INDUSTRY":
                industry_sponsors.add(trial.sponsor)
            for name in trial.collaborators:
                mentions[name] += 1
        links = OrganisationIndex.load().links(mentions)
        unmatched: dict[str, Counter[str]] = defaultdict(Counter)
        sponsor_keys: set[str] = set()
        for name, link in links.items():
            if link is None:
                key = name_key(name) or name.casefold()
                unmatched[key][name] += mentions[name]
                if name in industry_sponsors:
                    sponsor_keys.add(key)
        names = {key: canonical_name(variants) for key, variants in unmatched.items()}
        created = organisations_create(
            names={k: n for k, n in names.items() if k in sponsor_keys}, type=OrganisationType.SPONSOR
        )
        created |= organisations_create(
            names={k: n for k, n in names.items() if k not in sponsor_keys}, type=OrganisationType.PROVIDER
        )
        outcome.organisation_ids |= set(created.values())
        org_of: dict[str, int] = {}
        method: Counter[str] = Counter()
        for name, link in links.items():
            if link is None:
                org_of[name] = created[name_key(name) or name.casefold()]
                method["new"] += 1
            else:
                org_of[name] = link.organisation_id
                method[link.method if link.registered else "earlier_import"] += 1
        figures = {
            "names": len(links),
            "sponsors": len({t.sponsor for t in rows}),
            "collaborators": len({c for t in rows for c in t.collaborators}),
            "exact": method[EXACT],
            "fuzzy": method[FUZZY],
            "earlier_import": method["earlier_import"],
            "new": method["new"],
            "organisations_created": {
                "sponsor": sum(1 for k in created if k in sponsor_keys),
                "provider": sum(1 for k in created if k not in sponsor_keys),
            },
            "organisations": len(set(org_of.values())),
            "fuzzy_links": sorted(
                (
                    {"name": name, "organisation": link.matched, "score": link.score}
                    for name, link in links.items()
                    if link is not None and link.method == FUZZY
                ),
                key=lambda item: str(item["name"]),
            ),
        }
        return org_of, figures

    def _report(
        self, rows: list[Trial], outcome: Outcome, links: dict[str, Any], capabilities: int, evidence: dict[str, int]
    ) -> None:
        phases = Counter(p for t in rows for p in (t.phases or ("(none)",)))
        undated = sum(1 for t in rows if t.observed_on is None)
        created = links["organisations_created"]
        skipped = [{"nct": t.nct, "collaborator": text} for t in rows for text in t.not_names]
        outcome.notes = {
            "trials": len(rows),
            "collaborators_skipped": skipped,
            "phases": dict(sorted(phases.items())),
            "organisations": links,
            "capabilities": {"created": capabilities},
            "evidence": evidence,
            "dated_by": {
                "start_date": sum(1 for t in rows if t.start),
                "first_posted": sum(1 for t in rows if not t.start and t.first_posted),
                "undated": undated,
            },
        }
        outcome.summary = [
            f"Trials: {len(rows):,}; phases: " + ", ".join(f"{p} {n:,}" for p, n in sorted(phases.items())) + ".",
            f"Organisations: {links['names']:,} names ({links['sponsors']:,} lead sponsors, "
            f"{links['collaborators']:,} collaborators) -> {links['organisations']:,} organisations. Linked to "
            f"FDA-registered organisations by exact name {links['exact']:,}, by fuzzy name {links['fuzzy']:,}; "
            f"{links['earlier_import']:,} found among organisations from earlier imports; {links['new']:,} new "
            f"({created['sponsor']:,} industry sponsors created as sponsors, {created['provider']:,} others).",
            f"Capabilities: {capabilities:,} created; evidence: {evidence['created']:,} created, "
            f"{evidence['updated']:,} updated.",
        ]
        for item in skipped:
            outcome.summary.append(
                f"Skipped the collaborator {item['collaborator']!r} of {item['nct']}: not an organisation name."
            )
        if undated:
            outcome.summary.append(f"{undated:,} trials have no start or first-posted date: their evidence is undated.")

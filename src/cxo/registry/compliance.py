"""Reads of FDA compliance records: a site's record, an organisation's summary, and events by site and date.

A :class:`~cxo.registry.models.ComplianceEvent` is at every site whose ``fei_key`` equals its ``fei``
(joined here, when read). Records that name a company only — FDA's warning-letter listing — are
linked to an organisation by name and belong to all its sites *as organisation-wide facts*: they
are shown apart and never counted as a site's own. Everything date-relative ("in the last five
years", "open") is decided against ``today`` at read time.

For other apps (the quality app's watch of the public record, matching's compliance score):

- :func:`site_compliance_record` — one site's dated timeline, latest inspection outcome, open actions;
- :func:`compliance_event_list` — events of given kinds at given sites since a date, one query;
- :func:`compliance_facts` — per FEI, the figures the directory indexes (latest outcome, newest
  warning letter, newest Class I recall), for many sites at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from cxo.registry.models import ComplianceEvent, ComplianceKind, Site

#: "Recent" for warning letters, Class I recalls and OAI inspections, as the directory's facet uses it.
RECENT_YEARS = 5
#: Inspection outcomes, worst first: a day's outcome is the worst of its project areas.
OUTCOMES = ("OAI", "VAI", "NAI")
OUTCOME_NAMES = {
    "OAI": "Official action indicated",
    "VAI": "Voluntary action indicated",
    "NAI": "No action indicated",
}
OPEN_RECALL = "ongoing"
_RECALL_RANK = {"Class I": 0, "Class II": 1, "Class III": 2}
#: A letter in FDA's listing is the Dashboard's letter to the site when issued this close to it (the
#: two sources date one letter a day or two apart).
SAME_LETTER_DAYS = 7


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February with no counterpart)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def worst_outcome(classifications: Iterable[str]) -> str:
    present = set(classifications)
    return next((c for c in OUTCOMES if c in present), "")


def is_open(event: ComplianceEvent) -> bool:
    """Whether the source says the action is still open: a recall FDA lists as ongoing, or a warning letter
    with no close-out letter on record. (The Dashboard's action list records no close-outs.)"""
    if event.kind == ComplianceKind.RECALL:
        return event.status.casefold() == OPEN_RECALL
    if event.kind in (ComplianceKind.WARNING_LETTER, ComplianceKind.ACTION):
        return event.closed_on is None
    return False


@dataclass
class TimelineEntry:
    """One line of a site's timeline: an event, the citations of an inspection, or both listings of a letter."""

    event: ComplianceEvent
    organisation_wide: bool = False  # linked by company name, not at this site by FEI
    citations: list[ComplianceEvent] = field(default_factory=list)
    #: The other products recalled in the same recall event (FDA lists a recall per product).
    products: list[ComplianceEvent] = field(default_factory=list)
    also_listed: ComplianceEvent | None = None  # the same warning letter in FDA's listing (by company name)
    open: bool = False

    @property
    def date(self) -> dt.date | None:
        return self.event.occurred_on

    @property
    def closed_on(self) -> dt.date | None:
        return self.event.closed_on or (self.also_listed.closed_on if self.also_listed else None)

    @property
    def product_count(self) -> int:
        return 1 + len(self.products)


@dataclass
class ComplianceRecord:
    """A site's FDA compliance record as of ``today``: its events (newest first) arranged as a timeline."""

    today: dt.date
    entries: list[TimelineEntry]

    @property
    def empty(self) -> bool:
        return not self.entries

    @property
    def events(self) -> list[ComplianceEvent]:
        out: list[ComplianceEvent] = []
        for entry in self.entries:
            out.append(entry.event)
            out.extend(entry.citations)
            out.extend(entry.products)
        return out

    def _site_events(self, kind: str) -> list[ComplianceEvent]:
        return [e.event for e in self.entries if e.event.kind == kind and not e.organisation_wide]

    @property
    def inspections(self) -> list[ComplianceEvent]:
        return self._site_events(ComplianceKind.INSPECTION)

    @property
    def latest_inspection_on(self) -> dt.date | None:
        dates = [e.occurred_on for e in self.inspections if e.occurred_on]
        return max(dates) if dates else None

    @property
    def latest_classification(self) -> str:
        """The latest inspection's outcome (the worst of its project areas that day), or ""."""
        day = self.latest_inspection_on
        return worst_outcome(e.classification for e in self.inspections if e.occurred_on == day)

    @property
    def latest_classification_name(self) -> str:
        return OUTCOME_NAMES.get(self.latest_classification, "")

    @property
    def open_actions(self) -> list[TimelineEntry]:
        return [e for e in self.entries if e.open]

    def recent(self, kind: str, *, classification: str = "", years: int = RECENT_YEARS) -> list[TimelineEntry]:
        """Entries of ``kind`` (and ``classification``) dated within ``years`` of today, the site's and
        its organisation's by name alike."""
        since = years_before(self.today, years)
        return [
            e
            for e in self.entries
            if e.event.kind == kind
            and e.date is not None
            and e.date >= since
            and (not classification or e.event.classification == classification)
        ]

    @property
    def facts(self) -> ComplianceFacts:
        """What the directory indexes for this site: from its own (FEI) events, not organisation-wide ones."""
        facts = ComplianceFacts()
        for entry in self.entries:
            if not entry.organisation_wide:
                facts.add(entry.event.kind, entry.event.classification, entry.event.occurred_on)
        return facts

    @property
    def counts(self) -> dict[str, int]:
        """How many events of each kind are on record (citations counted one by one)."""
        counts: dict[str, int] = defaultdict(int)
        for event in self.events:
            counts[event.kind] += 1
        return dict(counts)


def _same_letter(at_site: ComplianceEvent, listed: ComplianceEvent) -> bool:
    if at_site.occurred_on is None or listed.occurred_on is None:
        return False
    return abs((at_site.occurred_on - listed.occurred_on).days) <= SAME_LETTER_DAYS


def _ordered(events: Iterable[ComplianceEvent]) -> list[ComplianceEvent]:
    return sorted(events, key=lambda e: (e.occurred_on is None, -(e.occurred_on or dt.date.min).toordinal(), e.pk))


def _timeline(events: Sequence[ComplianceEvent], *, site_fei: str) -> list[TimelineEntry]:
    """Events as timeline entries: citations under their inspection, the products of one recall event under
    one entry (its gravest class), a listed warning letter merged with
    the Dashboard's record of the same letter (within :data:`SAME_LETTER_DAYS`), organisation-wide ones marked."""
    inspections: dict[str, TimelineEntry] = {}
    entries: list[TimelineEntry] = []
    citations: dict[str, list[ComplianceEvent]] = defaultdict(list)
    letters: list[TimelineEntry] = []
    listed: list[ComplianceEvent] = []
    recalls: dict[tuple[str, str], TimelineEntry] = {}
    for event in _ordered(events):
        at_site = bool(site_fei) and event.fei == site_fei
        if event.kind == ComplianceKind.CITATION:
            citations[str(event.detail.get("inspection_id", ""))].append(event)
            continue
        if event.kind == ComplianceKind.WARNING_LETTER and not at_site:
            listed.append(event)
            continue
        recall_event = str(event.detail.get("event_id", "")) if event.kind == ComplianceKind.RECALL else ""
        if recall_event and (event.fei, recall_event) in recalls:
            recalls[(event.fei, recall_event)].products.append(event)
            continue
        entry = TimelineEntry(event=event, organisation_wide=not at_site)
        entries.append(entry)
        if recall_event:
            recalls[(event.fei, recall_event)] = entry
        if event.kind == ComplianceKind.INSPECTION:
            inspections.setdefault(str(event.detail.get("inspection_id", "")), entry)
        if event.kind == ComplianceKind.WARNING_LETTER:
            letters.append(entry)
    for event in listed:
        same = next((e for e in letters if e.also_listed is None and _same_letter(e.event, event)), None)
        if same is not None:
            same.also_listed = event
        else:
            entries.append(TimelineEntry(event=event, organisation_wide=True))
    for inspection_id, cited in citations.items():
        home = inspections.get(inspection_id)
        if home is not None:
            home.citations.extend(cited)
        else:  # the citations of an inspection whose classification is not on record
            entries.append(TimelineEntry(event=cited[0], citations=cited[1:]))
    for entry in recalls.values():  # a recall event is as grave as its gravest product, open while any is
        group = [entry.event, *entry.products]
        worst = min(group, key=lambda e: (_RECALL_RANK.get(e.classification, 9), e.pk))
        if worst is not entry.event:
            entry.products = [e for e in group if e is not worst]
            entry.event = worst
        entry.open = any(is_open(e) for e in group)
    for entry in entries:
        if entry.event.kind != ComplianceKind.RECALL:
            entry.open = (
                entry.event.kind != ComplianceKind.CITATION and is_open(entry.event) and entry.closed_on is None
            )
    entries.sort(key=lambda e: (e.date is None, -(e.date or dt.date.min).toordinal(), e.event.pk))
    return entries


def site_compliance_record(*, site: Site, today: dt.date | None = None) -> ComplianceRecord:
    """The site's FDA compliance record as of ``today``: one query.

    Its own events are those with its FEI (none if it has no FEI); its organisation's warning letters
    from FDA's listing (linked by company name) are included as organisation-wide entries, merged
    with the Dashboard's record of the same letter when both are there.
    """
    where = Q(organisation_id=site.organisation_id, fei="")
    if site.fei_key:
        where |= Q(fei=site.fei_key)
    events = list(ComplianceEvent.objects.filter(where))
    return ComplianceRecord(today=today or timezone.localdate(), entries=_timeline(events, site_fei=site.fei_key))


@dataclass
class OrganisationCompliance:
    """An organisation's record: each of its sites' (those with any), and the letters naming it that no
    site's record holds. Figures count each event once, however many of its sites share the FEI."""

    today: dt.date
    sites: list[tuple[Site, ComplianceRecord]]
    organisation_wide: ComplianceRecord

    @property
    def empty(self) -> bool:
        return not self.sites and self.organisation_wide.empty

    @property
    def outcomes(self) -> list[tuple[str, str, int]]:
        """(outcome, name, number of sites whose latest inspection had it), worst first."""
        counts: dict[str, int] = defaultdict(int)
        for _, record in self.sites:
            if record.latest_classification:
                counts[record.latest_classification] += 1
        return [(c, OUTCOME_NAMES[c], counts[c]) for c in OUTCOMES if counts[c]]

    def _distinct(self, entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
        return list({e.event.pk: e for e in entries}.values())

    def recent(self, kind: str, *, classification: str = "", years: int = RECENT_YEARS) -> int:
        """How many records of ``kind`` within ``years``, at its sites and naming it (each counted once)."""
        found = [e for _, r in self.sites for e in r.recent(kind, classification=classification, years=years)]
        found += self.organisation_wide.recent(kind, classification=classification, years=years)
        return len(self._distinct(found))

    @property
    def open_actions(self) -> int:
        found = [e for _, r in self.sites for e in r.open_actions] + self.organisation_wide.open_actions
        return len(self._distinct(found))


def organisation_compliance_summary(
    *, organisation_id: int, sites: Sequence[Site], today: dt.date | None = None
) -> OrganisationCompliance:
    """The compliance record of each of these sites (an organisation's) and of the organisation by name: one query.

    A letter naming the organisation that is the Dashboard's letter to one of its sites is shown with
    that site (as on the site's page); the others are organisation-wide.
    """
    today = today or timezone.localdate()
    feis = sorted({s.fei_key for s in sites if s.fei_key})
    where = Q(organisation_id=organisation_id, fei="")
    if feis:
        where |= Q(fei__in=feis)
    by_fei: dict[str, list[ComplianceEvent]] = defaultdict(list)
    for event in ComplianceEvent.objects.filter(where):
        by_fei[event.fei].append(event)
    named = by_fei.pop("", [])
    records: list[tuple[Site, ComplianceRecord]] = []
    merged: set[int] = set()
    for site in sites:
        if not (site.fei_key and by_fei.get(site.fei_key)):
            continue
        entries = [
            e for e in _timeline([*by_fei[site.fei_key], *named], site_fei=site.fei_key) if not e.organisation_wide
        ]
        merged |= {e.also_listed.pk for e in entries if e.also_listed is not None}
        records.append((site, ComplianceRecord(today=today, entries=entries)))
    wide = ComplianceRecord(today=today, entries=_timeline([e for e in named if e.pk not in merged], site_fei=""))
    return OrganisationCompliance(today=today, sites=records, organisation_wide=wide)


def compliance_event_list(
    *,
    sites: QuerySet[Site] | Sequence[Site],
    kinds: Collection[str] = (),
    since: dt.date | None = None,
    organisation_wide: bool = False,
) -> QuerySet[ComplianceEvent]:
    """Events of ``kinds`` (all when empty) at these sites dated ``since`` or later, newest first — one query.

    ``sites`` may be a queryset (joined in SQL) or loaded sites (their FEIs go into the query). An
    event is at the sites whose ``fei_key`` is its ``fei``; with ``organisation_wide``, the warning
    letters linked to the sites' organisations by company name are included too.
    """
    if isinstance(sites, QuerySet):
        feis: object = sites.exclude(fei_key="").values("fei_key")
        organisations: object = sites.values("organisation_id")
    else:
        feis = sorted({s.fei_key for s in sites if s.fei_key})
        organisations = sorted({s.organisation_id for s in sites})
    where = Q(fei__in=feis)
    if organisation_wide:
        where |= Q(fei="", organisation_id__in=organisations)
    events = ComplianceEvent.objects.filter(where)
    if kinds:
        events = events.filter(kind__in=list(kinds))
    if since is not None:
        events = events.filter(occurred_on__gte=since)
    return events.order_by("-occurred_on", "kind", "pk")


@dataclass
class ComplianceFacts:
    """What the directory indexes about one FEI or organisation: dates and outcomes, never "recent" itself."""

    latest_inspection_on: dt.date | None = None
    latest_outcome: str = ""
    warning_letter_on: dt.date | None = None
    recall_class1_on: dt.date | None = None

    def add(self, kind: str, classification: str, day: dt.date | None) -> None:
        if day is None:
            return
        if kind == ComplianceKind.INSPECTION:
            if self.latest_inspection_on is None or day > self.latest_inspection_on:
                self.latest_inspection_on, self.latest_outcome = day, classification
            elif day == self.latest_inspection_on:
                self.latest_outcome = worst_outcome((self.latest_outcome, classification))
        elif kind == ComplianceKind.WARNING_LETTER:
            self.warning_letter_on = max(day, self.warning_letter_on or day)
        elif kind == ComplianceKind.RECALL and classification == "Class I":
            self.recall_class1_on = max(day, self.recall_class1_on or day)


_FACT_KINDS = (ComplianceKind.INSPECTION, ComplianceKind.WARNING_LETTER, ComplianceKind.RECALL)


def compliance_facts(
    *, feis: Collection[str] | None, organisation_ids: Collection[int] | None
) -> tuple[dict[str, ComplianceFacts], dict[int, ComplianceFacts]]:
    """Facts per FEI key, and per organisation for records linked by name; all of them when the arguments are None.

    Reads only (fei, organisation, kind, classification, date) of inspections, warning letters and
    recalls, a few hundred keys per query.
    """
    by_fei: dict[str, ComplianceFacts] = defaultdict(ComplianceFacts)
    by_org: dict[int, ComplianceFacts] = defaultdict(ComplianceFacts)
    base = ComplianceEvent.objects.filter(kind__in=_FACT_KINDS).order_by()
    columns = ("fei", "organisation_id", "kind", "classification", "occurred_on")
    queries: list[QuerySet[ComplianceEvent]] = []
    if feis is None and organisation_ids is None:
        queries.append(base)
    else:
        keys = sorted(k for k in feis or () if k)
        orgs = sorted(organisation_ids or ())
        queries += [base.filter(fei__in=keys[i : i + 500]) for i in range(0, len(keys), 500)]
        queries += [base.filter(fei="", organisation_id__in=orgs[i : i + 500]) for i in range(0, len(orgs), 500)]
    for query in queries:
        for fei, org_id, kind, classification, day in query.values_list(*columns):
            if fei:
                by_fei[fei].add(kind, classification, day)
            elif org_id is not None:
                by_org[org_id].add(kind, classification, day)
    return dict(by_fei), dict(by_org)

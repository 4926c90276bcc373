"""Reads of the compliance record: a site's timeline, an organisation's summary, events by site and date.

On the real excerpts: the DECRS sample and the six FDA compliance fixtures. Specialty Process Labs
(FEI 3017888878, one site) has three OAI inspections, a warning letter the Dashboard dates
2022-05-04 and FDA's listing 2022-05-03, and recalls; LNK International's nine sites share one FEI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxo.core.models import Organisation
from cxo.registry.compliance import (
    compliance_event_list,
    compliance_facts,
    organisation_compliance_summary,
    site_compliance_record,
    years_before,
)
from cxo.registry.models import ComplianceEvent, Site

TODAY = dt.date(2026, 12, 1)


def specialty() -> Site:
    return Site.objects.get(fei_key="3017888878")


def test_a_sites_record_is_a_dated_timeline_with_its_latest_outcome(
    compliance_registry: None, django_assert_num_queries: Any
) -> None:
    site = specialty()
    with django_assert_num_queries(1):
        found = site_compliance_record(site=site, today=TODAY)
    dates = [e.date for e in found.entries if e.date is not None]
    assert dates == sorted(dates, reverse=True) and len(dates) == len(found.entries)
    assert [e.event.occurred_on for e in found.entries if e.event.kind == "inspection"] == [
        dt.date(2025, 7, 29),
        dt.date(2024, 1, 26),
        dt.date(2021, 11, 19),
    ]
    assert (found.latest_classification, found.latest_inspection_on) == ("OAI", dt.date(2025, 7, 29))
    assert found.counts["recall"] == ComplianceEvent.objects.filter(kind="recall", fei="3017888878").count() > 0


def test_the_listed_warning_letter_merges_with_the_dashboards_and_counts_once(compliance_registry: None) -> None:
    found = site_compliance_record(site=specialty(), today=TODAY)
    letters = [e for e in found.entries if e.event.kind == "warning_letter"]
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.event.source, letter.event.occurred_on, letter.organisation_wide) == (
        "fda-actions",
        dt.date(2022, 5, 4),
        False,
    )
    assert letter.also_listed is not None and letter.also_listed.occurred_on == dt.date(2022, 5, 3)
    assert letter.also_listed.title == "CGMP/Active Pharmaceutical Ingredient (API)/Adulterated"
    assert len(found.recent("warning_letter")) == 1  # within five years of 1 December 2026
    assert found.recent("warning_letter", years=4) == []


def test_open_actions_are_what_the_sources_say_is_open(compliance_registry: None) -> None:
    found = site_compliance_record(site=specialty(), today=TODAY)
    open_ = found.open_actions
    assert open_ and all(e.event.kind in ("recall", "warning_letter") for e in open_)
    for entry in open_:
        if entry.event.kind == "recall":  # an event is open while any of its products' recall is ongoing
            assert "Ongoing" in {e.status for e in (entry.event, *entry.products)}
        else:
            assert entry.closed_on is None
    ongoing = ComplianceEvent.objects.filter(fei="3017888878", kind="recall", status="Ongoing")
    assert sum(e.event.kind == "recall" for e in open_) == len({e.detail["event_id"] for e in ongoing}) == 1


def test_citations_sit_under_their_inspection(compliance_registry: None) -> None:
    site = Site.objects.filter(fei_key="2432212").first()
    assert site is not None
    found = site_compliance_record(site=site, today=TODAY)
    cited = [e for e in found.entries if e.citations]
    assert cited
    for entry in cited:
        ids = {c.detail["inspection_id"] for c in entry.citations}
        if entry.event.kind == "inspection":
            assert ids == {entry.event.detail["inspection_id"]}
    assert sum(len(e.citations) + (e.event.kind == "citation") for e in found.entries) == (
        ComplianceEvent.objects.filter(fei="2432212", kind="citation").count()
    )


def test_sites_sharing_an_fei_share_its_record_and_names_reach_the_organisation(compliance_registry: None) -> None:
    lnk = list(Site.objects.filter(fei_key="2432212"))
    assert len(lnk) == 9
    records = [site_compliance_record(site=s, today=TODAY) for s in lnk]
    assert len({tuple(e.event.pk for e in r.entries) for r in records}) == 1
    organisation = Organisation.objects.get(pk=lnk[0].organisation_id)
    summary = organisation_compliance_summary(organisation_id=organisation.pk, sites=lnk, today=TODAY)
    assert len(summary.sites) == 9 and summary.outcomes == [("VAI", "Voluntary action indicated", 9)]
    listed = ComplianceEvent.objects.filter(organisation=organisation, source="fda-warning-letters")
    assert listed.count() == 1  # FDA's listing names LNK: linked by company name
    assert summary.recent("warning_letter", years=10) == 1  # the same letter at nine sites and by name: once
    assert summary.organisation_wide.empty  # it is the Dashboard's letter to the shared FEI


def test_events_of_kinds_at_sites_since_a_date_in_one_query(
    compliance_registry: None, django_assert_num_queries: Any
) -> None:
    since = years_before(TODAY, 5)
    sites = Site.objects.filter(fei_key__in=["3017888878", "3004083931"])
    with django_assert_num_queries(1):
        found = list(compliance_event_list(sites=sites, kinds=["inspection", "warning_letter"], since=since))
    expected = ComplianceEvent.objects.filter(
        fei__in=["3017888878", "3004083931"], kind__in=["inspection", "warning_letter"], occurred_on__gte=since
    )
    assert {e.pk for e in found} == set(expected.values_list("pk", flat=True)) and found
    days = [e.occurred_on for e in found if e.occurred_on is not None]
    assert days == sorted(days, reverse=True) and len(days) == len(found)
    loaded = list(sites)
    with django_assert_num_queries(1):
        same = list(compliance_event_list(sites=loaded, kinds=["inspection", "warning_letter"], since=since))
    assert [e.pk for e in same] == [e.pk for e in found]
    with_names = compliance_event_list(sites=loaded, kinds=["warning_letter"], organisation_wide=True)
    assert with_names.filter(source="fda-warning-letters").exists()
    assert not compliance_event_list(sites=loaded, kinds=["warning_letter"]).filter(source="fda-warning-letters")


def test_facts_are_dates_and_outcomes_for_the_index(compliance_registry: None) -> None:
    by_fei, by_org = compliance_facts(feis=["3017888878"], organisation_ids=None)
    facts = by_fei["3017888878"]
    assert (facts.latest_outcome, facts.latest_inspection_on, facts.warning_letter_on) == (
        "OAI",
        dt.date(2025, 7, 29),
        dt.date(2022, 5, 4),
    )
    every_fei, every_org = compliance_facts(feis=None, organisation_ids=None)
    assert every_fei["3017888878"] == facts and every_org  # the listing's letters, by organisation
    assert by_org == {}


def test_a_site_without_an_fei_has_no_record_but_sees_letters_naming_its_company(compliance_registry: None) -> None:
    site = Site.objects.filter(fei_key="").first()
    assert site is not None
    found = site_compliance_record(site=site, today=TODAY)
    assert all(e.organisation_wide for e in found.entries)
    assert found.latest_classification == "" and found.facts.latest_outcome == ""

"""The watch on FDA's real records: the registry's excerpts of the DECRS file and of the Data Dashboard's
inspection classifications and compliance actions (real rows, copied byte for byte: see
``cxo/registry/tests/fixtures/README.md``), imported with the registry's own importers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from cxo.core.models import AuditEvent, Organisation, User
from cxo.quality.models import Qualification, QualificationStatus
from cxo.registry.compliance import compliance_event_list
from cxo.registry.importers import importer_for, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import ComplianceEvent, ComplianceKind, Site, Term
from cxo.registry.taxonomy import taxonomy_load
from cxo.testing.quality import approved

FIXTURES = Path(__file__).resolve().parents[2] / "registry" / "tests" / "fixtures"
K = ComplianceKind
S = QualificationStatus


@pytest.fixture
def real_records(db: None) -> None:
    taxonomy_load()
    registry_import(actor=None, importer=DecrsImporter(), path=FIXTURES / "decrs_sample.csv")
    for source, name in (("fda-inspections", "fda_inspections.csv"), ("fda-actions", "fda_actions.csv")):
        registry_import(actor=None, importer=importer_for(source), path=FIXTURES / name)


def _sites_with_records() -> tuple[Site, ComplianceEvent, Site]:
    """A DECRS site with a real OAI inspection or warning letter, that record, and a site whose every record is NAI."""
    sites = list(Site.objects.exclude(fei_key="").order_by("pk"))
    events = list(compliance_event_list(sites=sites, kinds=(K.INSPECTION, K.WARNING_LETTER, K.ACTION, K.RECALL)))
    by_fei: dict[str, list[ComplianceEvent]] = {}
    for e in events:
        by_fei.setdefault(e.fei, []).append(e)
    site_of = {s.fei_key: s for s in sites}
    flagged = next(  # the newest such record (the list is newest first), so an approval the day before still holds
        (site_of[e.fei], e)
        for e in events
        if e.fei in site_of and ((e.kind == K.INSPECTION and e.classification == "OAI") or e.kind == K.WARNING_LETTER)
    )
    clean = next(
        s
        for s in sites
        if by_fei.get(s.fei_key)
        and all(e.kind == K.INSPECTION and e.classification == "NAI" for e in by_fei[s.fei_key])
    )
    return flagged[0], flagged[1], clean


def test_an_oai_inspection_or_warning_letter_after_the_approval_puts_it_under_review(
    real_records: None, sponsor: Organisation, sponsor_user: User
) -> None:
    flagged, record, clean = _sites_with_records()
    service = Term.objects.get(code="svc.mfg.drug_product")
    assert record.occurred_on is not None
    occurred_on = record.occurred_on
    watched = approved(
        actor=sponsor_user,
        organisation=sponsor,
        site=flagged,
        service=service,
        today=occurred_on - dt.timedelta(days=1),
    )
    steady = approved(actor=sponsor_user, organisation=sponsor, site=clean, service=service)

    out = io.StringIO()
    call_command("quality", "watch", stdout=out)
    watched.refresh_from_db()
    steady.refresh_from_db()
    assert (watched.status, steady.status) == (S.UNDER_REVIEW, S.APPROVED)
    named = [e for e in watched.review_evidence if e["source_ref"] == record.source_ref]
    assert len(named) == 1 and named[0]["occurred_on"] == occurred_on.isoformat()
    event = AuditEvent.objects.for_organisation(sponsor).get(
        action="qualification.under_review", object_id=str(watched.pk)
    )
    assert named[0]["label"] in event.changes["evidence"][1]
    assert f"under review: {sponsor.name} · {flagged.name}" in out.getvalue()
    assert named[0]["label"] in out.getvalue()

    trail = AuditEvent.objects.for_organisation(sponsor).count()
    statuses = dict(Qualification.objects.for_organisation(sponsor).values_list("pk", "status"))
    again = io.StringIO()
    call_command("quality", "watch", stdout=again)
    assert "0 put under review, 0 expired" in again.getvalue()
    assert AuditEvent.objects.for_organisation(sponsor).count() == trail
    assert dict(Qualification.objects.for_organisation(sponsor).values_list("pk", "status")) == statuses


def test_the_same_record_dated_before_the_approval_changes_nothing(
    real_records: None, sponsor: Organisation, sponsor_user: User
) -> None:
    flagged, _, _ = _sites_with_records()
    service = Term.objects.get(code="svc.mfg.drug_product")
    q = approved(actor=sponsor_user, organisation=sponsor, site=flagged, service=service)  # approved today, knowing it
    call_command("quality", "watch", stdout=io.StringIO())
    q.refresh_from_db()
    assert q.status == S.APPROVED

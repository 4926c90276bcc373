"""The watch: approved qualifications follow the public record, expire, and remind of agreements; nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cxo.core.models import AuditEvent, Notification, Organisation, User
from cxo.quality.models import Audit, AuditKind, FindingClass, Qualification, QualificationStatus
from cxo.quality.services.audit import audit_conduct, audit_plan, audit_report_issue, audit_schedule, finding_add
from cxo.quality.services.qualification import qualification_decide
from cxo.quality.watch import quality_watch
from cxo.registry.models import ComplianceKind, ImportRun, Site, Term
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.quality import approved, compliance_event, provider_site
from cxo.testing.registry_factories import ImportRunFactory

S = QualificationStatus
K = ComplianceKind
TODAY = timezone.localdate()
APPROVED_ON = TODAY - dt.timedelta(days=100)


@pytest.fixture
def qualification(
    sponsor: Organisation, sponsor_user: User, teammate: User, site: Site, terms: dict[str, Term]
) -> Qualification:
    return approved(
        actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"], today=APPROVED_ON
    )


def _status(q: Qualification) -> str:
    q.refresh_from_db()
    return q.status


def test_an_oai_inspection_after_the_approval_puts_it_under_review_once(
    qualification: Qualification, site: Site, teammate: User
) -> None:
    compliance_event(
        site, kind=K.INSPECTION, classification="OAI", occurred_on=TODAY - dt.timedelta(days=20), source_ref="4711"
    )
    result = quality_watch()
    assert [q.pk for q, _ in result.reviewed] == [qualification.pk]
    assert _status(qualification) == S.UNDER_REVIEW
    [evidence] = qualification.review_evidence
    assert evidence["label"].startswith("OAI inspection") and evidence["source_ref"] == "4711"
    event = AuditEvent.objects.for_organisation(qualification.organisation).get(action="qualification.under_review")
    assert event.actor_label == "quality watch"
    assert event.changes["evidence"] == [None, [evidence["label"]]]
    assert "OAI inspection" in event.reason
    [note] = Notification.objects.for_user(teammate).filter(title__startswith="Under review")
    assert "A for-cause audit (AUD-" in note.body
    proposed = Audit.objects.for_organisation(qualification.organisation).get(qualification=qualification)
    assert (proposed.kind, proposed.proposed_by_watch, proposed.status) == (AuditKind.FOR_CAUSE, True, "planned")

    trail = AuditEvent.objects.for_organisation(qualification.organisation).count()
    again = quality_watch()
    assert again.reviewed == [] and again.expired == []
    assert AuditEvent.objects.for_organisation(qualification.organisation).count() == trail


def test_records_before_the_approval_and_mild_ones_change_nothing(qualification: Qualification, site: Site) -> None:
    compliance_event(site, kind=K.INSPECTION, classification="OAI", occurred_on=APPROVED_ON - dt.timedelta(days=1))
    compliance_event(site, kind=K.INSPECTION, classification="VAI", occurred_on=TODAY - dt.timedelta(days=5))
    compliance_event(
        site, kind=K.RECALL, classification="Class II", occurred_on=TODAY - dt.timedelta(days=5), source="fda-recalls"
    )
    compliance_event(site, kind=K.CITATION, occurred_on=TODAY - dt.timedelta(days=5), source="fda-citations")
    assert quality_watch().reviewed == []
    assert _status(qualification) == S.APPROVED


@pytest.mark.parametrize(
    ("kind", "classification", "label"),
    [
        (K.WARNING_LETTER, "", "Warning letter"),
        (K.RECALL, "Class I", "Class I recall"),
        (K.ACTION, "", "Compliance action"),
    ],
)
def test_a_warning_letter_action_or_class_i_recall_triggers(
    qualification: Qualification, site: Site, kind: str, classification: str, label: str
) -> None:
    compliance_event(
        site, kind=kind, classification=classification, occurred_on=TODAY - dt.timedelta(days=3), source="fda-actions"
    )
    quality_watch()
    assert _status(qualification) == S.UNDER_REVIEW
    assert qualification.review_evidence[0]["label"].startswith(label)


def test_another_sites_record_does_not_move_this_one(qualification: Qualification, provider: Organisation) -> None:
    elsewhere = provider_site(provider, name="Other plant", fei="9990001")
    compliance_event(elsewhere, kind=K.WARNING_LETTER, occurred_on=TODAY, source="fda-actions")
    quality_watch()
    assert _status(qualification) == S.APPROVED


def test_re_approval_after_a_review_sticks(qualification: Qualification, site: Site, sponsor_user: User) -> None:
    compliance_event(site, kind=K.INSPECTION, classification="OAI", occurred_on=TODAY - dt.timedelta(days=20))
    quality_watch()
    qualification_decide(
        actor=sponsor_user,
        qualification=qualification,
        decision=S.APPROVED,
        reason="For-cause audit found the OAI items closed.",
        password=TEST_PASSWORD,
    )
    assert quality_watch().reviewed == []
    assert _status(qualification) == S.APPROVED


def test_an_expired_registration_triggers_where_the_service_expects_one(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, terms: dict[str, Term]
) -> None:
    provider_site(provider, name="Current", fei="5550001")  # the newest DECRS file is still valid
    lapsed = provider_site(provider, name="Lapsed", fei="5550002", expiry=TODAY - dt.timedelta(days=30))
    manufacture = approved(actor=sponsor_user, organisation=sponsor, site=lapsed, service=terms["svc.mfg.drug_product"])
    clinical = approved(actor=sponsor_user, organisation=sponsor, site=lapsed, service=terms["svc.clinical"])
    quality_watch()
    assert (_status(manufacture), _status(clinical)) == (S.UNDER_REVIEW, S.APPROVED)
    assert manufacture.review_evidence[0]["kind"] == "registration"
    assert "Registration expired on" in manufacture.review_evidence[0]["label"]


def test_when_the_newest_registration_file_is_itself_out_of_date_nobody_is_flagged(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, terms: dict[str, Term]
) -> None:
    old = provider_site(provider, name="Listed in FY2025", fei="5550003", expiry=TODAY - dt.timedelta(days=30))
    q = approved(actor=sponsor_user, organisation=sponsor, site=old, service=terms["svc.mfg.drug_product"])
    quality_watch()
    assert _status(q) == S.APPROVED


def test_an_approval_past_its_validity_expires(qualification: Qualification) -> None:
    assert qualification.valid_until is not None
    later = qualification.valid_until + dt.timedelta(days=1)
    result = quality_watch(today=later)
    assert [q.pk for q in result.expired] == [qualification.pk]
    assert _status(qualification) == S.EXPIRED
    assert qualification.events.order_by("-at", "-pk")[0].actor_label == "quality watch"


def test_a_critical_finding_open_beyond_its_due_date_triggers(
    qualification: Qualification, sponsor_user: User, site: Site, terms: dict[str, Term]
) -> None:
    audit = audit_plan(
        actor=sponsor_user, organisation=qualification.organisation, site=site, services=[terms["svc.mfg.drug_product"]]
    )
    audit = audit_schedule(actor=sponsor_user, audit=audit, starts_on=TODAY, ends_on=TODAY, lead_auditor=sponsor_user)
    audit = audit_conduct(actor=sponsor_user, audit=audit, conducted_on=TODAY)
    finding_add(
        actor=sponsor_user,
        audit=audit,
        classification=FindingClass.CRITICAL,
        title="Media fills failed",
        description="Two of three media fills were positive.",
        clause="21 CFR 211.113(b)",
    )
    audit_report_issue(actor=sponsor_user, audit=audit, summary="Critical finding.")
    assert quality_watch().reviewed == []  # not yet due (15 days)
    quality_watch(today=TODAY + dt.timedelta(days=16))
    assert _status(qualification) == S.UNDER_REVIEW
    assert qualification.review_evidence[0]["label"].startswith(f"Critical finding {audit.reference}-F1")


def test_a_compliance_import_runs_the_watch_for_the_sites_it_touched(
    qualification: Qualification, site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    run: ImportRun = ImportRunFactory.create(source="fda-inspections", status=ImportRun.Status.RUNNING)
    event = compliance_event(site, kind=K.INSPECTION, classification="OAI", occurred_on=TODAY - dt.timedelta(days=2))
    event.import_run = run
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        run.status = ImportRun.Status.SUCCEEDED
        run.save()
    assert _status(qualification) == S.UNDER_REVIEW

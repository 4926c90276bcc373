"""Audits from plan to report, findings addressed to the provider, and CAPAs answered by it and closed, e-signed."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Notification, Organisation, User
from cxo.core.signatures import signature_matches
from cxo.quality.content import checklist_templates
from cxo.quality.models import ActionKind, Audit, AuditKind, AuditStatus, Capa, CapaStatus, ChecklistResult, Finding
from cxo.quality.selectors.capas import capa_overdue, provider_capa_get, provider_finding_list
from cxo.quality.services.audit import (
    ItemResult,
    audit_cancel,
    audit_checklist_record,
    audit_close,
    audit_conduct,
    audit_plan,
    audit_report_issue,
    audit_schedule,
    finding_add,
)
from cxo.quality.services.capa import (
    ActionData,
    EvidenceFile,
    capa_action_complete,
    capa_assess,
    capa_close,
    capa_content,
    capa_effectiveness,
    capa_propose,
)
from cxo.registry.models import Site, Term
from cxo.testing.factories import TEST_PASSWORD

TODAY = timezone.localdate


@pytest.fixture
def audit(sponsor: Organisation, sponsor_user: User, site: Site, terms: dict[str, Term]) -> Audit:
    return audit_plan(
        actor=sponsor_user, organisation=sponsor, site=site, services=[terms["svc.mfg.api"]], kind=AuditKind.ROUTINE
    )


@pytest.fixture
def conducted(audit: Audit, sponsor_user: User) -> Audit:
    start = TODAY() - dt.timedelta(days=3)
    audit = audit_schedule(
        actor=sponsor_user,
        audit=audit,
        starts_on=start,
        ends_on=start + dt.timedelta(days=1),
        lead_auditor=sponsor_user,
    )
    return audit_conduct(actor=sponsor_user, audit=audit, conducted_on=start + dt.timedelta(days=1))


@pytest.fixture
def capa(conducted: Audit, sponsor_user: User) -> Capa:
    finding_add(
        actor=sponsor_user,
        audit=conducted,
        classification="major",
        title="Cleaning validation incomplete",
        description="Reactor R-3 changeover cleaning has no validated residue limit.",
        clause="ICH Q7 5.2",
    )
    audit_report_issue(actor=sponsor_user, audit=conducted, summary="One major finding.")
    return Capa.objects.for_organisation(conducted.organisation).get(finding__audit=conducted)


def _propose(capa: Capa, actor: User) -> Capa:
    return capa_propose(
        actor=actor,
        capa=capa,
        root_cause="No residue limit was set when R-3 was added in 2024.",
        actions=[
            ActionData(ActionKind.CORRECTIVE, "Validate cleaning of R-3", TODAY() + dt.timedelta(days=30), "QA lead"),
            ActionData(
                ActionKind.PREVENTIVE,
                "Add cleaning validation to equipment change control",
                TODAY() + dt.timedelta(days=60),
            ),
        ],
    )


def test_a_planned_audit_copies_its_checklist_from_the_template_the_service_names(audit: Audit) -> None:
    template = checklist_templates()["ich_q7_api"]  # API manufacture → ICH Q7
    assert audit.checklist == "ich_q7_api"
    assert audit.reference == f"AUD-{TODAY().year}-001"
    items = list(audit.checklist_items.all())
    assert len(items) == len(template.items)
    assert (items[0].clause, items[0].section) == ("ICH Q7 2.2", "2. Quality management")
    assert {i.result for i in items} == {ChecklistResult.NOT_ASSESSED}


def test_an_audit_moves_only_forward(audit: Audit, sponsor_user: User) -> None:
    with pytest.raises(Conflict, match=r"“planned” cannot become “report issued”\. Record it as conducted first"):
        audit_report_issue(actor=sponsor_user, audit=audit, summary="x")
    with pytest.raises(ServiceError, match="cannot end before it starts"):
        audit_schedule(
            actor=sponsor_user,
            audit=audit,
            starts_on=TODAY(),
            ends_on=TODAY() - dt.timedelta(days=1),
            lead_auditor=sponsor_user,
        )
    audit = audit_schedule(
        actor=sponsor_user, audit=audit, starts_on=TODAY(), ends_on=TODAY(), lead_auditor=sponsor_user
    )
    with pytest.raises(ServiceError, match="future day"):
        audit_conduct(actor=sponsor_user, audit=audit, conducted_on=TODAY() + dt.timedelta(days=1))
    assert (
        audit_cancel(actor=sponsor_user, audit=audit, reason="Site closed for refit.").status == AuditStatus.CANCELLED
    )


def test_auditors_are_members_of_the_sponsor(audit: Audit, sponsor_user: User, provider_user: User) -> None:
    with pytest.raises(ServiceError, match="Auditors must be members of Alpha Biotech: priya"):
        audit_schedule(
            actor=sponsor_user,
            audit=audit,
            starts_on=TODAY(),
            ends_on=TODAY(),
            lead_auditor=sponsor_user,
            auditors=[provider_user],
        )


def test_observations_and_findings_are_recorded_until_the_report(conducted: Audit, sponsor_user: User) -> None:
    item = conducted.checklist_items.get(clause="ICH Q7 11.1")
    audit_checklist_record(
        actor=sponsor_user,
        audit=conducted,
        results=[ItemResult(item.pk, ChecklistResult.OBSERVATION, "OOS SOP v3 in use")],
    )
    finding = finding_add(
        actor=sponsor_user,
        audit=conducted,
        classification="critical",
        title="OOS results invalidated without investigation",
        description="Two assay OOS results were retested without a phase I investigation.",
        clause="",
        checklist_item_id=item.pk,
    )
    item.refresh_from_db()
    assert (finding.number, finding.clause, item.result) == (1, "ICH Q7 11.1", ChecklistResult.DEFICIENCY)
    with pytest.raises(ServiceError, match="critical, major or minor"):
        finding_add(
            actor=sponsor_user, audit=conducted, classification="severe", title="t", description="d", clause="c"
        )
    audit_report_issue(actor=sponsor_user, audit=conducted, summary="One critical finding.")
    with pytest.raises(Conflict, match="cannot add a finding"):
        finding_add(actor=sponsor_user, audit=conducted, classification="minor", title="t", description="d", clause="c")


def test_issuing_the_report_addresses_the_findings_to_the_provider(
    conducted: Audit,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
    provider_b: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        finding_add(
            actor=sponsor_user,
            audit=conducted,
            classification="major",
            title="Cleaning validation incomplete",
            description="Reactor R-3 changeover cleaning has no validated residue limit.",
            clause="ICH Q7 5.2",
        )
        audit_report_issue(actor=sponsor_user, audit=conducted, summary="One major finding.")
    capa = Capa.objects.for_organisation(conducted.organisation).get(finding__audit=conducted)
    finding = capa.finding
    assert capa.status == CapaStatus.AWAITING
    assert finding.issued_at is not None
    assert finding.response_due == TODAY() + dt.timedelta(days=30)  # the default for a major finding
    [note] = Notification.objects.for_user(provider_user)
    assert note.title == "Alpha Biotech: 1 audit finding to answer"
    assert mail.outbox[-1].to == ["priya@example.test"]
    [seen] = provider_finding_list(provider=provider)
    assert (seen.sponsor, seen.title, seen.clause, seen.classification) == (
        "Alpha Biotech",
        "Cleaning validation incomplete",
        "ICH Q7 5.2",
        "major",
    )
    assert provider_finding_list(provider=provider_b) == []
    assert AuditEvent.objects.for_organisation(provider).filter(action="finding.addressed").count() == 1


def test_a_finding_is_not_the_providers_before_the_report_is_issued(
    conducted: Audit, sponsor_user: User, provider: Organisation
) -> None:
    finding_add(actor=sponsor_user, audit=conducted, classification="minor", title="t", description="d", clause="c")
    assert not Finding.objects.for_counterparty(provider).exists()
    assert provider_finding_list(provider=provider) == []


def test_the_provider_proposes_the_sponsor_returns_then_accepts(
    capa: Capa, provider_user: User, sponsor_user: User, sponsor: Organisation
) -> None:
    with pytest.raises(ServiceError, match="at least one corrective action"):
        capa_propose(
            actor=provider_user, capa=capa, root_cause="x", actions=[ActionData(ActionKind.PREVENTIVE, "p", TODAY())]
        )
    with pytest.raises(NotFound):
        _propose(capa, sponsor_user)  # the sponsor does not answer its own findings
    capa = _propose(capa, provider_user)
    assert (capa.status, capa.revision, capa.actions.count()) == (CapaStatus.PROPOSED, 1, 2)
    with pytest.raises(ServiceError, match="The comment is required"):
        capa_assess(actor=sponsor_user, capa=capa, accept=False)
    capa = capa_assess(actor=sponsor_user, capa=capa, accept=False, comment="Cover R-4 as well.")
    assert capa.status == CapaStatus.RETURNED
    capa = _propose(capa, provider_user)
    assert (capa.status, capa.revision, capa.actions.count()) == (CapaStatus.PROPOSED, 2, 2)
    capa = capa_assess(actor=sponsor_user, capa=capa, accept=True)
    assert capa.status == CapaStatus.ACCEPTED
    trail = list(
        AuditEvent.objects.for_organisation(sponsor)
        .filter(object_type="quality.capa")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert trail == ["capa.proposed", "capa.returned", "capa.proposed", "capa.accepted"]


def test_closing_a_capa_with_open_actions_is_refused(capa: Capa, provider_user: User, sponsor_user: User) -> None:
    capa = capa_assess(actor=sponsor_user, capa=_propose(capa, provider_user), accept=True)
    with pytest.raises(
        Conflict, match=r"cannot close this CAPA: 2 actions are still open — 1\. Validate cleaning of R-3"
    ):
        capa_close(actor=sponsor_user, capa=capa, password=TEST_PASSWORD)
    capa.refresh_from_db()
    assert capa.status == CapaStatus.ACCEPTED


def test_implementation_evidence_effectiveness_and_signed_closure(
    capa: Capa, provider_user: User, sponsor_user: User, provider: Organisation
) -> None:
    capa = capa_assess(actor=sponsor_user, capa=_propose(capa, provider_user), accept=True)
    first, second = capa.actions.all()
    with pytest.raises(ServiceError, match="Attach the evidence"):
        capa_action_complete(actor=provider_user, action=first, completed_on=TODAY(), note="done", documents=[])
    report = b"Cleaning validation report CV-R3-01, approved.\n"
    capa_action_complete(
        actor=provider_user,
        action=first,
        completed_on=TODAY(),
        note="Validated",
        documents=[EvidenceFile("cv.txt", report)],
    )
    capa_action_complete(
        actor=provider_user,
        action=second,
        completed_on=TODAY(),
        note="SOP updated",
        documents=[EvidenceFile("sop.txt", b"SOP-EQ-7 v4")],
    )
    [evidence, _] = capa.evidence.all()
    assert (evidence.sha256, evidence.size) == (hashlib.sha256(report).hexdigest(), len(report))
    with pytest.raises(
        Conflict, match=r"“accepted, being implemented” cannot become “closed”\. Verify its effectiveness first"
    ):
        capa_close(actor=sponsor_user, capa=capa, password=TEST_PASSWORD)
    capa = capa_effectiveness(
        actor=sponsor_user, capa=capa, effective=True, notes="Three changeovers passed swab limits."
    )
    with pytest.raises(NotPermitted, match="password is not correct"):
        capa_close(actor=sponsor_user, capa=capa, password="wrong")
    capa = capa_close(actor=sponsor_user, capa=capa, password=TEST_PASSWORD)
    assert capa.status == CapaStatus.CLOSED
    signature = capa.closure_signature
    assert signature is not None and signature.meaning == "CAPA verified effective and closed"
    assert signature_matches(signature=signature, content=capa_content(capa))
    capa.finding.refresh_from_db()
    assert capa.finding.closed_at is not None
    assert provider_capa_get(provider=provider, capa_id=capa.pk).capa.status == CapaStatus.CLOSED


def test_an_ineffective_capa_goes_back_to_the_provider_keeping_what_was_done(
    capa: Capa, provider_user: User, sponsor_user: User
) -> None:
    capa = capa_assess(actor=sponsor_user, capa=_propose(capa, provider_user), accept=True)
    for action in capa.actions.all():
        capa_action_complete(
            actor=provider_user, action=action, completed_on=TODAY(), note="", documents=[EvidenceFile("e.txt", b"x")]
        )
    capa = capa_effectiveness(
        actor=sponsor_user, capa=capa, effective=False, notes="Residues failed on the next changeover."
    )
    assert capa.status == CapaStatus.RETURNED
    capa = capa_propose(
        actor=provider_user,
        capa=capa,
        root_cause="Swab recovery was not validated.",
        actions=[ActionData(ActionKind.CORRECTIVE, "Validate swab recovery", TODAY() + dt.timedelta(days=20))],
    )
    assert [a.is_open for a in capa.actions.all()] == [False, False, True]


def test_overdue_capas_are_flagged(capa: Capa) -> None:
    assert not capa_overdue(capa)
    assert capa_overdue(capa, today=TODAY() + dt.timedelta(days=31))


def test_the_audit_closes_once_its_capas_are_closed(capa: Capa, sponsor_user: User) -> None:
    audit = capa.finding.audit
    with pytest.raises(Conflict, match="1 CAPA is still open"):
        audit_close(actor=sponsor_user, audit=audit)

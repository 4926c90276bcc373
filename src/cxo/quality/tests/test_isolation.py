"""Who sees what of the quality records, beyond the walk's outsider: two sponsors audit the same provider and both
get a copy of its change notification; a second provider is audited by the first sponsor. The provider sees the
findings addressed to it and the decisions on its own notifications, never a sponsor's list, audits or notes; a
sponsor never reaches another sponsor's copy."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from conftest import login_client
from django.test import Client
from django.utils import timezone

from cxo.core import services as core_services
from cxo.core.models import Organisation, User
from cxo.core.roles import OrganisationType
from cxo.quality.models import Capa, ChangeAssessment, ChangeDecision, FindingClass
from cxo.quality.services.audit import (
    audit_conduct,
    audit_plan,
    audit_report_issue,
    audit_schedule,
    finding_add,
)
from cxo.quality.services.change import change_assess, change_decide, change_notify
from cxo.quality.services.qualification import qualification_create
from cxo.registry.models import Site, Term
from cxo.testing.factories import UserFactory
from cxo.testing.quality import provider_site, quality_terms


def _issued_finding(*, actor: User, sponsor: Organisation, site: Site, service: Term, title: str) -> Capa:
    """An audit of ``site`` by ``sponsor`` with one major finding, its report issued: the finding's CAPA."""
    today = timezone.localdate()
    audit = audit_plan(actor=actor, organisation=sponsor, site=site, services=[service], planned_for=today)
    audit = audit_schedule(actor=actor, audit=audit, starts_on=today, ends_on=today, lead_auditor=actor)
    audit = audit_conduct(actor=actor, audit=audit, conducted_on=today)
    finding = finding_add(
        actor=actor,
        audit=audit,
        classification=FindingClass.MAJOR,
        title=title,
        description=f"{title}: seen on the audit.",
        clause="21 CFR 211.100",
    )
    audit_report_issue(actor=actor, audit=audit, summary="One major finding.")
    return Capa.objects.for_organisation(sponsor).get(finding=finding)


@pytest.fixture
def two_sponsors(world: SimpleNamespace, provider_b: Organisation, provider_b_user: User) -> SimpleNamespace:
    terms = quality_terms()
    dora = UserFactory.create(username="dora")
    delta = core_services.organisation_create(
        actor=None, name="Delta Therapeutics", type=OrganisationType.SPONSOR, slug="delta", admin=dora
    )
    site = world.quality_site
    qualification_create(actor=dora, organisation=delta, site=site, service=terms["svc.analysis"])
    delta_capa = _issued_finding(
        actor=dora, sponsor=delta, site=site, service=terms["svc.analysis"], title="Delta's finding on the lab"
    )
    b_site = provider_site(provider_b, name="Bravo Basel lab", fei="0009998887")
    qualification_create(
        actor=world.sponsor_user, organisation=world.sponsor, site=b_site, service=terms["svc.analysis"]
    )
    b_capa = _issued_finding(
        actor=world.sponsor_user,
        sponsor=world.sponsor,
        site=b_site,
        service=terms["svc.analysis"],
        title="Bravo's finding on stability",
    )
    notification = change_notify(
        actor=world.provider_user,
        provider=world.provider,
        site=site,
        kind="analytical_method",
        title="HPLC assay moves to UHPLC",
        description="The release assay for tablets moves to a UHPLC method.",
        planned_on=timezone.localdate() + dt.timedelta(days=90),
    )
    alpha_copy = ChangeAssessment.objects.for_organisation(world.sponsor).get(notification=notification)
    delta_copy = ChangeAssessment.objects.for_organisation(delta).get(notification=notification)
    change_assess(actor=dora, assessment=delta_copy, impact="major", notes="Delta's private note: refile the method.")
    change_decide(actor=dora, assessment=delta_copy, decision=ChangeDecision.APPROVED, comment="Send the validation.")
    change_assess(actor=world.sponsor_user, assessment=alpha_copy, impact="minor", notes="Alpha's private note.")
    return SimpleNamespace(
        delta=delta,
        dora=dora,
        delta_capa=delta_capa,
        b_capa=b_capa,
        notification=notification,
        alpha_copy=alpha_copy,
        delta_copy=delta_copy,
    )


def _page(client: Client, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, response.content.decode()


def test_the_provider_sees_what_is_addressed_to_it_and_nothing_of_a_sponsors_quality_records(
    world: SimpleNamespace, two_sponsors: SimpleNamespace
) -> None:
    t, priya = two_sponsors, login_client(world.provider_user)
    alpha = f"/o/{world.sponsor.slug}/quality"
    for path in (
        f"{alpha}/asl/",
        f"{alpha}/qualifications/{world.qualification.pk}/",
        f"{alpha}/audits/{world.quality_audit.pk}/",
        f"{alpha}/capas/{world.capa.pk}/",
        f"{alpha}/changes/{t.alpha_copy.pk}/",
        f"/o/delta/quality/audits/{t.delta_capa.finding.audit_id}/",
    ):
        assert priya.get(path).status_code == 404, path

    mine = f"/o/{world.provider.slug}/quality"
    status, findings = _page(priya, f"{mine}/findings/")
    assert status == 200
    assert "Deviation investigations not concluded" in findings and "Delta&#x27;s finding on the lab" in findings
    assert "Bravo&#x27;s finding on stability" not in findings  # addressed to another provider
    assert priya.get(f"{mine}/findings/{t.b_capa.pk}/").status_code == 404

    status, notification = _page(priya, f"{mine}/notifications/{t.notification.pk}/")
    assert status == 200
    assert "Send the validation." in notification  # Delta decided; Alpha has only assessed, so says nothing yet
    assert "private note" not in notification


def test_another_provider_sees_none_of_it(
    world: SimpleNamespace, two_sponsors: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    t, bravo = two_sponsors, login_client(provider_b_user)
    mine = f"/o/{provider_b.slug}/quality"
    status, findings = _page(bravo, f"{mine}/findings/")
    assert status == 200
    assert "Bravo&#x27;s finding on stability" in findings
    assert "Deviation investigations not concluded" not in findings and "Delta" not in findings
    assert bravo.get(f"{mine}/findings/{world.capa.pk}/").status_code == 404
    assert bravo.get(f"{mine}/notifications/{t.notification.pk}/").status_code == 404
    status, notifications = _page(bravo, f"{mine}/notifications/")
    assert status == 200 and "HPLC assay moves to UHPLC" not in notifications


def test_a_sponsor_never_reaches_another_sponsors_copy(world: SimpleNamespace, two_sponsors: SimpleNamespace) -> None:
    t = two_sponsors
    alice, dora = login_client(world.sponsor_user), login_client(t.dora)
    assert alice.get(f"/o/{world.sponsor.slug}/quality/changes/{t.delta_copy.pk}/").status_code == 404
    assert alice.get(f"/o/delta/quality/changes/{t.delta_copy.pk}/").status_code == 404
    status, ours = _page(alice, f"/o/{world.sponsor.slug}/quality/changes/{t.alpha_copy.pk}/")
    assert status == 200 and "Alpha&#x27;s private note." in ours
    assert "Delta" not in ours and "Send the validation." not in ours
    status, theirs = _page(dora, f"/o/delta/quality/changes/{t.delta_copy.pk}/")
    assert status == 200 and "Alpha" not in theirs
    assert dora.get(f"/o/delta/quality/capas/{world.capa.pk}/").status_code == 404

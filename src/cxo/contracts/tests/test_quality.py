"""Activation asks quality (``cxo.contracts.quality``): the site approved for the service and a quality agreement
in force, when the sponsor keeps those records in CXO; *not on record* otherwise, which does not stop it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from cxo.contracts.models import WorkOrder, WorkOrderStatus
from cxo.contracts.quality import quality_on_record
from cxo.contracts.services.terms import terms_input_of
from cxo.contracts.services.work_orders import work_order_activate, work_order_send, work_order_sign, work_order_update
from cxo.core.errors import Conflict
from cxo.core.models import Organisation, User
from cxo.core.roles import OrganisationType
from cxo.core.services import organisation_create
from cxo.quality.models import QualityAgreementVersion
from cxo.quality.services.qualification import qualification_review
from cxo.registry.models import Site
from cxo.testing.contracts import agreement_in_force, awarded_work_order, quality_agreement_in_force
from cxo.testing.factories import TEST_PASSWORD, UserFactory
from cxo.testing.quality import approved, provider_site

from .conftest import client_for


@pytest.fixture
def site_agreement(world: SimpleNamespace) -> QualityAgreementVersion:
    """A quality agreement in force for the site quality approved (the walk's covers another site)."""
    return quality_agreement_in_force(
        sponsor=world.sponsor,
        sponsor_user=world.sponsor_user,
        provider=world.provider,
        provider_user=world.provider_user,
        sites=[world.quality_site],
    )


def _signed_by_both(
    wo: WorkOrder, *, agreement_id: int, site: Site, sponsor_user: User, provider_user: User
) -> WorkOrder:
    """The draft at ``site``, under the master agreement, sent and signed by both."""
    sponsor, provider = wo.organisation, wo.provider
    wo = work_order_update(
        actor=sponsor_user,
        organisation=sponsor,
        work_order=wo,
        terms=terms_input_of(wo),
        agreement_id=agreement_id,
        site_id=site.pk,
    )
    work_order_send(actor=sponsor_user, organisation=sponsor, work_order=wo)
    work_order_sign(actor=provider_user, organisation=provider, work_order=wo, password=TEST_PASSWORD)
    return work_order_sign(actor=sponsor_user, organisation=sponsor, work_order=wo, password=TEST_PASSWORD)


def test_a_work_order_at_an_approved_site_under_an_agreement_in_force_is_activated(
    world: SimpleNamespace, draft: WorkOrder, site_agreement: QualityAgreementVersion
) -> None:
    wo = _signed_by_both(
        draft,
        agreement_id=world.master_agreement.pk,
        site=world.quality_site,
        sponsor_user=world.sponsor_user,
        provider_user=world.provider_user,
    )
    checks = quality_on_record(
        sponsor=wo.organisation, provider=wo.provider, site=wo.site, service=wo.service, on=timezone.localdate()
    )
    version = site_agreement
    until = f"{version.expires_on:%d %b %Y}"
    assert [(c.subject, c.standing, c.label) for c in checks] == [
        ("Site approval", "ok", "Approved for Secondary manufacturing (test)"),
        ("Quality agreement", "ok", f"{version.agreement.reference} in force until {until}"),
    ]
    page = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{wo.pk}/").content.decode()
    assert "Approved for Secondary manufacturing (test)" in page
    assert f"in force until {until}" in page
    wo = work_order_activate(actor=world.sponsor_user, organisation=world.sponsor, work_order=wo)
    assert wo.status == WorkOrderStatus.ACTIVE


def test_a_sponsor_that_keeps_no_quality_records_in_cxo_is_not_on_record(world: SimpleNamespace) -> None:
    admin = UserFactory.create(username="nadia")
    sponsor = organisation_create(actor=None, name="Nova Pharma", type=OrganisationType.SPONSOR, admin=admin)
    wo = world.work_order
    checks = quality_on_record(
        sponsor=sponsor, provider=wo.provider, site=wo.site, service=wo.service, on=timezone.localdate()
    )
    assert [(c.standing, c.label) for c in checks] == [("not_on_record", "not on record")] * 2


def test_activation_is_refused_while_quality_has_the_site_under_review(
    world: SimpleNamespace, draft: WorkOrder, site_agreement: QualityAgreementVersion
) -> None:
    wo = _signed_by_both(
        draft,
        agreement_id=world.master_agreement.pk,
        site=world.quality_site,
        sponsor_user=world.sponsor_user,
        provider_user=world.provider_user,
    )
    qualification_review(actor=world.sponsor_user, qualification=world.bid_qualification, reason="OAI inspection.")
    with pytest.raises(Conflict) as refused:
        work_order_activate(actor=world.sponsor_user, organisation=world.sponsor, work_order=wo)
    assert refused.value.message == (
        "The work order cannot be activated: Site approval: Under review for Secondary manufacturing (test)."
    )
    wo.refresh_from_db()
    assert wo.status == WorkOrderStatus.SIGNED
    page = client_for(world.sponsor_user).get(f"/o/{world.sponsor.slug}/work-orders/{wo.pk}/").content.decode()
    assert "Under review for Secondary manufacturing (test)" in page


def test_activation_is_refused_without_a_quality_agreement_in_force_with_the_provider(
    world: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    """Provider B's site is approved for the service, but B has no quality agreement with the sponsor, who keeps
    them in CXO: only the agreement refuses."""
    site = provider_site(provider_b, name="Bravo Lyon", fei="0003009001")
    approved(actor=world.sponsor_user, organisation=world.sponsor, site=site, service=world.bid_qualification.service)
    agreement = agreement_in_force(
        sponsor=world.sponsor, sponsor_user=world.sponsor_user, provider=provider_b, provider_user=provider_b_user
    )
    wo = awarded_work_order(
        sponsor_user=world.sponsor_user,
        provider=provider_b,
        provider_user=provider_b_user,
        need=world.need,
        title="Bravo packaging",
    )
    wo = _signed_by_both(
        wo, agreement_id=agreement.pk, site=site, sponsor_user=world.sponsor_user, provider_user=provider_b_user
    )
    with pytest.raises(Conflict) as refused:
        work_order_activate(actor=world.sponsor_user, organisation=world.sponsor, work_order=wo)
    today = timezone.localdate()
    assert refused.value.message == (
        "The work order cannot be activated: "
        f"Quality agreement: none with Bravo CRO covering Bravo Lyon in force on {today:%d %b %Y}."
    )

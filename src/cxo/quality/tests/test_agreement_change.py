"""Quality agreements signed by both parties, and change notifications assessed by each sponsor on its own copy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cxo.core import services as core_services
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import OrganisationType
from cxo.core.signatures import signature_matches
from cxo.quality.models import AgreementVersionStatus, ChangeAssessment, ChangeDecision, QualityAgreement
from cxo.quality.selectors import quality_agreement_in_force
from cxo.quality.selectors.changes import assessment_list, provider_notification_get
from cxo.quality.services.agreement import (
    agreement_create,
    agreement_version_content,
    agreement_version_create,
    agreement_version_sign,
    agreement_version_update,
)
from cxo.quality.services.change import change_assess, change_decide, change_notify
from cxo.quality.services.qualification import qualification_create
from cxo.registry.models import Site, Term
from cxo.testing.factories import TEST_PASSWORD, UserFactory
from cxo.testing.quality import agreement_text, provider_site

V = AgreementVersionStatus
TODAY = timezone.localdate


@pytest.fixture
def agreement(sponsor: Organisation, sponsor_user: User, provider: Organisation, site: Site) -> QualityAgreement:
    return agreement_create(
        actor=sponsor_user,
        organisation=sponsor,
        provider=provider,
        title="Drug product manufacture",
        sites=[site],
        sections=agreement_text(),
        effective_on=TODAY(),
        expires_on=TODAY() + dt.timedelta(days=365),
    )


def test_both_parties_sign_and_the_version_comes_into_force(
    agreement: QualityAgreement, sponsor_user: User, provider_user: User, site: Site
) -> None:
    version = agreement.versions.get()
    assert quality_agreement_in_force(sponsor=agreement.organisation, provider=agreement.provider, site=site) is None
    version = agreement_version_sign(actor=provider_user, version=version, password=TEST_PASSWORD)
    assert version.status == V.SIGNING
    with pytest.raises(Conflict, match="has already signed version 1"):
        agreement_version_sign(actor=provider_user, version=version, password=TEST_PASSWORD)
    with pytest.raises(Conflict, match="signed by one party: a signed version is never edited"):
        agreement_version_update(actor=sponsor_user, version=version, sections={"scope": "changed"})
    version = agreement_version_sign(actor=sponsor_user, version=version, password=TEST_PASSWORD)
    assert version.status == V.SIGNED
    assert version.sponsor_signature is not None and version.provider_signature is not None
    assert version.sponsor_signature.organisation_id == agreement.organisation_id
    assert version.provider_signature.organisation_id == agreement.provider_id
    assert (
        version.sponsor_signature.content_sha256 == version.provider_signature.content_sha256 == version.content_sha256
    )
    assert signature_matches(signature=version.sponsor_signature, content=agreement_version_content(version))
    assert quality_agreement_in_force(sponsor=agreement.organisation, provider=agreement.provider, site=site) == version
    other_site = provider_site(agreement.provider, name="Elsewhere", fei="77")
    assert (
        quality_agreement_in_force(sponsor=agreement.organisation, provider=agreement.provider, site=other_site) is None
    )
    later = TODAY() + dt.timedelta(days=366)
    assert quality_agreement_in_force(sponsor=agreement.organisation, provider=agreement.provider, on=later) is None


def test_a_new_signed_version_supersedes_the_old(
    agreement: QualityAgreement, sponsor_user: User, provider_user: User
) -> None:
    first = agreement.versions.get()
    for user in (sponsor_user, provider_user):
        first = agreement_version_sign(actor=user, version=first, password=TEST_PASSWORD)
    second = agreement_version_create(
        actor=sponsor_user, agreement=agreement, effective_on=TODAY(), expires_on=TODAY() + dt.timedelta(days=1000)
    )
    assert second.sections == first.sections
    with pytest.raises(Conflict, match="already has a draft"):
        agreement_version_create(
            actor=sponsor_user, agreement=agreement, effective_on=TODAY(), expires_on=TODAY() + dt.timedelta(days=9)
        )
    for user in (provider_user, sponsor_user):
        second = agreement_version_sign(actor=user, version=second, password=TEST_PASSWORD)
    first.refresh_from_db()
    assert (first.status, second.status) == (V.SUPERSEDED, V.SIGNED)


def test_an_expired_version_cannot_be_signed(agreement: QualityAgreement, sponsor_user: User) -> None:
    version = agreement.versions.get()
    agreement_version_update(
        actor=sponsor_user,
        version=version,
        effective_on=TODAY() - dt.timedelta(days=400),
        expires_on=TODAY() - dt.timedelta(days=1),
    )
    with pytest.raises(Conflict, match=r"Version 1 expired on .*: it cannot be signed. Draft a new version"):
        agreement_version_sign(actor=sponsor_user, version=version, password=TEST_PASSWORD)


def test_every_section_is_written_before_signing(
    sponsor: Organisation, sponsor_user: User, provider: Organisation, site: Site
) -> None:
    agreement = agreement_create(
        actor=sponsor_user,
        organisation=sponsor,
        provider=provider,
        title="Draft",
        sites=[],
        sections={"scope": "All drug product made at Leeds."},
        effective_on=TODAY(),
        expires_on=TODAY() + dt.timedelta(days=30),
    )
    with pytest.raises(Conflict, match="empty: Quality unit responsibilities, Facilities and equipment"):
        agreement_version_sign(actor=sponsor_user, version=agreement.versions.get(), password=TEST_PASSWORD)
    with pytest.raises(ServiceError, match="Unknown section: warranty"):
        agreement_version_update(actor=sponsor_user, version=agreement.versions.get(), sections={"warranty": "x"})


def test_an_outsider_cannot_sign(agreement: QualityAgreement, outsider: User, provider_b_user: User) -> None:
    for stranger in (outsider, provider_b_user):
        with pytest.raises(NotFound):
            agreement_version_sign(actor=stranger, version=agreement.versions.get(), password=TEST_PASSWORD)


@pytest.fixture
def second_sponsor(db: None) -> tuple[Organisation, User]:
    user = UserFactory.create(username="dora")
    org = core_services.organisation_create(
        actor=None, name="Delta Therapeutics", type=OrganisationType.SPONSOR, slug="delta", admin=user
    )
    return org, user


def test_a_change_reaches_each_sponsor_listing_the_site_as_its_own_copy(
    sponsor: Organisation,
    sponsor_user: User,
    second_sponsor: tuple[Organisation, User],
    outsider: User,
    provider: Organisation,
    provider_user: User,
    site: Site,
    terms: dict[str, Term],
) -> None:
    delta, dora = second_sponsor
    qualification_create(actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"])
    qualification_create(actor=dora, organisation=delta, site=site, service=terms["svc.analysis"])
    notification = change_notify(
        actor=provider_user,
        provider=provider,
        site=site,
        kind="raw_material_supplier",
        title="Second source of microcrystalline cellulose",
        description="Adding a second qualified supplier of MCC PH102.",
        planned_on=TODAY() + dt.timedelta(days=45),
    )
    ours, theirs = list(assessment_list(organisation=sponsor)), list(assessment_list(organisation=delta))
    assert [a.notification for a in ours] == [a.notification for a in theirs] == [notification]
    assert ours[0].pk != theirs[0].pk
    charlie = outsider.memberships.get().organisation
    assert list(assessment_list(organisation=charlie)) == []  # does not list the site: no copy
    assert not ChangeAssessment.objects.for_organisation(sponsor).filter(pk=theirs[0].pk).exists()

    with pytest.raises(Conflict, match="Assess the change's impact before deciding"):
        change_decide(actor=sponsor_user, assessment=ours[0], decision=ChangeDecision.APPROVED, comment="")
    with pytest.raises(NotFound):
        change_assess(actor=sponsor_user, assessment=theirs[0], impact="minor")
    change_assess(
        actor=sponsor_user,
        assessment=ours[0],
        impact="minor",
        us_category="cbe30",
        eu_variation="IB",
        notes="Our internal note",
    )
    assert provider_notification_get(provider=provider, notification_id=notification.pk).decisions == []
    change_decide(
        actor=sponsor_user,
        assessment=ours[0],
        decision=ChangeDecision.APPROVED,
        comment="Send the CoA of the first lot.",
    )
    seen = provider_notification_get(provider=provider, notification_id=notification.pk)
    assert [(d.sponsor, d.decision, d.comment) for d in seen.decisions] == [
        ("Alpha Biotech", "approved", "Send the CoA of the first lot.")
    ]
    assert not hasattr(seen.decisions[0], "assessment")  # the provider never reads the sponsor's own notes
    with pytest.raises(Conflict, match="already approved"):
        change_decide(actor=sponsor_user, assessment=ours[0], decision=ChangeDecision.REJECTED, comment="x")


def test_only_the_sites_provider_notifies_a_change(
    provider_b: Organisation, provider_b_user: User, site: Site, provider_user: User, provider: Organisation
) -> None:
    with pytest.raises(NotFound):
        change_notify(
            actor=provider_b_user,
            provider=provider,
            site=site,
            kind="process",
            title="t",
            description="d",
            planned_on=TODAY(),
        )
    with pytest.raises(ServiceError, match="is not a site of Bravo CRO"):
        change_notify(
            actor=provider_b_user,
            provider=provider_b,
            site=site,
            kind="process",
            title="t",
            description="d",
            planned_on=TODAY(),
        )

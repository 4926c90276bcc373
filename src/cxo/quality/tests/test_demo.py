"""The quality demo: the demo sponsor's list in every state, the watch's move on load, and a second run that
changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cxo.core.demo import demo_tenants_load
from cxo.core.models import Organisation
from cxo.matching import live
from cxo.quality.demo import quality_demo_load
from cxo.quality.models import ChangeAssessment, ChangeDecision, Qualification, QualificationStatus
from cxo.quality.selectors import quality_agreement_in_force
from cxo.quality.selectors.capas import capa_list
from cxo.registry.models import ComplianceKind, Site, fei_key
from cxo.registry.taxonomy import taxonomy_load
from cxo.sourcing.demo import sourcing_demo_load
from cxo.testing.quality import compliance_event
from cxo.testing.registry_factories import RegistryOrganisationFactory, SiteFactory, capability_with_evidence

S = QualificationStatus


def _site(name: str, fei: str, service: str = "svc.mfg.drug_product") -> Site:
    org = RegistryOrganisationFactory.create(name=name)
    site: Site = SiteFactory.create(
        organisation=org, name=name, fei=fei, registration_expiry=timezone.localdate() + dt.timedelta(days=300)
    )
    site.fei_key = fei_key(fei)
    site.save(update_fields=["fei_key"])
    # tablets on record for makers: the sourcing demo need names the dosage form, which matching treats as a filter
    form = "frm.tablet" if service == "svc.mfg.drug_product" else None
    capability_with_evidence(site=site, service=service, dosage_form=form)
    return site


def test_the_demo_list_has_every_state_and_runs_twice(db: None) -> None:
    taxonomy_load(actor=None)
    today = timezone.localdate()
    for i, name in enumerate(("Adare Pharmaceuticals, Inc.", "Actavis Elizabeth LLC")):
        _site(name, f"30010{i}")
    watched = _site("Pharmaceutics International, Inc.", "3006503102")
    compliance_event(
        watched, kind=ComplianceKind.INSPECTION, classification="OAI", occurred_on=today - dt.timedelta(days=200)
    )
    for i in range(6):
        clean = _site(f"Clean Labs {i}", f"40020{i}", service="svc.analysis")
        compliance_event(
            clean, kind=ComplianceKind.INSPECTION, classification="NAI", occurred_on=today - dt.timedelta(days=400)
        )
    live.forget()
    demo_tenants_load()
    sourcing_demo_load()
    out = quality_demo_load()
    sponsor = Organisation.objects.get(slug="demo-sponsor")
    states = sorted(Qualification.objects.for_organisation(sponsor).values_list("status", flat=True))
    assert set(states) == set(S.values)
    under_review = Qualification.objects.for_organisation(sponsor).get(status=S.UNDER_REVIEW)
    assert under_review.site == watched
    assert under_review.review_evidence[0]["label"].startswith("OAI inspection")
    assert "the watch moved 1 under review and expired 1" in out.lines[0]
    [capa, _] = capa_list(organisation=sponsor)
    assert capa.status == "accepted" and [a.is_open for a in capa.actions.all()] == [False, True]
    home = Organisation.objects.get(name="Adare Pharmaceuticals, Inc.")
    version = quality_agreement_in_force(sponsor=sponsor, provider=home)
    assert version is not None and 0 < (version.expires_on - today).days <= 30
    assert ChangeAssessment.objects.for_organisation(sponsor).get().decision == ChangeDecision.PENDING

    again = quality_demo_load()
    assert again.lines == ["Quality demo: the approved supplier list is already there."]
    assert sorted(Qualification.objects.for_organisation(sponsor).values_list("status", flat=True)) == states

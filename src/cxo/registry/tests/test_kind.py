"""The organisation-kind rule: CRO / CMO / CDMO / sponsor / other from capabilities and their evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from cxo.core.models import Organisation
from cxo.registry.kind import Kind, kind_derive, organisation_kinds_refresh, service_group
from cxo.registry.models import EvidenceKind
from cxo.registry.taxonomy import taxonomy_specs
from cxo.testing.registry_factories import (
    EvidenceFactory,
    RegistryOrganisationFactory,
    SiteFactory,
    capability_with_evidence,
)


@pytest.mark.parametrize(
    ("services", "sponsored", "kind"),
    [
        ({"svc.research.drug_discovery", "svc.clinical.phase1"}, 0, Kind.CRO),
        ({"svc.clinical.data_management"}, 0, Kind.CRO),
        ({"svc.analysis"}, 0, Kind.CRO),  # a contract testing laboratory
        ({"svc.mfg.api"}, 0, Kind.CMO),
        ({"svc.mfg.drug_product", "svc.analysis", "svc.packaging.pack"}, 0, Kind.CMO),  # QC in-house
        ({"svc.sterilize"}, 0, Kind.CMO),
        ({"svc.packaging.label"}, 0, Kind.CMO),
        ({"svc.mfg.pet"}, 0, Kind.CMO),
        ({"svc.development.formulation", "svc.mfg.drug_product.sterile_fill_finish"}, 0, Kind.CDMO),
        ({"svc.research.preclinical", "svc.mfg.api", "svc.analysis"}, 0, Kind.CDMO),
        ({"svc.packaging.repack", "svc.packaging.relabel"}, 0, Kind.OTHER),
        ({"svc.distribution.distribute"}, 0, Kind.OTHER),
        ({"svc.mfg.transfill"}, 0, Kind.OTHER),
        ({"svc.mfg.medicated_feed"}, 0, Kind.OTHER),
        ({"svc.mfg.transfill", "svc.mfg.drug_product"}, 0, Kind.CMO),
        (set(), 12, Kind.SPONSOR),
        ({"svc.mfg.drug_product"}, 12, Kind.CMO),  # a sponsor with a manufacturing arm is classified by services
        ({"svc.packaging.repack"}, 3, Kind.SPONSOR),
        (set(), 0, ""),
    ],
)
def test_kind_derive(services: set[str], sponsored: int, kind: str) -> None:
    derived, reason = kind_derive(services=services, sponsored_trials=sponsored)
    assert derived == kind
    assert reason


def test_the_reason_names_the_services_the_evidence_and_sponsoring() -> None:
    kind, reason = kind_derive(
        services={"svc.mfg.api", "svc.research.medicinal_chemistry"},
        sponsored_trials=2,
        evidence={EvidenceKind.FDA_REGISTRATION, EvidenceKind.SELF_DECLARED},
        names={"svc.mfg.api": "Drug substance (API) manufacture", "svc.research.medicinal_chemistry": "Med chem"},
    )
    assert kind == Kind.CDMO
    assert reason == (
        "CDMO: research & development (Med chem) and manufacturing (Drug substance (API) manufacture). "
        "Evidence: FDA establishment registration, Self-declared. Also lead sponsor of 2 clinical trial(s)."
    )


def test_every_service_term_falls_in_a_group() -> None:
    services = [s.code for s in taxonomy_specs() if s.vocabulary == "service"]
    assert [code for code in services if service_group(code) is None] == []
    assert service_group("frm.tablet") is None


def test_refresh_stores_kind_and_reason_from_capabilities_and_evidence(taxonomy: None) -> None:
    maker = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=maker), service="svc.mfg.api")
    lab = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=lab), service="svc.analysis")
    cdmo = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=cdmo), service="svc.mfg.drug_product")
    capability_with_evidence(
        organisation=cdmo, service="svc.development.process", evidence=EvidenceKind.SELF_DECLARED, source_ref="profile"
    )
    sponsor = RegistryOrganisationFactory.create(kind="", kind_reason="")
    trials = capability_with_evidence(
        organisation=sponsor, service="svc.clinical.phase2", evidence=EvidenceKind.CLINICAL_TRIAL, source_ref="NCT01"
    )
    for nct in ("NCT02", "NCT03"):
        EvidenceFactory.create(capability=trials, kind=EvidenceKind.CLINICAL_TRIAL, source_ref=nct)
    trials.evidence.update(detail={"role": "lead_sponsor"})
    collaborator = RegistryOrganisationFactory.create(kind="cro", kind_reason="stale")
    capability_with_evidence(
        organisation=collaborator, service="svc.clinical.phase3", evidence=EvidenceKind.CLINICAL_TRIAL,
        source_ref="NCT09", observed_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    collaborator.capabilities.get().evidence.update(detail={"role": "collaborator"})
    ids = [o.pk for o in (maker, lab, cdmo, sponsor, collaborator)]

    assert organisation_kinds_refresh(organisation_ids=ids) == 5
    kinds = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "kind"))
    assert [kinds[i] for i in ids] == [Kind.CMO, Kind.CRO, Kind.CDMO, Kind.SPONSOR, ""]
    maker.refresh_from_db()
    assert maker.kind_reason == (
        "CMO: manufacturing (Drug substance (API) manufacture) without research, development or clinical services. "
        "Evidence: FDA establishment registration."
    )
    sponsor.refresh_from_db()
    assert sponsor.kind_reason == "Sponsor: lead sponsor of 3 clinical trial(s) and no provider services."
    # Nothing changed since: nothing to write.
    assert organisation_kinds_refresh(organisation_ids=ids) == 0

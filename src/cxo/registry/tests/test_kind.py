"""The role rule: sponsor, generic, CDMO, contract manufacturer, API supplier, CRO, laboratory, logistics."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from cxo.core.models import Organisation
from cxo.registry.kind import (
    Role,
    RoleFacts,
    organisation_kinds_refresh,
    roles_derive,
    roles_of,
    roles_signature,
    service_group,
)
from cxo.registry.models import EvidenceKind
from cxo.registry.taxonomy import taxonomy_specs
from cxo.testing.registry_factories import (
    EvidenceFactory,
    RegistryOrganisationFactory,
    SiteFactory,
    capability_with_evidence,
)

REG = EvidenceKind.FDA_REGISTRATION


def _facts(services: set[str], *, registered: bool = True, **kwargs: Any) -> RoleFacts:
    return RoleFacts(services=set(services), registered=set(services) if registered else set(), **kwargs)


@pytest.mark.parametrize(
    ("facts", "roles"),
    [
        (_facts({"svc.analysis"}), [Role.LAB]),  # ANALYSIS only: a laboratory, not a CRO
        (_facts({"svc.research.drug_discovery", "svc.clinical.phase1"}, registered=False), [Role.CRO]),
        (_facts({"svc.mfg.api"}), [Role.API]),
        (_facts({"svc.mfg.drug_product", "svc.analysis", "svc.packaging.pack"}), [Role.CMO]),  # QC in-house
        (_facts({"svc.development.formulation", "svc.mfg.drug_product"}), [Role.CDMO, Role.CMO]),
        (_facts({"svc.packaging.repack", "svc.packaging.relabel"}), [Role.LOGISTICS]),
        (_facts({"svc.distribution.distribute", "svc.mfg.transfill"}), [Role.LOGISTICS]),
        (_facts({"svc.mfg.medicated_feed"}), []),
        (_facts(set(), sponsored_trials=12), [Role.SPONSOR]),
        (_facts(set(), collaborated_trials=4), []),  # a collaborator is no provider
        # Makes drug product and markets products of its own (holding no application): not a contract manufacturer.
        (_facts({"svc.mfg.drug_product"}, categories=Counter({"ANDA": 30})), [Role.MAKER]),
        (
            _facts(
                {"svc.mfg.drug_product", "svc.mfg.api"},
                categories=Counter({"NDA": 40, "ANDA": 3}),
                applications=Counter({"NDA": 12, "ANDA": 1}),
            ),
            [Role.SPONSOR, Role.GENERIC, Role.API],
        ),
        # SPL: its site makes a product whose label names another company.
        (_facts({"svc.mfg.drug_product"}, categories=Counter({"NDA": 2}), made_for={"Pfizer Inc"}), [Role.CMO]),
        # A registered repackager holds no application, whatever it lists.
        (
            _facts({"svc.packaging.repack"}, categories=Counter({"NDA": 9}), applications=Counter({"NDA": 9})),
            [Role.LOGISTICS],
        ),
    ],
)
def test_roles_derive(facts: RoleFacts, roles: list[str]) -> None:
    derived, reason = roles_derive(facts)
    assert derived == roles
    assert reason and "without" not in reason


def test_the_reason_lists_facts_and_says_none_on_record() -> None:
    roles, reason = roles_derive(
        _facts({"svc.mfg.api"}, applications=Counter({"NDA": 3}), categories=Counter({"NDA": 5})),
        names={"svc.mfg.api": "Drug substance (API) manufacture"},
    )
    assert roles == [Role.SPONSOR, Role.API]
    assert reason == (
        "Sponsor / innovator: first to market under 3 applications (NDA or BLA) in the NDC directory. "
        "API supplier: Drug substance (API) manufacture. "
        "None on record: research, development or clinical services as a provider."
    )
    _, lab = roles_derive(_facts({"svc.analysis"}), names={"svc.analysis": "Analytical / QC testing"})
    assert lab == (
        "Testing laboratory: Analytical / QC testing; no manufacturing on record. None on record: research, "
        "development or clinical services as a provider; manufacturing; products in the NDC directory."
    )


def test_signature_round_trip_in_rule_order() -> None:
    assert roles_signature([Role.API, Role.SPONSOR]) == "|sponsor|api|"
    assert roles_of("|api|sponsor|") == ["sponsor", "api"]
    assert roles_of("cmo") == ["cmo"]  # a kind stored before roles
    assert roles_of("") == []


def test_every_service_term_falls_in_a_group() -> None:
    services = [s.code for s in taxonomy_specs() if s.vocabulary == "service"]
    assert [code for code in services if service_group(code) is None] == []
    assert service_group("frm.tablet") is None


def test_refresh_stores_roles_and_reason_from_capabilities_and_evidence(taxonomy: None) -> None:
    maker = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=maker), service="svc.mfg.api")
    lab = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=lab), service="svc.analysis")
    cmo = RegistryOrganisationFactory.create(kind="", kind_reason="")
    capability_with_evidence(site=SiteFactory.create(organisation=cmo), service="svc.mfg.drug_product")
    sponsor = RegistryOrganisationFactory.create(kind="", kind_reason="")
    trials = capability_with_evidence(
        organisation=sponsor, service="svc.clinical.phase2", evidence=EvidenceKind.CLINICAL_TRIAL, source_ref="NCT01"
    )
    for nct in ("NCT02", "NCT03"):
        EvidenceFactory.create(capability=trials, kind=EvidenceKind.CLINICAL_TRIAL, source_ref=nct)
    trials.evidence.update(detail={"role": "lead_sponsor"})
    innovator = RegistryOrganisationFactory.create(kind="", kind_reason="")
    listing = capability_with_evidence(
        organisation=innovator, service="svc.distribution.labeler", evidence=EvidenceKind.NDC_LISTING, source_ref="P1"
    )
    listing.evidence.update(detail={"category": "NDA", "application": "NDA021446", "marketed_from": "2004-01-01"})
    collaborator = RegistryOrganisationFactory.create(kind="|cro|", kind_reason="stale")
    capability_with_evidence(
        organisation=collaborator, service="svc.clinical.phase3", evidence=EvidenceKind.CLINICAL_TRIAL,
        source_ref="NCT09", observed_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    collaborator.capabilities.get().evidence.update(detail={"role": "collaborator"})
    ids = [o.pk for o in (maker, lab, cmo, sponsor, innovator, collaborator)]

    assert organisation_kinds_refresh(organisation_ids=ids) == 6
    kinds = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "kind"))
    assert [kinds[i] for i in ids] == ["|api|", "|lab|", "|cmo|", "|sponsor|", "|sponsor|", ""]
    cmo.refresh_from_db()
    assert cmo.kind_reason.startswith(
        "Contract manufacturer: registered for Drug product manufacture, "
        "and no product of its own in the NDC directory."
    )
    sponsor.refresh_from_db()
    assert sponsor.kind_reason.startswith("Sponsor / innovator: lead sponsor of 3 clinical trial(s).")
    collaborator.refresh_from_db()
    assert "Collaborator on 1 clinical trial(s), which shows no provider service by itself." in collaborator.kind_reason
    # Nothing changed since: nothing to write.
    assert organisation_kinds_refresh(organisation_ids=ids) == 0

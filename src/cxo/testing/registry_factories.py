"""factory_boy factories for the registry: organisations with sites, capabilities and their evidence.

Terms come from the real taxonomy (``taxonomy_load``), looked up by code, so tests speak the
same codes as the API. After creating registry rows, call ``facets_rebuild()`` before searching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.registry.models import Capability, Evidence, EvidenceKind, ImportRun, Site, Term, fei_key


def term(code: str) -> Term:
    """The taxonomy term with this code (the taxonomy must be loaded)."""
    return Term.objects.get(code=code)


class RegistryOrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Registry Pharma {n} Ltd")
    slug = factory.Sequence(lambda n: f"registry-pharma-{n}")
    type = OrganisationType.PROVIDER
    registrant_duns = factory.Sequence(lambda n: f"{700000000 + n:09d}")
    kind = "|cmo|"
    kind_reason = "Registered with FDA for drug manufacture; no research or clinical work on record."


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site

    organisation = factory.SubFactory(RegistryOrganisationFactory)
    name = factory.LazyAttribute(lambda s: f"{s.organisation.name} plant")
    address = "1 Industrial Road, Springfield"
    country = "USA"
    duns = factory.Sequence(lambda n: f"{100000000 + n:09d}")
    fei = factory.Sequence(lambda n: f"{3000000000 + n}")
    fei_key = factory.LazyAttribute(lambda s: fei_key(s.fei))
    registration_expiry = dt.date(2025, 12, 31)
    us_agent_name = ""
    us_agent_duns = ""


class ImportRunFactory(DjangoModelFactory[ImportRun]):
    class Meta:
        model = ImportRun

    source = "decrs"
    file_name = "drls_reg_2025_redacted.csv"
    checksum = "9f2c4e0a5b7d8e1f3a6c9b2d4e7f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))
    finished_at = factory.LazyFunction(timezone.now)
    status = ImportRun.Status.SUCCEEDED
    actor_label = "curator"
    rows = 10
    created = 10


class CapabilityFactory(DjangoModelFactory[Capability]):
    class Meta:
        model = Capability

    site = factory.SubFactory(SiteFactory)
    organisation = factory.LazyAttribute(lambda c: c.site.organisation if c.site else None)
    service = factory.LazyFunction(lambda: term("svc.mfg.drug_product"))
    dosage_form = None
    route = None
    modality = None
    scale = None
    substance = ""
    key = factory.LazyAttribute(
        lambda c: Capability.make_key(
            site_id=c.site.pk if c.site else None,
            service_id=c.service.pk,
            dosage_form_id=c.dosage_form.pk if c.dosage_form else None,
            route_id=c.route.pk if c.route else None,
            modality_id=c.modality.pk if c.modality else None,
            scale_id=c.scale.pk if c.scale else None,
            substance=c.substance,
        )
    )


class EvidenceFactory(DjangoModelFactory[Evidence]):
    class Meta:
        model = Evidence

    capability = factory.SubFactory(CapabilityFactory)
    kind = EvidenceKind.FDA_REGISTRATION
    source_ref = factory.LazyAttribute(lambda e: f"FEI {e.capability.site.fei}" if e.capability.site else "listing")
    observed_on = dt.date(2025, 1, 15)
    detail: Any = factory.LazyFunction(dict)


def capability_with_evidence(
    *,
    site: Site | None = None,
    organisation: Organisation | None = None,
    service: str,
    dosage_form: str | None = None,
    route: str | None = None,
    substance: str = "",
    evidence: str = EvidenceKind.FDA_REGISTRATION,
    source_ref: str | None = None,
    observed_on: dt.date = dt.date(2025, 1, 15),
    import_run: ImportRun | None = None,
) -> Capability:
    """A capability of a site (or, with ``organisation`` only, organisation-wide) and one piece of evidence."""
    capability = CapabilityFactory.create(
        site=site,
        organisation=organisation or (site.organisation if site else None),
        service=term(service),
        dosage_form=term(dosage_form) if dosage_form else None,
        route=term(route) if route else None,
        substance=substance,
    )
    EvidenceFactory.create(
        capability=capability,
        kind=evidence,
        source_ref=source_ref or (f"FEI {site.fei}" if site else f"NDC {capability.pk}"),
        observed_on=observed_on,
        import_run=import_run,
    )
    return capability


def registry_world() -> dict[str, Any]:
    """A registry organisation with one site, a capability and its evidence, indexed: for the isolation walk.

    Needs only one taxonomy term, created if the taxonomy is not loaded.
    """
    from cxo.registry.facets import facets_rebuild
    from cxo.registry.models import Vocabulary

    Term.objects.get_or_create(code="svc.analysis", defaults={"vocabulary": Vocabulary.SERVICE, "name": "Analysis"})
    run = ImportRunFactory.create()
    organisation = RegistryOrganisationFactory.create(
        name="Walkway Laboratories", slug="walkway-laboratories", kind="|cro|"
    )
    site = SiteFactory.create(organisation=organisation, name="Walkway Labs Leeds", country="GBR", duns="987654321")
    capability = capability_with_evidence(site=site, service="svc.analysis", import_run=run)
    facets_rebuild(organisation_ids=[organisation.pk])
    return {
        "registry_organisation": organisation,
        "registry_site": site,
        "registry_capability": capability,
        "registry_import_run": run,
    }


def decrs_row_country(row: dict[str, str]) -> str:
    """A raw DECRS row's country as tests expect it: COUNTRY_ISO3, or for the one real row without it
    (its address ends "…, Czechia"; the importer reads the country from there) CZE."""
    return row["COUNTRY_ISO3"] or ("CZE" if row["ADDRESS"].endswith(", Czechia") else "")

"""A registry curator merges and splits organisations: everything moves, tenant data stays whole, imports respect it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from cxo.core import services as core_services
from cxo.core.errors import NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Membership, Organisation, User
from cxo.core.roles import PlatformRole
from cxo.registry.duplicates import SAME_KEY, SIMILAR, duplicate_candidates
from cxo.registry.facets import facets_rebuild
from cxo.registry.importers import registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import Capability, OrganisationAlias, OrganisationMerge, Site, SitePlacement
from cxo.registry.names import OrganisationIndex
from cxo.registry.selectors import organisation_search
from cxo.registry.services.identity import _organisation_relations, organisation_merge, organisation_split
from cxo.testing.factories import UserFactory
from cxo.testing.registry_factories import RegistryOrganisationFactory, SiteFactory, capability_with_evidence

SAMPLE = Path(__file__).parent / "fixtures" / "decrs_sample.csv"


@pytest.fixture
def curator(db: None) -> User:
    user = UserFactory.create(username="cura")
    core_services.platform_role_set(actor=None, user=user, role=PlatformRole.REGISTRY_CURATOR)
    return user


def _pointing_at(org: Organisation) -> dict[str, int]:
    """Rows of every model with a foreign key to Organisation that point at ``org`` (tenant data included)."""
    counts = {}
    for model, field_name in _organisation_relations():
        n = model._base_manager.filter(**{field_name: org}).count()
        if n:
            counts[f"{model._meta.label_lower}.{field_name}"] = n
    return counts


def test_a_merge_moves_sites_evidence_names_members_and_tenant_data(
    world: SimpleNamespace, taxonomy: None, curator: User
) -> None:
    provider: Organisation = world.provider
    duplicate = RegistryOrganisationFactory.create(name="Provider Duplicate Ltd", registrant_duns=None)
    dup_site = SiteFactory.create(organisation=duplicate, name="Duplicate plant", country="IRL")
    capability_with_evidence(site=dup_site, service="svc.packaging.label")
    facets_rebuild()
    tenant_rows = _pointing_at(provider)
    assert sum(tenant_rows.values()) > 10  # RFPs, proposals, contracts, quality records, shortlist entries, …
    members = set(Membership.objects.filter(organisation=provider).values_list("user_id", flat=True))
    provider_sites = set(Site.objects.filter(organisation=provider).values_list("pk", flat=True))

    result = organisation_merge(actor=curator, source=provider, target=duplicate, reason="one company")

    assert _pointing_at(provider) == {} and _pointing_at(duplicate) == tenant_rows
    assert set(Membership.objects.filter(organisation=duplicate).values_list("user_id", flat=True)) == members
    assert set(Site.objects.filter(organisation=duplicate).values_list("pk", flat=True)) == provider_sites | {
        dup_site.pk
    }
    assert not Capability.objects.filter(organisation=provider).exists()
    assert provider.name in set(OrganisationAlias.objects.filter(organisation=duplicate).values_list("name", flat=True))
    assert result.sites == len(provider_sites) and OrganisationMerge.objects.get(merged=provider).into == duplicate
    # Audited on both trails, with the before and after.
    events = AuditEvent.unscoped.filter(action="registry.organisation_merge")
    assert {e.organisation_id for e in events} == {provider.pk, duplicate.pk}
    event = events.first()
    assert event is not None and event.actor == curator and event.reason == "one company"
    assert event.changes["before"]["source"]["sites"] == sorted(provider_sites)
    assert event.changes["after"]["source"]["sites"] == []
    # The directory shows one organisation; names of the merged one link to the one that remains.
    assert organisation_search(q="Provider Duplicate").total == 1
    link = OrganisationIndex.load().link(provider.name)
    assert link is not None and link.organisation_id == duplicate.pk


def test_the_merged_away_slug_redirects(taxonomy: None, curator: User, outsider_client: Client) -> None:
    a = RegistryOrganisationFactory.create(name="Alpha Pharma")
    b = RegistryOrganisationFactory.create(name="Alpha Pharma Holdings")
    for org in (a, b):
        capability_with_evidence(site=SiteFactory.create(organisation=org), service="svc.analysis")
    organisation_merge(actor=curator, source=a, target=b)
    response = outsider_client.get(f"/registry/organisations/{a.slug}/")
    assert response.status_code == 302 and response["Location"] == f"/registry/organisations/{b.slug}/"


def test_only_a_curator_merges_and_nothing_merges_into_itself(curator: User, db: None) -> None:
    a, b = RegistryOrganisationFactory.create_batch(2)
    with pytest.raises(NotPermitted):
        organisation_merge(actor=UserFactory.create(), source=a, target=b)
    with pytest.raises(ServiceError, match="into itself"):
        organisation_merge(actor=curator, source=a, target=a)
    organisation_merge(actor=curator, source=a, target=b)
    with pytest.raises(ServiceError, match="already merged"):
        organisation_merge(actor=curator, source=a, target=b)


def test_a_merge_of_two_registrants_survives_a_re_import(taxonomy: None, curator: User) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)
    first, second = Organisation.objects.filter(registrant_duns__isnull=False).order_by("pk")[:2]
    sites = Site.objects.filter(organisation__in=[first, second]).count()
    organisation_merge(actor=curator, source=first, target=second)
    again = registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)
    assert again.created == 0
    assert Site.objects.filter(organisation=second).count() == sites
    assert not Site.objects.filter(organisation=first).exists()


def test_a_split_moves_the_chosen_sites_and_a_re_import_keeps_them_there(taxonomy: None, curator: User) -> None:
    registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)
    org = next(o for o in Organisation.objects.filter(registrant_duns__isnull=False) if o.sites.count() >= 2)
    moved, *kept = list(org.sites.order_by("pk"))
    new = organisation_split(actor=curator, organisation=org, site_ids=[moved.pk], name="Split Off Plant Inc")
    assert list(new.sites.all()) == [moved] and set(Capability.objects.filter(site=moved).values_list(
        "organisation_id", flat=True)) == {new.pk}  # fmt: skip
    assert SitePlacement.objects.get(site=moved).organisation == new
    assert AuditEvent.unscoped.filter(action="registry.organisation_split", organisation=org).exists()
    registry_import(actor=None, importer=DecrsImporter(), path=SAMPLE)
    assert Site.objects.get(pk=moved.pk).organisation_id == new.pk
    assert set(org.sites.values_list("pk", flat=True)) == {s.pk for s in kept}
    with pytest.raises(ServiceError, match="at least one site"):
        organisation_split(actor=curator, organisation=org, site_ids=[s.pk for s in kept], name="Everything")
    with pytest.raises(ServiceError, match="Not sites of"):
        organisation_split(actor=curator, organisation=org, site_ids=[moved.pk], name="Again")


def test_duplicates_pair_near_names_with_their_evidence_and_not_other_companies(taxonomy: None, db: None) -> None:
    def org(name: str, country: str | None, duns: str | None = None) -> Organisation:
        o = RegistryOrganisationFactory.create(name=name, registrant_duns=duns)
        if country:
            capability_with_evidence(site=SiteFactory.create(organisation=o, country=country), service="svc.analysis")
        else:
            capability_with_evidence(organisation=o, service="svc.mfg.drug_product")
        return o

    org("Bayer HealthCare LLC", "USA", "112117283")
    org("Bayer HealthCare LLC.", "USA", "785159372")  # two registrants, one name key
    org("Biocosmetic Research Labs", None)
    org("Biocosmetic Reasearch Labs", None)
    org("Monroe Welding Supply", None)  # real near-misses: other companies
    org("Conroe Welding Supply", None)
    org("Eurofins SF Analytical Laboratories Inc", "USA")
    org("Eurofins S-F Analytical Laboratories, Inc.", "DEU")  # sites in other countries: apart
    pairs = {(p.a.name, p.b.name): p for p in duplicate_candidates(curator=None)}
    assert set(pairs) == {
        ("Bayer HealthCare LLC", "Bayer HealthCare LLC."),
        ("Biocosmetic Reasearch Labs", "Biocosmetic Research Labs"),
    }
    bayer = pairs[("Bayer HealthCare LLC", "Bayer HealthCare LLC.")]
    assert bayer.method == SAME_KEY and "sites in USA" in bayer.evidence and bayer.both_registered
    assert pairs[("Biocosmetic Reasearch Labs", "Biocosmetic Research Labs")].method == SIMILAR


def test_the_commands_merge_split_and_list_duplicates(taxonomy: None, db: None) -> None:
    a = RegistryOrganisationFactory.create(name="Gamma Labs Inc")
    b = RegistryOrganisationFactory.create(name="Gamma Labs, Inc.")
    for o in (a, b):
        capability_with_evidence(site=SiteFactory.create(organisation=o), service="svc.analysis")
    out = StringIO()
    call_command("registry", "duplicates", stdout=out)
    assert "1 candidate pairs" in out.getvalue() and a.slug in out.getvalue()
    call_command("registry", "merge", a.slug, b.slug, "--reason", "same firm", stdout=out)
    assert f"into {b.name}" in out.getvalue()
    site = SiteFactory.create(organisation=b)
    call_command("registry", "split", b.slug, "--sites", str(site.pk), "--name", "Gamma West", stdout=out)
    assert Organisation.objects.get(name="Gamma West").sites.get() == site
    assert AuditEvent.unscoped.filter(action="registry.organisation_merge", actor_label="cli").count() == 2


def test_every_foreign_key_to_organisation_is_moved_or_deliberately_left(db: None) -> None:
    """A new model pointing at Organisation is moved by a merge unless named here (and in the service)."""
    relations = {f"{m._meta.label_lower}.{f}" for m, f in _organisation_relations()}
    every = {
        f"{model._meta.label_lower}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is Organisation
    }
    left = every - relations
    assert left == {
        "core.auditevent.organisation",  # append-only: stays on the merged row's trail
        "core.membership.organisation",  # moved, keeping the target's role for members of both
        "registry.site.organisation",
        "registry.capability.organisation",  # moved, evidence joining an equal capability
        "registry.organisationalias.organisation",
        "registry.organisationmerge.merged",
        "registry.organisationmerge.into",
        "registry.organisationfacets.organisation",  # the search index: rebuilt
        "registry.sitefacets.organisation",
        "registry.facetgroup.organisation",
    }
    assert {"quality.qualityagreement.provider", "contracts.masteragreement.provider"} <= relations


def test_curator_pages_list_duplicates_merge_and_split(taxonomy: None, curator: User, outsider_client: Client) -> None:
    a = RegistryOrganisationFactory.create(name="Delta Labs Inc")
    b = RegistryOrganisationFactory.create(name="Delta Labs, Inc.")
    for o in (a, b):
        capability_with_evidence(site=SiteFactory.create(organisation=o), service="svc.analysis")
    extra = SiteFactory.create(organisation=b, name="Delta West plant", country="CAN")
    capability_with_evidence(site=extra, service="svc.packaging.label")
    client = Client()
    client.force_login(curator)
    for url in ("/registry/duplicates/", f"/registry/organisations/{a.slug}/merge/"):
        assert outsider_client.get(url).status_code == 404  # not a curator
    page = client.get("/registry/duplicates/").content.decode()
    # The one with more sites is the one to keep: the link merges the other into it.
    assert "Delta Labs Inc" in page and f"/registry/organisations/{a.slug}/merge/?into={b.slug}" in page

    preview = client.get(f"/registry/organisations/{a.slug}/merge/", {"into": b.slug}).content.decode()
    assert 'data-testid="merge-target"' in preview and "Merge into Delta Labs, Inc." in preview
    response = client.post(f"/registry/organisations/{a.slug}/merge/", {"into": b.slug, "reason": "one lab"})
    assert response.status_code == 302 and response["Location"] == f"/registry/organisations/{b.slug}/"
    assert OrganisationMerge.objects.get(merged=a).into == b and b.sites.count() == 3

    response = client.post(
        f"/registry/organisations/{b.slug}/split/", {"name": "Delta West Ltd", "sites": [extra.pk], "reason": ""}
    )
    new = Organisation.objects.get(name="Delta West Ltd")
    assert response["Location"] == f"/registry/organisations/{new.slug}/" and list(new.sites.all()) == [extra]
    refused = client.post(f"/registry/organisations/{b.slug}/split/", {"name": "All", "sites": list(
        b.sites.values_list("pk", flat=True))})  # fmt: skip
    assert refused.status_code == 200 and "Keep at least one site" in refused.content.decode()

"""Sites loaded without a country whose address ends with one get it (the DECRS row whose address ends
"Czechia"); their rows of the directory's index follow, so no re-index is needed.

Importers read the country from the address since this change (cxo.registry.geo.country_from_address);
this fixes registries loaded before it. Reversing leaves the countries (they are right).
"""

from django.db import migrations


def countries_from_addresses(apps, schema_editor):
    from cxo.registry.geo import country_from_address  # pure: pycountry and the variants table

    Site = apps.get_model("registry", "Site")
    SiteFacets = apps.get_model("registry", "SiteFacets")
    FacetGroup = apps.get_model("registry", "FacetGroup")
    OrganisationFacets = apps.get_model("registry", "OrganisationFacets")
    for pk, organisation_id, address in Site.objects.filter(country="").exclude(address="").values_list(
        "pk", "organisation_id", "address"
    ):
        country = country_from_address(address)
        if not country:
            continue
        Site.objects.filter(pk=pk).update(country=country)
        SiteFacets.objects.filter(site_id=pk).update(country=country)
        FacetGroup.objects.filter(site_id=pk).update(country=country)
        countries = set(SiteFacets.objects.filter(organisation_id=organisation_id).values_list("country", flat=True))
        ordered = sorted(c for c in countries if c)
        OrganisationFacets.objects.filter(organisation_id=organisation_id).update(
            countries=f"|{'|'.join(ordered)}|" if ordered else ""
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_facet_groups")]

    operations = [migrations.RunPython(countries_from_addresses, migrations.RunPython.noop)]

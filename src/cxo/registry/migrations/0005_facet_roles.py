"""Organisation kinds become roles: ``kind`` holds a ``|role|role|`` signature (cxo.registry.kind).

Stored single kinds are rewritten as signatures ("cmo" -> "|cmo|"; "other" has no role); the next
import, or ``cxo registry kinds --refresh``, derives the full roles from the record.
"""

from django.db import migrations, models

_OLD_TO_ROLE = {"cro": "|cro|", "cmo": "|cmo|", "cdmo": "|cdmo|", "sponsor": "|sponsor|", "other": ""}


def kinds_to_roles(apps, schema_editor):
    for model in (apps.get_model("core", "Organisation"), apps.get_model("registry", "SiteFacets"),
                  apps.get_model("registry", "OrganisationFacets")):  # fmt: skip
        for old, new in _OLD_TO_ROLE.items():
            model.objects.filter(kind=old).update(kind=new)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_organisation_roles"),
        ("registry", "0004_compliance_events_and_read_time_status"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisationfacets",
            name="kind",
            field=models.CharField(blank=True, help_text="Its roles, |role|role|", max_length=120),
        ),
        migrations.AlterField(
            model_name="sitefacets",
            name="kind",
            field=models.CharField(blank=True, help_text="The organisation's roles, |role|role|", max_length=120),
        ),
        migrations.RunPython(kinds_to_roles, migrations.RunPython.noop),
    ]

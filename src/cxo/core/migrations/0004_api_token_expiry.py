import datetime as dt

from django.db import migrations, models


def expire_existing(apps, schema_editor):
    """Tokens made before expiry existed get the default lifetime from when they were made."""
    from django.conf import settings

    ApiToken = apps.get_model("core", "ApiToken")
    days = dt.timedelta(days=getattr(settings, "CXO_API_TOKEN_DAYS", 90))
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + days
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_signature_notification")]

    operations = [
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name="apitoken", name="revoked_reason", field=models.CharField(blank=True, max_length=100)
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
    ]

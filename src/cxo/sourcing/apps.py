from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "cxo.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"
    default_auto_field = "django.db.models.BigAutoField"

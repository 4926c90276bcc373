from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "cxo.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cxo.sourcing import home

        home.register()  # its sections of the home page

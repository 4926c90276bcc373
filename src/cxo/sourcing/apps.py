from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "cxo.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cxo.sourcing import actions, home

        actions.register()  # what a member may do to an RFP or an invitation now (cxo.core.actions)
        home.register()  # its sections of the home page

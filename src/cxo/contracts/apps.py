from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "cxo.contracts"
    label = "contracts"
    verbose_name = "Contracts and execution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contracts builds on sourcing and subscribes to it; sourcing never imports contracts.
        from cxo.contracts import home, receivers

        receivers.connect()
        home.register()

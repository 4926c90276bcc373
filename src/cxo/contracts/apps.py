from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "cxo.contracts"
    label = "contracts"
    verbose_name = "Contracts and execution"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cxo.registry"
    label = "registry"
    verbose_name = "Provider registry"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cxo.core"
    label = "core"
    verbose_name = "CXO platform"

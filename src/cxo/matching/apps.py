from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "cxo.matching"
    label = "matching"
    verbose_name = "Matching and shortlists"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cxo.matching import live

        live.connect_signals()

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "cxo.quality"
    label = "quality"
    verbose_name = "Quality"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Quality builds on the registry and sourcing and answers them through core's hooks; they never import it.
        from cxo.quality import home, receivers

        receivers.connect()
        home.register()

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project itself: settings, root URLs, the API, and the commands that compose every app (``cxo demo``)."""

    name = "cxo.config"
    label = "config"
    verbose_name = "CXO"

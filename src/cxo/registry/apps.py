from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cxo.registry"
    label = "registry"
    verbose_name = "Provider registry"

    def ready(self) -> None:
        from cxo.registry.facets import FOLLOW_IMPORT, facets_follow_import
        from cxo.registry.importers.base import import_succeeded

        # The directory's search index follows every successful import.
        import_succeeded.connect(facets_follow_import, dispatch_uid=FOLLOW_IMPORT)

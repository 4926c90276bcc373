from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "cxo.core"
    label = "core"
    verbose_name = "CXO platform"

    def ready(self) -> None:
        from cxo.core.bounds import check_before_save

        # Every CXO model's values are checked against their columns before any save (cxo.core.bounds).
        pre_save.connect(check_before_save, dispatch_uid="cxo.core.bounds.check_before_save")

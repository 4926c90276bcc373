from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class CoreConfig(AppConfig):
    name = "cxo.core"
    label = "core"
    verbose_name = "CXO platform"

    def ready(self) -> None:
        from cxo.core.bounds import check_before_save

        # Every CXO model's values are checked against their columns before any save (cxo.core.bounds).
        pre_save.connect(check_before_save, dispatch_uid="cxo.core.bounds.check_before_save")

        from cxo.core.models import User
        from cxo.core.services import password_changed_revoke_tokens
        from cxo.core.signals import announce_password_change, password_changed, permission_refused
        from cxo.core.signatures import signing_refused

        post_save.connect(announce_password_change, sender=User, dispatch_uid="cxo.core.signals.password")
        password_changed.connect(password_changed_revoke_tokens, dispatch_uid="cxo.core.services.revoke_tokens")
        permission_refused.connect(signing_refused, dispatch_uid="cxo.core.signatures.signing_refused")

"""Platform signals: a user's password changed; a member was refused a permission.

``password_changed``: by the change form, a reset, the admin or a command.

Django sends no such signal. Every one of those paths calls ``set_password()`` and then saves the
user, and ``AbstractBaseUser`` keeps the new raw password in ``_password`` until after the save; a
re-hash of the same password on login (a hasher upgrade) clears it before saving, so it does not count.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from cxo.core.models import User

#: Sent after a user's password was changed and saved, with ``user``.
password_changed = Signal()
#: Sent by ``membership_require`` when a role lacks a permission, with ``membership``, ``permission``
#: and ``reason``: by the organisation guard (pages and API) and by services alike.
permission_refused = Signal()


def announce_password_change(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """``post_save`` receiver of User: send :data:`password_changed` when the save stored a new password."""
    if not created and not raw and getattr(instance, "_password", None) is not None:
        password_changed.send(sender=sender, user=instance)

"""What a member may do to a record now — one question for pages and templates, answered by the role table
(may this role do it?) and the record's state (may it be done now?).

Each app registers its actions in ``AppConfig.ready()`` with the permission the role table must grant and a
predicate that asks the app's state machine or its services' guards, never a copy of them::

    action_register("rfp.close", permission=Permission.MANAGE_SOURCING, possible=lambda rfp: rfp_can(rfp, "closed"))

Templates ask ``{% allowed "rfp.close" rfp as may_close %}{% if may_close %}…{% endif %}`` (``cxo`` tag
library), views ``action_allowed(membership=request.membership, action="rfp.close", obj=rfp)``; a page
never offers what its service would refuse for the record's state or the member's role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cxo.core.models import Membership
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can


def _always(obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Action:
    name: str
    permission: Permission
    possible: Callable[[Any], bool] = _always  # the record's state allows it now


_ACTIONS: dict[str, Action] = {}


def action_register(name: str, *, permission: Permission, possible: Callable[[Any], bool] | None = None) -> None:
    """Declare an action on a kind of record (from an app's ``ready()``); a name is declared once."""
    action = Action(name, permission, possible or _always)
    existing = _ACTIONS.get(name)
    if existing is not None and existing != action:
        raise ValueError(f"The action '{name}' is already registered.")
    _ACTIONS[name] = action


def action_allowed(*, membership: Membership | None, action: str, obj: Any) -> bool:
    """Whether the member may take ``action`` on ``obj`` now: its role grants the permission and the record's
    state allows it. An action nobody registered is never allowed (a typo hides a button, it does not show it)."""
    declared = _ACTIONS.get(action)
    if declared is None or membership is None:
        return False
    return membership_can(membership=membership, permission=declared.permission) and declared.possible(obj)

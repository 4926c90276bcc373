"""The sponsor's quality policy, or the defaults until it saves one."""

from __future__ import annotations

from cxo.core.models import Organisation
from cxo.quality.models import QualityPolicy


def policy_get(*, organisation: Organisation) -> QualityPolicy:
    """The organisation's policy; an unsaved one with the defaults when it has none yet."""
    policy = QualityPolicy.objects.for_organisation(organisation).first()
    return policy or QualityPolicy(organisation=organisation)

"""The sponsor's quality policy: validity of approvals, audit intervals, response times, the award rule."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cxo.core.audit import audit_record, diff, snapshot
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import Permission
from cxo.quality.models import AwardRule, QualityPolicy, RiskLevel
from cxo.quality.selectors.policy import policy_get
from cxo.quality.services.common import member_require
from cxo.registry.models import Term, Vocabulary

#: field → (smallest, largest) allowed
BOUNDS: dict[str, tuple[int, int]] = {
    "approval_validity_months": (1, 60),
    "interval_high_months": (1, 60),
    "interval_medium_months": (1, 60),
    "interval_low_months": (1, 72),
    "finding_response_days": (1, 180),
    "critical_response_days": (1, 90),
    "agreement_reminder_days": (1, 365),
}
FIELDS = (*BOUNDS, "award_rule", "criticality")


def _criticality(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ServiceError("Criticality is a map of service code to high, medium or low.", field="criticality")
    codes = set(Term.objects.filter(vocabulary=Vocabulary.SERVICE, code__in=list(value)).values_list("code", flat=True))
    out: dict[str, str] = {}
    for code, level in value.items():
        if code not in codes:
            raise ServiceError(f"“{code}” is not a service code of the taxonomy.", field="criticality")
        if level not in RiskLevel.values:
            raise ServiceError(f"The criticality of {code} must be high, medium or low.", field="criticality")
        out[code] = level
    return out


@transaction.atomic
def policy_update(*, actor: User, organisation: Organisation, **values: Any) -> QualityPolicy:
    """Change some of the policy's settings (the others keep their values); creates the policy on first save."""
    member_require(
        actor=actor, organisation=organisation, permission=Permission.MANAGE_QUALITY, what="policy", sponsor=True
    )
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ServiceError(f"Unknown policy setting: {', '.join(sorted(unknown))}.")
    policy = policy_get(organisation=organisation)
    before = snapshot(policy, FIELDS) if policy.pk else {}
    for name, value in values.items():
        if name in BOUNDS:
            low, high = BOUNDS[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                label = getattr(QualityPolicy._meta.get_field(name), "verbose_name", name)
                raise ServiceError(
                    f"{str(label).capitalize()} must be a whole number from {low} to {high}.", field=name
                )
        elif name == "award_rule" and value not in AwardRule.values:
            raise ServiceError("The award rule is 'justify' or 'block'.", field=name)
        elif name == "criticality":
            value = _criticality(value)
        setattr(policy, name, value)
    policy.updated_at = timezone.now()
    policy.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action="quality_policy.update",
        obj=policy,
        object_repr="Quality policy",
        changes=diff(before, snapshot(policy, FIELDS)),
    )
    return policy

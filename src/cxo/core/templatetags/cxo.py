"""Template tags for every page: house writing (:mod:`cxo.core.text`), the audit trail in words, and whether the
member may take an action on a record now (:mod:`cxo.core.actions`)."""

from __future__ import annotations

from typing import Any

from django import template

from cxo.core.actions import action_allowed
from cxo.core.audit import action_label, record_type_label
from cxo.core.text import with_full_stop, words

register = template.Library()


@register.filter
def full_stop(text: str) -> str:
    """End a sentence that ends with a name: ``{{ organisation.name|full_stop }}`` ("Inc." keeps its one stop)."""
    return with_full_stop(str(text))


@register.filter
def record_type(object_type: str) -> str:
    """An audit event's record type in words: ``sourcing.rfpinvitation`` -> "RFP invitation"."""
    return record_type_label(str(object_type))


@register.filter
def audit_action(action: str) -> str:
    """An audit event's action in words: ``rfp_invitation.accept`` -> "RFP invitation accepted"."""
    return action_label(str(action))


@register.filter
def field_label(name: str) -> str:
    """A changed field's name in words: ``response_deadline`` -> "Response deadline"."""
    return words(str(name))


@register.simple_tag(takes_context=True)
def allowed(context: template.Context, action: str, obj: Any) -> bool:
    """``{% allowed "rfp.close" rfp as may_close %}``: the member's role grants it and the record's state allows it."""
    request = context.get("request")
    return action_allowed(membership=getattr(request, "membership", None), action=action, obj=obj)

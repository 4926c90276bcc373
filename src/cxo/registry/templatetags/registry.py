"""Template filters for registry pages: display names of countries, regions, kinds and evidence sources."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join

from cxo.registry import geo
from cxo.registry.compliance import ComplianceRecord, OrganisationCompliance
from cxo.registry.kind import roles_of
from cxo.registry.models import EvidenceKind, term_display
from cxo.registry.search import kind_label as _kind_label

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return geo.country_name(code) if code else ""


@register.filter
def kind_label(kind: str) -> str:
    """The names of the roles in a stored ``kind`` ("|sponsor|api|" -> "Sponsor / innovator, API supplier")."""
    return ", ".join(_kind_label(r) for r in roles_of(kind)) if kind else ""


@register.filter
def role_badges(kind: str | list[str] | None, size: str = "") -> str:
    """One badge per role held (a stored ``|role|role|`` or a list of roles; cxo.registry.kind), in the rule's order."""
    roles = roles_of(kind or "") if isinstance(kind, str) or kind is None else kind
    return format_html_join(
        " ",
        '<span class="badge {}kind-{}" data-testid="role">{}</span>',
        ((f"{size} " if size else "", r, _kind_label(r)) for r in roles),
    )


@register.filter
def evidence_label(kind: str) -> str:
    return str(dict(EvidenceKind.choices).get(kind, kind))


EVIDENCE_SHORT = {
    "fda_registration": "FDA registration",
    "ndc_listing": "NDC listing",
    "spl_establishment": "SPL label record",
    "clinical_trial": "Clinical trial",
    "audit": "Audit",
    "self_declared": "Self-declared",
    "ndc_unfinished": "NDC bulk listing",
}

_COMPLIANCE_TONES = {
    "inspection_oai": "bad",
    "warning_letter_recent": "bad",
    "recall_class1_recent": "bad",
    "inspection_vai": "warn",
    "inspection_nai": "ok",
}
_OUTCOME_TONES = {"OAI": "bad", "VAI": "warn", "NAI": "ok", "Class I": "bad", "Class II": "warn", "Class III": ""}


@register.filter
def compliance_tone(code: str) -> str:
    """The badge colour of a compliance facet value (an OAI or a recent warning letter is bad news)."""
    return _COMPLIANCE_TONES.get(code, "")


@register.filter
def outcome_tone(classification: str) -> str:
    """The badge colour of an inspection outcome or a recall class."""
    return _OUTCOME_TONES.get(classification, "")


@register.filter
def evidence_short(kind: str) -> str:
    """A short name of an evidence source, for tables."""
    return EVIDENCE_SHORT.get(kind) or evidence_label(kind)


_ACRONYMS = {"fei", "duns", "ndc", "nct", "spl", "set_id", "api", "cdisc"}
_DETAIL_LABELS = {"url": "Source"}


@register.filter
def detail_label(key: str) -> str:
    """The label of an evidence detail key: ``fei`` -> "FEI", ``operation`` -> "Operation"."""
    if key.lower() in _DETAIL_LABELS:
        return _DETAIL_LABELS[key.lower()]
    return key.upper().replace("_", " ") if key.lower() in _ACRONYMS else key.replace("_", " ").capitalize()


@register.filter
def detail_value(value: object) -> str:
    """An evidence detail value for reading: lists joined, web addresses as links, the rest as text."""
    if isinstance(value, list | tuple):
        return conditional_escape(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return conditional_escape("; ".join(f"{k}: {v}" for k, v in value.items()))
    text = "" if value is None else str(value)
    if text.startswith(("https://", "http://")):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', text, _short_url(text))
    return conditional_escape(text)


def _short_url(url: str) -> str:
    host = url.split("://", 1)[1].split("/", 1)[0]
    return host.removeprefix("www.")


@register.filter
def duration(started: dt.datetime | None, finished: dt.datetime | None) -> str:
    """How long a run took: "3.6 s", "2 min 5 s", "1 h 4 min"."""
    if started is None or finished is None:
        return ""
    seconds = (finished - started).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def term_label(name: str) -> str:
    """A taxonomy name for reading: FDA SPL wording is in capitals ("TABLET, FILM COATED" -> "Tablet, film coated")."""
    return term_display(name)


@register.filter
def recent_count(record: ComplianceRecord | OrganisationCompliance, what: str) -> int:
    """How many records of ``kind`` (``"recall:Class I"``: of that class) are within the last five years."""
    kind, _, classification = what.partition(":")
    found = record.recent(kind, classification=classification)
    return found if isinstance(found, int) else len(found)

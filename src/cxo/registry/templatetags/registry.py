"""Template filters for registry pages: display names of countries, regions, kinds and evidence sources."""

from __future__ import annotations

import datetime as dt

from django import template

from cxo.registry import geo
from cxo.registry.models import EvidenceKind
from cxo.registry.search import kind_label as _kind_label

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return geo.country_name(code) if code else ""


@register.filter
def kind_label(kind: str) -> str:
    return _kind_label(kind) if kind else ""


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
}


@register.filter
def evidence_short(kind: str) -> str:
    """A short name of an evidence source, for tables."""
    return EVIDENCE_SHORT.get(kind) or evidence_label(kind)


_ACRONYMS = {"fei", "duns", "ndc", "nct", "spl", "set_id", "api", "cdisc"}


@register.filter
def detail_label(key: str) -> str:
    """The label of an evidence detail key: ``fei`` -> "FEI", ``operation`` -> "Operation"."""
    return key.upper().replace("_", " ") if key.lower() in _ACRONYMS else key.replace("_", " ").capitalize()


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
    return name.capitalize() if name.isupper() else name

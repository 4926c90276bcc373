"""The directory's two date-relative facets: FDA registration status and the FDA compliance record.

The index stores dates and outcomes, never states (:class:`~cxo.registry.models.SiteFacets`:
``registration_expiry``, ``inspections``, ``warning_letter_on``, ``recall_class1_on``). Whether a
registration is current, or a warning letter is "in the last five years", is decided here against
the day of the search (:class:`~cxo.registry.registration.RegistrationSource`) by
:func:`registration_values` and :func:`compliance_values`, which both filter and count (once per
distinct stored value, :mod:`cxo.registry.facet_columns`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cxo.core.errors import ServiceError
from cxo.registry.compliance import OUTCOMES, RECENT_YEARS, ComplianceFacts, years_before
from cxo.registry.facets import signature_values
from cxo.registry.registration import RegistrationSource, RegistrationStatus

REGISTRATION_COLUMNS = ("registration_expiry",)
COMPLIANCE_COLUMNS = ("inspections", "warning_letter_on", "recall_class1_on")

UNINSPECTED = "uninspected"
WARNING_LETTER_RECENT = "warning_letter_recent"
RECALL_CLASS1_RECENT = "recall_class1_recent"
COMPLIANCE_VALUES: dict[str, str] = {
    **{f"inspection_{o.lower()}": f"Latest inspection {o}" for o in OUTCOMES},
    UNINSPECTED: "No inspection on record",
    WARNING_LETTER_RECENT: f"Warning letter in the last {RECENT_YEARS} years",
    RECALL_CLASS1_RECENT: f"Class I recall in the last {RECENT_YEARS} years",
}
REGISTRATION_VALUES: dict[str, str] = {str(s.value): str(s.label) for s in RegistrationStatus}


def registration_label(code: str, source: RegistrationSource) -> str:
    if code == RegistrationStatus.SOURCE_EXPIRED and source.fiscal_year:
        return f"Listed in the expired FY{source.fiscal_year} file"
    return REGISTRATION_VALUES.get(code, code)


def _choice(value: str, choices: dict[str, str], what: str, field: str) -> str:
    wanted = value.strip().casefold()
    for code, label in choices.items():
        if wanted in {code, label.casefold()}:
            return code
    raise ServiceError(f"Unknown {what} '{value}'. Known values: {', '.join(choices)}.", field=field)


def registration_parse(value: str) -> str:
    return _choice(value, REGISTRATION_VALUES, "registration status", "registration")


def compliance_parse(value: str) -> str:
    return _choice(value, COMPLIANCE_VALUES, "compliance value", "compliance")


def registration_values(raw: Sequence[object], source: RegistrationSource) -> tuple[str, ...]:
    expiry = raw[0]
    return (str(source.status(expiry if isinstance(expiry, dt.date) else None).value),)


def compliance_values(raw: Sequence[object], today: dt.date) -> tuple[str, ...]:
    inspections, warning_letter_on, recall_on = raw
    since = years_before(today, RECENT_YEARS)
    outcomes = signature_values(str(inspections or ""))
    values = [f"inspection_{o.lower()}" for o in outcomes] or [UNINSPECTED]
    if isinstance(warning_letter_on, dt.date) and warning_letter_on >= since:
        values.append(WARNING_LETTER_RECENT)
    if isinstance(recall_on, dt.date) and recall_on >= since:
        values.append(RECALL_CLASS1_RECENT)
    return tuple(values)


def facts_values(facts: ComplianceFacts, today: dt.date) -> tuple[str, ...]:
    """The compliance facet values of one site's facts, as the directory would count it today."""
    outcome = f"|{facts.latest_outcome}|" if facts.latest_outcome else ""
    return compliance_values((outcome, facts.warning_letter_on, facts.recall_class1_on), today)

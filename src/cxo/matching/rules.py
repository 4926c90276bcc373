"""The numbers of the scoring rules (see README.md). Both implementations read them from here."""

from __future__ import annotations

from cxo.registry.substances import substance_moiety

SERVICE_FIT_MAX = 300
PRODUCT_FIT_MAX = 200
EVIDENCE_MAX = 200
RECENCY_MAX = 100
BREADTH_MAX = 200
SCORE_MAX = SERVICE_FIT_MAX + PRODUCT_FIT_MAX + EVIDENCE_MAX + RECENCY_MAX + BREADTH_MAX  # 1000

# Evidence strength by kind: a regulatory record beats an audit beats a self-declaration.
EVIDENCE_POINTS: dict[str, int] = {
    "fda_registration": 200,
    "spl_establishment": 200,
    "ndc_listing": 200,
    "ndc_unfinished": 200,
    "clinical_trial": 200,
    "audit": 120,
    "self_declared": 50,
}

RECENCY_FULL_DAYS = 365  # evidence this fresh earns all the recency points
RECENCY_ZERO_DAYS = 1825  # evidence this old (five years) earns none

BREADTH_CAP = 8  # 2·cs + co is capped here: four families at the site earn the full points

# The special required-evidence value: an FDA registration whose expiry is today or later.
FDA_REGISTRATION_CURRENT = "fda_registration_current"

# Service families ("stages") for breadth: the service roots (research, development, clinical,
# packaging, analytical testing, sterilisation, distribution), except these roots, whose children
# are stages of their own (drug substance vs drug product manufacture, PET drugs, …).
SPLIT_FAMILY_ROOTS = frozenset({"svc.mfg"})

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def fit_points(levels_sum: int, count: int, maximum: int) -> int:
    """``maximum * mean(level / 2)`` floored; a criterion nobody asked for earns the maximum."""
    if count == 0:
        return maximum
    return maximum * levels_sum // (2 * count)


def recency_points(age_days: int) -> int:
    if age_days <= RECENCY_FULL_DAYS:
        return RECENCY_MAX
    if age_days >= RECENCY_ZERO_DAYS:
        return 0
    return RECENCY_MAX * (RECENCY_ZERO_DAYS - age_days) // (RECENCY_ZERO_DAYS - RECENCY_FULL_DAYS)


def breadth_points(site_families: int, other_families: int) -> int:
    return BREADTH_MAX * min(2 * site_families + other_families, BREADTH_CAP) // BREADTH_CAP


def normalise_substance(value: str) -> str:
    """The active moiety, upper case (cxo.registry.substances): salts, esters and hydrates meet their moiety."""
    return substance_moiety(value)

"""The numbers of the scoring rules (see README.md). Both implementations read them from here."""

from __future__ import annotations

from cxo.registry.substances import substance_moiety

SERVICE_FIT_MAX = 300
PRODUCT_FIT_MAX = 200
EVIDENCE_MAX = 200
RECENCY_MAX = 100
BREADTH_MAX = 100
COMPLIANCE_MAX = 100
SCORE_MAX = SERVICE_FIT_MAX + PRODUCT_FIT_MAX + EVIDENCE_MAX + RECENCY_MAX + BREADTH_MAX + COMPLIANCE_MAX  # 1000

# The site's FDA compliance record, as of the day of the query: the latest inspection within the
# window decides the base, graded by its age — NAI 70 to 100, VAI 45 to 60 (the full figure on the day,
# the lower one at the window's end), OAI 0, none on record 40 — so a recent NAI ranks above an old
# one, any NAI above any VAI, any VAI above no record. A warning letter and a Class I recall within
# the window each take points off (not below 0). A need may exclude flagged sites.
COMPLIANCE_WINDOW_DAYS = 1825
INSPECTION_CLASS: dict[str, int] = {"NAI": 1, "VAI": 2, "OAI": 3}  # worse is higher
COMPLIANCE_BASE: tuple[int, ...] = (40, 70, 45, 0)  # by class: none on record, NAI, VAI, OAI
COMPLIANCE_FRESH: tuple[int, ...] = (0, 30, 15, 0)  # by class: added in full on the day, none at the window's end
WARNING_LETTER_PENALTY = 40
CLASS1_RECALL_PENALTY = 30

# Evidence strength is graded: the best kind of record (a regulatory record beats an audit beats a
# self-declaration) earns up to EVIDENCE_KIND_MAX, and how many records there are the rest.
EVIDENCE_KIND_MAX = 120
EVIDENCE_DEPTH_MAX = EVIDENCE_MAX - EVIDENCE_KIND_MAX  # 80
EVIDENCE_POINTS: dict[str, int] = {
    "fda_registration": 120,
    "spl_establishment": 120,
    "ndc_listing": 120,
    "ndc_unfinished": 120,
    "clinical_trial": 120,
    "audit": 70,
    "self_declared": 30,
}

# Depth: a count of evidence records weighs 0 (none), 1 (one), 2 (two or three), 3 (four to seven),
# 4 (8 to 15) … — each doubling of the record counts once (the bit length of the count), up to a cap:
# DEPTH_MAX (eight or more) for evidence strength, PRODUCT_DEPTH_MAX (64 or more) for a requested
# product, where how many products of that form a site or labeler is on record for is the measure.
DEPTH_MAX = 4
DEPTH_CAP = 8
PRODUCT_DEPTH_MAX = 7
PRODUCT_DEPTH_CAP = 64
DEPTH_WEIGHT: tuple[int, ...] = tuple(min(n.bit_length(), PRODUCT_DEPTH_MAX) for n in range(PRODUCT_DEPTH_CAP + 1))
# A requested product (dosage form, route, modality, scale, substance) held at a level counts
# (PRODUCT_BASE + depth) sixteenths of that level: one record 10/16, eight 13/16, 64 or more 16/16.
PRODUCT_BASE = 9
PRODUCT_UNIT = PRODUCT_BASE + PRODUCT_DEPTH_MAX  # 16

# Ties are broken by the number of evidence records, capped here (then by the newest date).
TIE_COUNT_CAP = 1023

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


def within_window(day: int, today: int) -> bool:
    """Whether a day ordinal (0 = none) is on or before today and at most the window before it."""
    return 0 < day <= today and today - day <= COMPLIANCE_WINDOW_DAYS


def compliance_points(inspection_day: int, inspection_class: int, letter_day: int, recall_day: int, today: int) -> int:
    cls = inspection_class if within_window(inspection_day, today) else 0
    fresh = COMPLIANCE_FRESH[cls] * (COMPLIANCE_WINDOW_DAYS - (today - inspection_day)) // COMPLIANCE_WINDOW_DAYS
    base = COMPLIANCE_BASE[cls] + (fresh if cls else 0)
    penalty = WARNING_LETTER_PENALTY if within_window(letter_day, today) else 0
    penalty += CLASS1_RECALL_PENALTY if within_window(recall_day, today) else 0
    return max(base - penalty, 0)


def compliance_flagged(
    inspection_day: int, inspection_class: int, letter_day: int, recall_day: int, today: int
) -> bool:
    """OAI as the latest inspection, a warning letter or a Class I recall within the window."""
    oai = inspection_class == INSPECTION_CLASS["OAI"] and within_window(inspection_day, today)
    return oai or within_window(letter_day, today) or within_window(recall_day, today)


def depth_weight(records: int) -> int:
    return DEPTH_WEIGHT[min(records, DEPTH_CAP)]


def product_depth(records: int) -> int:
    return DEPTH_WEIGHT[min(records, PRODUCT_DEPTH_CAP)]


def evidence_points(best_kind_points: int, records: int) -> int:
    """Evidence strength: the best kind's points plus the depth of the record."""
    return best_kind_points + EVIDENCE_DEPTH_MAX * depth_weight(records) // DEPTH_MAX


def product_points(weighted_sum: int, count: int) -> int:
    """``weighted_sum`` is the sum of level * (PRODUCT_BASE + depth) over the ``count`` requested products."""
    if count == 0:
        return PRODUCT_FIT_MAX
    return PRODUCT_FIT_MAX * weighted_sum // (2 * count * PRODUCT_UNIT)


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

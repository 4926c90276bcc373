"""Active substances as users and sources write them, reduced to the active moiety.

FDA's files name the substance as it is in the product, salt and hydrate included
("ATORVASTATIN CALCIUM TRIHYDRATE", "METFORMIN HYDROCHLORIDE", "HEPARIN SODIUM"); a sourcing
manager asks for "atorvastatin". :func:`substance_moiety` strips the trailing salt, ester and hydrate
words (USAN puts them after the moiety) so both meet, and keeps a name that is nothing but such
words as it is ("SODIUM CHLORIDE", "POTASSIUM CHLORIDE").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Counter-ions and esters written after the moiety (USAN order), and solvates; upper case.
HYDRATE_WORDS = frozenset(
    [
        "HYDRATE",
        "MONOHYDRATE",
        "DIHYDRATE",
        "TRIHYDRATE",
        "TETRAHYDRATE",
        "PENTAHYDRATE",
        "HEXAHYDRATE",
        "HEPTAHYDRATE",
        "HEMIHYDRATE",
        "SESQUIHYDRATE",
        "ANHYDROUS",
        "SOLVATE",
    ]
)
SALT_WORDS = HYDRATE_WORDS | frozenset(
    [
        "ACETATE",
        "ACETONIDE",
        "BENZOATE",
        "BESYLATE",
        "BESILATE",
        "BITARTRATE",
        "BROMIDE",
        "BUTYRATE",
        "CALCIUM",
        "CAMSYLATE",
        "CARBONATE",
        "CHLORIDE",
        "CITRATE",
        "CYPIONATE",
        "DECANOATE",
        "DIHYDROCHLORIDE",
        "DIPROPIONATE",
        "DISODIUM",
        "DIMESYLATE",
        "EDISYLATE",
        "ENANTHATE",
        "ESTOLATE",
        "ESYLATE",
        "ETHYLSUCCINATE",
        "FUMARATE",
        "GLUCONATE",
        "HEMIFUMARATE",
        "HYCLATE",
        "HYDROBROMIDE",
        "HYDROCHLORIDE",
        "HCL",
        "IODIDE",
        "ISETHIONATE",
        "LACTATE",
        "LYSINE",
        "MAGNESIUM",
        "MALEATE",
        "MALATE",
        "MEGLUMINE",
        "MESYLATE",
        "MESILATE",
        "METHYLSULFATE",
        "NAPSYLATE",
        "NITRATE",
        "OLAMINE",
        "OXALATE",
        "PALMITATE",
        "PAMOATE",
        "PHOSPHATE",
        "PIVALATE",
        "POTASSIUM",
        "PROPIONATE",
        "SODIUM",
        "STEARATE",
        "SUCCINATE",
        "SULFATE",
        "SULPHATE",
        "TARTRATE",
        "TEBUTATE",
        "TOSYLATE",
        "TROMETHAMINE",
        "VALERATE",
        "XINAFOATE",
        "ZINC",
    ]
)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def substance_moiety(text: str) -> str:
    """The active moiety of a substance name, upper case: "Atorvastatin calcium trihydrate" -> "ATORVASTATIN"."""
    words = _SPACES.sub(" ", text.replace(",", " ")).strip().upper().split()
    # A name made only of salt words is an inorganic substance itself: drop only its water.
    strip = SALT_WORDS if any(w not in SALT_WORDS for w in words) else HYDRATE_WORDS
    while len(words) > 1 and words[-1] in strip:
        words.pop()
    return " ".join(words)

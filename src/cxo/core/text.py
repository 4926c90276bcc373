"""Words for people: small rules of house writing shared by messages and templates."""

from __future__ import annotations

ACRONYMS = {
    "rfp": "RFP",
    "api": "API",
    "sha256": "SHA-256",
    "fda": "FDA",
    "ndc": "NDC",
    "spl": "SPL",
    "capa": "CAPA",
    "fei": "FEI",
    "duns": "DUNS",
    "url": "URL",
}


def with_full_stop(text: str) -> str:
    """``text`` ending in one full stop: a sentence that ends with "Adare Pharmaceuticals, Inc." gets no second."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def words(identifier: str) -> str:
    """An identifier as words, acronyms in capitals: ``rfp_invitation`` -> "RFP invitation"."""
    parts = identifier.replace(".", " ").replace("_", " ").split()
    out = [ACRONYMS.get(p.lower(), p.lower()) for p in parts]
    if out and out[0].islower():
        out[0] = out[0].capitalize()
    return " ".join(out)

"""Text for fpdf2's core fonts, which draw Latin-1 only: typographic dashes and quotes made plain, anything else
they cannot draw replaced rather than failing the export."""

from __future__ import annotations

_PLAIN = (("\u2013", "-"), ("\u2014", "-"), ("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'"))


def pdf_text(text: object) -> str:
    out = str(text)
    for fancy, plain in _PLAIN:
        out = out.replace(fancy, plain)
    return out.encode("latin-1", "replace").decode("latin-1")

"""Reading an HL7 Structured Product Label (SPL XML): its products and its establishments' operations.

:func:`label_read` turns one SPL file into a :class:`SplLabel`, or raises :class:`LabelUnreadable`
with the reason (and the line, for XML that is not well-formed). What the registry makes of a label
is :mod:`cxo.registry.importers.spl`.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from cxo.registry.geo import country_exists, country_from_address
from cxo.registry.importers.base import open_binary

NS = "{urn:hl7-org:v3}"
DUNS_ROOT = "1.3.6.1.4.1.519.1"
NDC_SYSTEM = "2.16.840.1.113883.6.69"
ACTIVE_CLASSES = frozenset({"ACTIB", "ACTIM", "ACTIR"})
#: Operation C-codes as FDA's labels carry them, for labels that give no operation name.
OPERATION_CODES = {
    "C43360": "MANUFACTURE",
    "C82401": "API MANUFACTURE",
    "C25391": "ANALYSIS",
    "C84731": "PACK",
    "C73606": "REPACK",
}


@dataclass(frozen=True, slots=True)
class SplItem:
    """A product, or one part of a kit: its form, routes and active substances."""

    form_code: str
    form_name: str
    routes: tuple[tuple[str, str], ...]  # (C-code, name)
    substances: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SplProduct:
    ndc: str
    name: str
    items: tuple[SplItem, ...]


@dataclass(frozen=True, slots=True)
class SplOperation:
    name: str  # as the DECRS mapping names it, e.g. "API MANUFACTURE"
    code: str
    ndcs: tuple[str, ...]  # the products it applies to; empty: every product of the label


@dataclass(frozen=True, slots=True)
class SplEstablishment:
    duns: str
    name: str
    address: str
    country: str
    operations: tuple[SplOperation, ...]


@dataclass(frozen=True, slots=True)
class SplLabel:
    index: int
    file: str
    set_id: str
    version: str
    effective: dt.date
    document_type: str
    labeler_duns: str
    labeler_name: str
    registrant_duns: str
    registrant_name: str
    products: tuple[SplProduct, ...]
    establishments: tuple[SplEstablishment, ...]
    skipped: tuple[str, ...] = ()  # what was read but not imported, e.g. an establishment without a DUNS

    @property
    def label_ref(self) -> str:
        return f"SPL {self.set_id} v{self.version}"


def _text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _duns(organisation: ET.Element | None) -> str:
    """The organisation's DUNS number (leading zeros restored), or "" when it gives none that is valid."""
    if organisation is None:
        return ""
    for id_ in organisation.findall(f"{NS}id"):
        value = (id_.get("extension") or "").strip()
        if id_.get("root") == DUNS_ROOT and value.isdigit() and len(value) <= 9:
            return value.zfill(9)
    return ""


def _address(organisation: ET.Element) -> tuple[str, str]:
    addr = organisation.find(f"{NS}addr")
    if addr is None:
        return "", ""
    parts = [_text(addr.find(f"{NS}{tag}")) for tag in ("streetAddressLine", "city", "state", "postalCode")]
    country = _text(addr.find(f"{NS}country"))
    code = country.upper() if len(country) == 3 and country_exists(country.upper()) else ""
    address = ", ".join(p for p in [*parts, country] if p)
    return address, code or country_from_address(address)  # "Ireland", not IRL


def _routes(element: ET.Element) -> tuple[tuple[str, str], ...]:
    return tuple(
        dict.fromkeys(
            ((r.get("code") or "").strip(), (r.get("displayName") or "").strip())
            for r in element.findall(f"{NS}consumedIn/{NS}substanceAdministration/{NS}routeCode")
        )
    )


def _item(product: ET.Element, routes: tuple[tuple[str, str], ...]) -> SplItem:
    form = product.find(f"{NS}formCode")
    substances = [
        _text(ingredient.find(f"{NS}ingredientSubstance/{NS}name")).upper()
        for ingredient in product.findall(f"{NS}ingredient")
        if ingredient.get("classCode") in ACTIVE_CLASSES
    ]
    return SplItem(
        form_code=(form.get("code") or "").strip() if form is not None else "",
        form_name=(form.get("displayName") or "").strip() if form is not None else "",
        routes=routes,
        substances=tuple(dict.fromkeys(s[:255] for s in substances if s)),
    )


def _products(root: ET.Element) -> tuple[SplProduct, ...]:
    products: list[SplProduct] = []
    for subject in root.iter(f"{NS}subject"):
        outer = subject.find(f"{NS}manufacturedProduct")
        if outer is None:
            continue
        inner = outer.find(f"{NS}manufacturedProduct")
        if inner is None:
            inner = outer.find(f"{NS}manufacturedMedicine")
        if inner is None:
            continue
        code = inner.find(f"{NS}code")
        ndc = (code.get("code") or "").strip() if code is not None and code.get("codeSystem") == NDC_SYSTEM else ""
        routes = _routes(outer)
        items: list[SplItem] = []
        whole = _item(inner, routes)
        parts = inner.findall(f"{NS}part")
        if whole.substances or not parts:
            items.append(whole)
        for part in parts:
            part_product = part.find(f"{NS}partProduct")
            if part_product is None:
                part_product = part.find(f"{NS}partMedicine")
            if part_product is not None:
                item = _item(part_product, _routes(part) or routes)
                if item.substances:
                    items.append(item)
        products.append(SplProduct(ndc=ndc, name=_text(inner.find(f"{NS}name")), items=tuple(items)))
    return tuple(products)


def _establishment(entity: ET.Element, known: Collection[str], skipped: list[str]) -> SplEstablishment | None:
    organisation = entity.find(f"{NS}assignedOrganization")
    if organisation is None:
        return None
    name = _text(organisation.find(f"{NS}name"))[:255]
    operations: dict[tuple[str, str], list[str]] = defaultdict(list)
    for act in entity.findall(f"{NS}performance/{NS}actDefinition"):
        code = act.find(f"{NS}code")
        if code is None:
            continue
        c_code = (code.get("code") or "").strip()
        operation = " ".join((code.get("displayName") or "").split()).upper() or OPERATION_CODES.get(c_code, "")
        if operation not in known:
            skipped.append(f"unknown operation {operation or c_code!r} of {name or 'an establishment'}")
            continue
        ndcs = [
            (kind.get("code") or "").strip()
            for kind in act.findall(f".//{NS}manufacturedMaterialKind/{NS}code")
            if kind.get("code")
        ]
        operations[(operation, c_code)].extend(ndcs)
    duns = _duns(organisation)
    if not duns:
        if operations:
            skipped.append(f"establishment {name or '(no name)'} has no DUNS number")
        return None
    if not operations:
        return None
    address, country = _address(organisation)
    return SplEstablishment(
        duns=duns,
        name=name or f"DUNS {duns}",
        address=address,
        country=country,
        operations=tuple(
            SplOperation(name=op, code=code, ndcs=tuple(dict.fromkeys(ndcs))) for (op, code), ndcs in operations.items()
        ),
    )


class LabelUnreadable(Exception):
    """The file is not a usable SPL; ``reason`` says why, ``line`` where when known."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def _value(element: ET.Element | None, attribute: str) -> str:
    return (element.get(attribute) or "").strip() if element is not None else ""


def label_read(path: str, *, file: str, index: int, operations: Collection[str]) -> SplLabel:
    """The label in ``path`` (named ``file`` in messages); ``operations`` are the operation names to keep."""
    try:
        with open_binary(Path(path)) as f:  # a gzipped label is read as it is
            root = ET.parse(f).getroot()  # expat: no external entities, bounded entity expansion
    except ET.ParseError as exc:
        raise LabelUnreadable(f"not well-formed XML ({exc})", line=exc.position[0]) from None
    except (OSError, EOFError) as exc:
        raise LabelUnreadable(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if root.tag != f"{NS}document":
        raise LabelUnreadable(f"not an HL7 SPL document (the root element is {root.tag!r})")
    set_id = _value(root.find(f"{NS}setId"), "root")
    if not set_id:
        raise LabelUnreadable("the label has no setId")
    version = _value(root.find(f"{NS}versionNumber"), "value")
    if not version.isdigit():
        raise LabelUnreadable(f"versionNumber {version!r} is not a number")
    raw_date = _value(root.find(f"{NS}effectiveTime"), "value")[:8]
    try:
        effective = dt.datetime.strptime(raw_date, "%Y%m%d").date()
    except ValueError:
        raise LabelUnreadable(f"effectiveTime {raw_date!r} is not a date (YYYYMMDD)") from None

    labeler = root.find(f"{NS}author/{NS}assignedEntity/{NS}representedOrganization")
    registrant = labeler.find(f"{NS}assignedEntity/{NS}assignedOrganization") if labeler is not None else None
    establishments: list[SplEstablishment] = []
    skipped: list[str] = []
    for holder in labeler.findall(f"{NS}assignedEntity/{NS}assignedOrganization") if labeler is not None else []:
        for entity in holder.findall(f"{NS}assignedEntity"):
            establishment = _establishment(entity, operations, skipped)
            if establishment is not None:
                establishments.append(establishment)
    return SplLabel(
        index=index,
        file=file,
        set_id=set_id,
        version=version,
        effective=effective,
        document_type=_value(root.find(f"{NS}code"), "displayName"),
        labeler_duns=_duns(labeler),
        labeler_name=_text(labeler.find(f"{NS}name")) if labeler is not None else "",
        registrant_duns=_duns(registrant),
        registrant_name=_text(registrant.find(f"{NS}name")) if registrant is not None else "",
        products=_products(root),
        establishments=tuple(establishments),
        skipped=tuple(skipped),
    )

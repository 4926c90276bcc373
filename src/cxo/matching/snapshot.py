"""A plain, column-wise copy of the registry: what both the index and the reference implementation read.

It is read from the database in chunks of ``values_list`` rows (no model instances, and never the
whole result as a list of rows), or built directly from records in tests (:meth:`RegistrySnapshot.from_records`).

The large tables are compact, because at a million sites there are tens of millions of evidence
records: ids and foreign keys are NumPy arrays (``NO_ID`` where there is none), days are proleptic
ordinals (0 = none), evidence kinds are small codes into :data:`EVIDENCE_KINDS`, a capability's
substance is a code into a table of the distinct texts, and evidence references are one UTF-8 buffer
with offsets (:class:`Strings`). Names and other display texts of sites and organisations, the
taxonomy and the compliance events stay tuples in row order (dates there may be ``None``).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

I8 = NDArray[np.int8]
I32 = NDArray[np.int32]
I64 = NDArray[np.int64]

EVIDENCE_KINDS: tuple[str, ...] = (
    "fda_registration",
    "ndc_listing",
    "spl_establishment",
    "clinical_trial",
    "audit",
    "self_declared",
    "ndc_unfinished",
)
REGULATORY_KINDS = frozenset(
    {"fda_registration", "ndc_listing", "spl_establishment", "clinical_trial", "ndc_unfinished"}
)
PRODUCT_VOCABULARIES: tuple[str, ...] = ("dosage_form", "route", "modality", "scale")
NO_ID = -1  # an absent foreign key (an organisation-level capability's site, a capability without a route)
CHUNK_ROWS = 20_000  # rows read from the database at a time


def _columns(rows: Iterable[Sequence[Any]], width: int) -> list[tuple[Any, ...]]:
    cols = list(zip(*rows, strict=True))
    return cols if cols else [() for _ in range(width)]


def _i64() -> I64:
    return np.zeros(0, np.int64)


def _i32() -> I32:
    return np.zeros(0, np.int32)


class Strings:
    """Many short strings as one UTF-8 buffer: string ``i`` is ``data[offsets[i]:offsets[i + 1]]``."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes = b"", offsets: I64 | None = None) -> None:
        self.data = data
        self.offsets = np.zeros(1, np.int64) if offsets is None else offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.data[self.offsets[i] : self.offsets[i + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    @property
    def nbytes(self) -> int:
        return len(self.data) + self.offsets.nbytes


@dataclass
class Terms:
    id: tuple[int, ...] = ()
    vocabulary: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    name: tuple[str, ...] = ()
    synonyms: tuple[Sequence[str], ...] = ()
    parent: tuple[int | None, ...] = ()
    sort: tuple[int, ...] = ()
    cdisc_code: tuple[str, ...] = ()


@dataclass
class Organisations:
    id: I64 = field(default_factory=_i64)
    name: tuple[str, ...] = ()
    slug: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()


@dataclass
class Sites:
    id: I64 = field(default_factory=_i64)
    organisation: I64 = field(default_factory=_i64)
    name: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    duns: tuple[str | None, ...] = ()
    fei: tuple[str, ...] = ()
    registration_expiry: I32 = field(default_factory=_i32)  # day ordinal, 0 = none


@dataclass
class Capabilities:
    id: I64 = field(default_factory=_i64)
    organisation: I64 = field(default_factory=_i64)
    site: I64 = field(default_factory=_i64)  # NO_ID: organisation-level
    # Term ids (a taxonomy of hundreds of terms: int32), NO_ID where the capability names none.
    service: I32 = field(default_factory=_i32)
    dosage_form: I32 = field(default_factory=_i32)
    route: I32 = field(default_factory=_i32)
    modality: I32 = field(default_factory=_i32)
    scale: I32 = field(default_factory=_i32)
    substance: I32 = field(default_factory=_i32)  # code into ``substances``
    substances: tuple[str, ...] = ()  # the distinct substance texts, as recorded ("" = none)

    def substance_of(self, i: int) -> str:
        return self.substances[self.substance[i]]


@dataclass
class EvidenceRecords:
    id: I64 = field(default_factory=_i64)
    capability: I64 = field(default_factory=_i64)
    kind: I8 = field(default_factory=lambda: np.zeros(0, np.int8))  # position in EVIDENCE_KINDS
    source_ref: Strings = field(default_factory=Strings)
    observed_on: I32 = field(default_factory=_i32)  # day ordinal, 0 = none


@dataclass
class ComplianceRecords:
    """FDA compliance events joined to sites by FEI key: inspections, warning letters, Class I recalls."""

    fei: tuple[str, ...] = ()  # FEI key (registry.models.fei_key)
    kind: tuple[str, ...] = ()  # "inspection", "warning_letter" or "recall" (Class I only)
    day: tuple[dt.date | None, ...] = ()
    classification: tuple[str, ...] = ()  # NAI / VAI / OAI for inspections


# --- columns built chunk by chunk -------------------------------------------------------------------


class _Column:
    def add(self, values: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def done(self) -> Any:
        raise NotImplementedError


class _Numbers(_Column):
    """A NumPy column; ``convert`` maps each value to a number (ids need none: they come as ints)."""

    def __init__(self, dtype: Any, convert: Callable[[Any], int] | None = None) -> None:
        self.dtype, self.convert, self.parts = dtype, convert, list[np.ndarray]()

    def add(self, values: tuple[Any, ...]) -> None:
        source = values if self.convert is None else map(self.convert, values)
        self.parts.append(np.fromiter(source, self.dtype, count=len(values)))

    def done(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, self.dtype)


class _Keys(_Numbers):
    """A column of foreign keys, ``NO_ID`` for none (converted only in chunks that have one)."""

    def add(self, values: tuple[Any, ...]) -> None:
        source = map(_id_or_none, values) if None in values else values
        self.parts.append(np.fromiter(source, self.dtype, count=len(values)))


class _Texts(_Column):
    """A tuple of strings; ``shared`` ones (few distinct values, such as countries) are kept once."""

    def __init__(self, *, shared: bool = False) -> None:
        self.values: list[Any] = []
        self.seen: _Shared | None = _Shared() if shared else None

    def add(self, values: tuple[Any, ...]) -> None:
        self.values.extend(values if self.seen is None else map(self.seen.__getitem__, values))

    def done(self) -> tuple[Any, ...]:
        return tuple(self.values)


class _Shared(dict[Any, Any]):
    def __missing__(self, value: Any) -> Any:
        self[value] = value
        return value


class _Codes(dict[Any, int]):
    """Text -> its code, numbered in order of first sight (``names`` in code order; None reads as "")."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __missing__(self, text: Any) -> int:
        code = self[text] = len(self.names)
        self.names.append(text or "")
        return code


class _CodedTexts(_Column):
    def __init__(self) -> None:
        self.codes = _Codes()
        self.numbers = _Numbers(np.int32, self.codes.__getitem__)

    def add(self, values: tuple[Any, ...]) -> None:
        self.numbers.add(values)

    def done(self) -> tuple[I32, tuple[str, ...]]:
        return self.numbers.done(), tuple(self.codes.names)


class _StringsColumn(_Column):
    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.lengths: list[I64] = []

    def add(self, values: tuple[Any, ...]) -> None:
        joined = "".join(values)
        if joined.isascii():  # nearly always: a character is a byte
            self.data.append(joined.encode("ascii"))
            self.lengths.append(np.fromiter(map(len, values), np.int64, count=len(values)))
        else:
            encoded = [v.encode() for v in values]
            self.data.append(b"".join(encoded))
            self.lengths.append(np.fromiter(map(len, encoded), np.int64, count=len(values)))

    def done(self) -> Strings:
        offsets = np.zeros(1 + sum(len(n) for n in self.lengths), np.int64)
        if self.lengths:
            np.cumsum(np.concatenate(self.lengths), out=offsets[1:])
        return Strings(b"".join(self.data), offsets)


def _read(rows: Iterable[Sequence[Any]], columns: Sequence[_Column]) -> list[Any]:
    """Feed rows to the columns a chunk at a time; the finished columns."""
    it = iter(rows)
    while batch := list(itertools.islice(it, CHUNK_ROWS)):
        for column, values in zip(columns, zip(*batch, strict=True), strict=True):
            column.add(values)
    return [column.done() for column in columns]


class _Ordinals(dict[Any, int]):
    """ISO text (or a date) -> its proleptic ordinal, 0 for none; each distinct value is parsed once."""

    def __missing__(self, value: Any) -> int:
        if not value:
            ordinal = 0
        elif isinstance(value, dt.date):
            ordinal = value.toordinal()
        else:
            ordinal = dt.date.fromisoformat(value).toordinal()
        self[value] = ordinal
        return ordinal


_KIND_CODE = {kind: i for i, kind in enumerate(EVIDENCE_KINDS)}


def _id_or_none(value: int | None) -> int:
    return NO_ID if value is None else value


def _sites(rows: Iterable[Sequence[Any]], key: Callable[[Any], int]) -> Sites:
    """Rows: id, organisation, name, country, duns, fei, registration expiry (read by ``key``)."""
    cols = _read(
        rows,
        [
            _Numbers(np.int64),
            _Numbers(np.int64),
            _Texts(),
            _Texts(shared=True),
            _Texts(),
            _Texts(),
            _Numbers(np.int32, key),
        ],
    )
    return Sites(*cols)


def _capabilities(rows: Iterable[Sequence[Any]]) -> Capabilities:
    """Rows: id, organisation, site, service, dosage form, route, modality, scale, substance."""
    cap, org, site, service, form, route, modality, scale, (substance, substances) = _read(
        rows,
        [
            _Numbers(np.int64),
            _Numbers(np.int64),
            _Keys(np.int64),
            *(_Keys(np.int32) for _ in range(5)),
            _CodedTexts(),
        ],
    )
    return Capabilities(cap, org, site, service, form, route, modality, scale, substance, substances)


def _evidence(rows: Iterable[Sequence[Any]], key: Callable[[Any], int]) -> EvidenceRecords:
    """Rows: id, capability, kind, source reference, observed on (read by ``key``)."""
    cols = _read(
        rows,
        [
            _Numbers(np.int64),
            _Numbers(np.int64),
            _Numbers(np.int8, _KIND_CODE.__getitem__),
            _StringsColumn(),
            _Numbers(np.int32, key),
        ],
    )
    return EvidenceRecords(*cols)


@dataclass
class RegistrySnapshot:
    """The registry as columns. Build with :func:`snapshot_from_db` or :meth:`from_records`."""

    terms: Terms = field(default_factory=Terms)
    organisations: Organisations = field(default_factory=Organisations)
    sites: Sites = field(default_factory=Sites)
    capabilities: Capabilities = field(default_factory=Capabilities)
    evidence: EvidenceRecords = field(default_factory=EvidenceRecords)
    compliance: ComplianceRecords = field(default_factory=ComplianceRecords)

    @classmethod
    def from_records(
        cls,
        *,
        terms: Iterable[Sequence[Any]],
        organisations: Iterable[Sequence[Any]],
        sites: Iterable[Sequence[Any]],
        capabilities: Iterable[Sequence[Any]],
        evidence: Iterable[Sequence[Any]],
        compliance: Iterable[Sequence[Any]] = (),
    ) -> RegistrySnapshot:
        """Rows as tuples in the field order of :class:`Terms`, :class:`Organisations`, … , with ids,
        ``None`` for an absent foreign key, kinds and references as text and dates as ``dt.date`` or
        ``None`` (capabilities have one substance text in place of ``substance`` and ``substances``)."""
        terms = [(*t, "") if len(t) == 7 else t for t in terms]  # cdisc_code is optional
        days = _Ordinals()
        return cls(
            terms=Terms(*_columns(terms, 8)),
            organisations=_organisations(organisations),
            sites=_sites(sites, days.__getitem__),
            capabilities=_capabilities(capabilities),
            evidence=_evidence(evidence, days.__getitem__),
            compliance=ComplianceRecords(*_columns(compliance, 4)),
        )


def _organisations(rows: Iterable[Sequence[Any]]) -> Organisations:
    """Rows: id, name, slug, kind."""
    return Organisations(*_read(rows, [_Numbers(np.int64), _Texts(), _Texts(), _Texts(shared=True)]))


def snapshot_from_db() -> RegistrySnapshot:
    """Read the whole public registry with six ``values_list`` queries, a chunk of rows at a time."""
    from django.db.models import CharField, Exists, OuterRef, Q
    from django.db.models.functions import Cast

    from cxo.core.models import Organisation
    from cxo.registry.models import (
        Capability,
        ComplianceEvent,
        ComplianceKind,
        Evidence,
        EvidenceKind,
        Site,
        Term,
        term_display,
    )

    def rows(queryset: Any) -> Iterator[Any]:
        return queryset.iterator(chunk_size=CHUNK_ROWS)

    terms = Term.objects.order_by("id").values_list(
        "id", "vocabulary", "code", "name", "synonyms", "parent_id", "sort", "cdisc_code"
    )
    in_registry = Q(Exists(Site.objects.filter(organisation=OuterRef("pk")))) | Q(
        Exists(Capability.objects.filter(organisation=OuterRef("pk")))
    )
    organisations = Organisation.objects.filter(in_registry).order_by("id").values_list("id", "name", "slug", "kind")
    # Dates are read as ISO text and parsed once per distinct value: the per-row date converters of
    # the database layer were most of the time of reading 100k sites and 300k evidence records.
    days = _Ordinals()
    sites = (
        Site.objects.order_by("id")
        .annotate(expiry=Cast("registration_expiry", CharField()))
        .values_list("id", "organisation_id", "name", "country", "duns", "fei", "expiry")
    )
    # A trial an organisation sponsors or collaborates on shows it bought (or funded, or hosted)
    # clinical services, not that it sells them (the same reading as cxo.registry.kind): such evidence
    # is left out, and so is a capability that rests on nothing else.
    sponsor_led = Q(kind=EvidenceKind.CLINICAL_TRIAL)
    own_evidence = Evidence.objects.filter(capability=OuterRef("pk"))
    bought_only = Exists(own_evidence.filter(sponsor_led)) & ~Exists(own_evidence.exclude(sponsor_led))
    capabilities = (
        Capability.objects.exclude(bought_only)
        .order_by("id")
        .values_list(
            "id",
            "organisation_id",
            "site_id",
            "service_id",
            "dosage_form_id",
            "route_id",
            "modality_id",
            "scale_id",
            "substance",
        )
    )
    evidence = (
        Evidence.objects.exclude(sponsor_led)
        .order_by("id")
        .annotate(observed=Cast("observed_on", CharField()))
        .values_list("id", "capability_id", "kind", "source_ref", "observed")
    )
    flagged = (
        Q(kind=ComplianceKind.INSPECTION)
        | Q(kind=ComplianceKind.WARNING_LETTER)
        | Q(kind=ComplianceKind.RECALL, classification="Class I")
    )
    compliance = (
        ComplianceEvent.objects.filter(flagged)
        .exclude(fei="")
        .order_by("id")
        .annotate(day=Cast("occurred_on", CharField()))
        .values_list("fei", "kind", "day", "classification")
    )
    return RegistrySnapshot(
        # Names as people read them (SPL's "TABLET, FILM COATED" as "Tablet, film coated"): every label, chip and
        # explanation comes from here; matching compares case-folded text, so nothing else changes.
        terms=Terms(*_columns([(*t[:3], term_display(t[3]), tuple(t[4] or ()), *t[5:]) for t in terms], 8)),
        organisations=_organisations(rows(organisations)),
        sites=_sites(rows(sites), days.__getitem__),
        capabilities=_capabilities(rows(capabilities)),
        evidence=_evidence(rows(evidence), days.__getitem__),
        compliance=ComplianceRecords(
            *_columns([(fei, kind, _date(day), classification) for fei, kind, day, classification in compliance], 4)
        ),
    )


@functools.cache
def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None

"""A need resolved to ids: what the engine and the reference implementation score against."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Criteria:
    """A need with its strings resolved: term ids, ISO alpha-3 country codes, organisation ids.

    ``countries`` is ``None`` when no country or region was asked for (every country passes);
    ``limit`` is ``None`` for "all matches".
    """

    services: tuple[int, ...] = ()
    products: tuple[int, ...] = ()  # dosage form, route, modality and scale term ids
    substance: str = ""  # normalised (rules.normalise_substance); empty when not asked for
    countries: frozenset[str] | None = None
    exclude_countries: frozenset[str] = field(default_factory=frozenset)
    exclude_organisations: frozenset[int] = field(default_factory=frozenset)
    require_evidence: tuple[str, ...] = ()  # evidence kinds, or rules.FDA_REGISTRATION_CURRENT
    limit: int | None = 50
    per_organisation: bool = False
    exclude_flagged: bool = False  # leave out sites with OAI, a warning letter or a Class I recall in the window

    @property
    def product_count(self) -> int:
        return len(self.products) + (1 if self.substance else 0)


@dataclass(frozen=True)
class RankedRow:
    """One ranked result, as both implementations report it. ``site_id`` is None for a pseudo-row."""

    site_id: int | None
    organisation_id: int
    score: int


@dataclass(frozen=True)
class Ranking:
    total: int
    rows: tuple[RankedRow, ...]

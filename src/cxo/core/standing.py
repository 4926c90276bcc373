"""What a sponsor's own supplier oversight says about a provider, for the apps below the one that knows.

Matching's explanations, the RFP invitation page and the award show, beside a site or provider, whether
the sponsor has qualified it for the requested services and what is open; the award asks whether placing
the work needs a justification or is refused. The quality app answers, but matching and sourcing never
import it: it registers one :class:`StandingSource` here in its ``AppConfig.ready`` (as
:mod:`cxo.core.links` does for records). With none registered every answer is empty and nothing is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cxo.core.models import Organisation


@dataclass(frozen=True)
class Standing:
    """The sponsor's word on one site (or one provider, over its sites) for the requested services.

    ``state`` is a code (``approved``, ``under_review`` …, ``none`` when not on the list); ``tone`` is
    ``ok`` / ``warn`` / ``bad`` / ``none`` for the badge; ``issues`` are open matters in words.
    """

    state: str
    label: str
    tone: str
    issues: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class AwardCheck:
    """Whether work for ``services`` may be placed with a provider: ``ok``, or why not (``message``), and whether
    the sponsor's policy refuses it (``blocked``) rather than asking for a justification."""

    ok: bool
    message: str = ""
    blocked: bool = False


class StandingSource(Protocol):
    def sites(self, sponsor: Organisation, site_ids: Sequence[int], services: Sequence[str]) -> dict[int, Standing]:
        """Standing per site id, for those the sponsor has any word on."""
        ...

    def providers(
        self, sponsor: Organisation, provider_ids: Sequence[int], services: Sequence[str]
    ) -> dict[int, Standing]:
        """Standing per provider organisation id, over its sites."""
        ...

    def award(self, sponsor: Organisation, provider: Organisation, services: Sequence[str]) -> AwardCheck:
        """Whether the sponsor may award work for ``services`` to ``provider`` as it stands."""
        ...


_SOURCES: list[StandingSource] = []


def standing_source_register(source: StandingSource) -> None:
    """Answer the standing questions with ``source`` (once; registering it again changes nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def site_standings(*, sponsor: Organisation, site_ids: Sequence[int], services: Sequence[str]) -> dict[int, Standing]:
    """The sponsor's standing for each of these sites, for the requested service codes (batched: one call)."""
    out: dict[int, Standing] = {}
    if not sponsor.is_sponsor or not site_ids:
        return out
    for source in _SOURCES:
        out.update(source.sites(sponsor, list(site_ids), list(services)))
    return out


def provider_standings(
    *, sponsor: Organisation, provider_ids: Sequence[int], services: Sequence[str]
) -> dict[int, Standing]:
    """The sponsor's standing for each of these provider organisations, over their sites."""
    out: dict[int, Standing] = {}
    if not sponsor.is_sponsor or not provider_ids:
        return out
    for source in _SOURCES:
        out.update(source.providers(sponsor, list(provider_ids), list(services)))
    return out


def award_check(*, sponsor: Organisation, provider: Organisation, services: Sequence[str]) -> AwardCheck:
    """The first objection any source raises to awarding ``services`` to ``provider``, or ok."""
    for source in _SOURCES:
        check = source.award(sponsor, provider, list(services))
        if not check.ok:
            return check
    return AwardCheck(ok=True)

"""API shapes of matching and shortlists (the need itself is :class:`cxo.matching.need.Need`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from cxo.matching.need import Need


class MatchEvidenceOut(Schema):
    """Evidence behind a criterion of a match (the registry's own evidence is registry.schemas.EvidenceOut)."""

    kind: str
    kind_label: str
    source_ref: str
    observed_on: dt.date | None
    capability: str
    level: str = Field(description="'site' or 'organisation': where the capability is recorded")


class ExplanationOut(Schema):
    criterion: str
    label: str = ""
    status: str = Field(description="met, partly or not_met")
    detail: str
    points: int | None = None
    max_points: int | None = None
    evidence: list[MatchEvidenceOut] = Field(default_factory=list)


class MatchSiteOut(Schema):
    id: int | None
    duns: str | None
    fei: str | None
    name: str | None
    country: str | None
    country_name: str | None = None
    url: str | None = Field(None, description="The site's registry page, where its evidence is listed.")


class MatchOrganisationOut(Schema):
    id: int
    name: str
    kind: str | None = Field(None, description="Its first role (see roles).")
    roles: list[str] = Field(default_factory=list, description="Its roles, derived from the public record.")
    slug: str
    url: str | None = None


class MatchRowOut(Schema):
    rank: int
    score: int
    site: MatchSiteOut
    organisation: MatchOrganisationOut
    explanation: list[ExplanationOut]
    tie: str = Field("", description="When its score equals a neighbour's: what placed it, or that nothing did.")


class MatchIn(Need):
    """A need, and which page of its matches: ``limit`` rows a page (``all``: pages of the maximum)."""

    page: int = Field(default=1, description="Page of the ranking, from 1; pages hold `limit` rows.")


class MatchOut(Schema):
    total: int = Field(description="Matches before the limit (after one-per-organisation, if asked).")
    page: int = Field(1, description="This page's number, from 1.")
    page_size: int = Field(description="Rows a page: `limit`, or the maximum when `all` is asked.")
    pages: int = Field(description="Number of pages (at least 1).")
    results: list[MatchRowOut]
    notes: list[str] = Field(
        [],
        description="Why the need must find nothing whatever the registry holds, e.g. a current FDA registration "
        "required when the newest DECRS file imported has expired.",
    )


class TermOut(Schema):
    code: str
    name: str
    vocabulary: str


class ShortlistIn(Schema):
    # Optional in the schema so that membership is checked first (an outsider gets 404, not 422);
    # the service refuses an empty name with a 400.
    name: str = ""


class ShortlistOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    created_by: str | None
    entry_count: int

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None

    @staticmethod
    def resolve_entry_count(obj: Any) -> int:
        count = getattr(obj, "entry_count", None)
        return int(count if count is not None else obj.entries.count())


class ShortlistEntryIn(Schema):
    site_id: int | None = Field(None, description="A registry site; or give organisation_id for a whole organisation.")
    organisation_id: int | None = None
    note: str = ""
    need: Need | None = Field(None, description="The need it was found with: its score is computed and kept.")


class ShortlistEntryOut(Schema):
    id: int
    organisation_id: int | None
    organisation_name: str
    site_id: int | None
    site_name: str
    site_country: str
    note: str
    score: int | None
    need: dict[str, Any]
    added_at: dt.datetime
    added_by: str | None

    @staticmethod
    def resolve_organisation_id(obj: Any) -> int | None:
        return int(obj.provider_id) if obj.provider_id else None

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.provider_name)

    @staticmethod
    def resolve_added_by(obj: Any) -> str | None:
        return obj.added_by.get_username() if obj.added_by_id else None


class ShortlistDetailOut(ShortlistOut):
    entries: list[ShortlistEntryOut]

    @staticmethod
    def resolve_entries(obj: Any) -> list[Any]:
        from cxo.matching.selectors import shortlist_entry_list

        return list(shortlist_entry_list(shortlist=obj))

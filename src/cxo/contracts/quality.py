"""What quality says about a work order: is the site approved for the service, is a quality agreement in force?

Activation asks :func:`quality_on_record`. Quality records live in ``cxo.quality`` (qualification of a site for
a service, quality agreements); until that app is installed, or while the sponsor has no quality records, the
answer is *not on record* and does not stop activation — the page and the API say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.apps import apps

from cxo.core.models import Organisation
from cxo.registry.models import Site, Term

Standing = Literal["ok", "refused", "not_on_record"]
NOT_ON_RECORD = "not on record"


@dataclass(frozen=True)
class QualityCheck:
    """One question asked of quality: ``standing`` ok (activation may go on), refused (it may not) or not on
    record (quality has nothing to say); ``label`` says it in words."""

    subject: str  # "Site approval" | "Quality agreement"
    standing: Standing
    label: str

    @property
    def refused(self) -> bool:
        return self.standing == "refused"


def quality_installed() -> bool:
    return apps.is_installed("cxo.quality")


def quality_on_record(
    *, sponsor: Organisation, provider: Organisation, site: Site | None, service: Term | None, on: dt.date
) -> list[QualityCheck]:
    """The site's approval for the service and the quality agreement in force on ``on``, as quality records them."""
    if not quality_installed():
        return [
            QualityCheck("Site approval", "not_on_record", NOT_ON_RECORD),
            QualityCheck("Quality agreement", "not_on_record", NOT_ON_RECORD),
        ]
    raise NotImplementedError("cxo.quality is installed: wire its selectors here.")  # pragma: no cover

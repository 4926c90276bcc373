"""FDA registration status, decided on the day it is read — never stored.

DECRS lists each establishment with the date its registration expires (31 December of the fiscal
year it was renewed for). Whether a registration is *current* depends on today's date, so the
registry stores only the expiry date and this module answers the question each time:

- **current** — the expiry date is today or later;
- **expired** — it is past, and the newest DECRS file imported lists the site with no later
  expiry: the registration was not renewed;
- **source expired** — it is past, but so is the newest DECRS file itself: the site is listed in
  it, and whether it renewed is unknown until a newer file is imported. The product says so once,
  at the source (:attr:`RegistrationSource.notice`), instead of branding every site "expired";
- **not registered** — no registration on record (e.g. a site known only from an SPL label).

:func:`registration_source` reads the newest file's validity (one indexed query); pages, the API,
the directory facets and matching take "today" from it, so a frozen clock in a test moves them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Max
from django.utils import timezone

from cxo.registry.models import Site


class RegistrationStatus(models.TextChoices):
    CURRENT = "current", "Registration current"
    EXPIRED = "expired", "Registration expired"
    SOURCE_EXPIRED = "source_expired", "Listed in an expired DECRS file"
    UNREGISTERED = "unregistered", "Not registered"


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class RegistrationSource:
    """The newest registration file the registry holds, as of ``today``."""

    today: dt.date
    valid_until: dt.date | None  # the latest expiry date on record: the newest file's end of validity

    @property
    def fiscal_year(self) -> int | None:
        return self.valid_until.year if self.valid_until else None

    @property
    def expired(self) -> bool:
        """Whether every registration on record has expired: the newest file itself is out of date."""
        return self.valid_until is not None and self.valid_until < self.today

    @property
    def notice(self) -> str:
        """What to say once, at the source, when the newest file has expired; "" otherwise."""
        if not self.expired or self.valid_until is None:
            return ""
        return (
            f"The newest DECRS file imported is FY{self.fiscal_year}; registrations it lists expired on "
            f"{_day(self.valid_until)} — import the current file (cxo import decrs FILE)."
        )

    def status(self, expiry: dt.date | None) -> RegistrationStatus:
        """The status of a registration that expires (or expired) on ``expiry``, as of ``today``."""
        if expiry is None:
            return RegistrationStatus.UNREGISTERED
        if expiry >= self.today:
            return RegistrationStatus.CURRENT
        if self.valid_until is not None and expiry >= self.valid_until:
            return RegistrationStatus.SOURCE_EXPIRED
        return RegistrationStatus.EXPIRED

    def explain(self, expiry: dt.date | None) -> str:
        """The status in a sentence, for a site page or an API answer."""
        status = self.status(expiry)
        if status == RegistrationStatus.CURRENT and expiry is not None:
            return f"Registered with FDA until {_day(expiry)}."
        if status == RegistrationStatus.SOURCE_EXPIRED and expiry is not None:
            return (
                f"Listed in the newest DECRS file imported (FY{self.fiscal_year}), whose registrations expired on "
                f"{_day(expiry)}; whether it renewed is not known until the current file is imported."
            )
        if status == RegistrationStatus.EXPIRED and expiry is not None:
            newest = f" (FY{self.fiscal_year})" if self.fiscal_year else ""
            return f"Registration expired on {_day(expiry)} and is not in the newest DECRS file imported{newest}."
        return "No FDA establishment registration on record."

    def current_filter_empty_reason(self) -> str:
        """Why a filter for current registrations must find nothing, or "" when it may find some."""
        if self.valid_until is None:
            return "No DECRS registration file has been imported, so no registration can be current."
        if self.expired:
            return f"No registration can be current: {self.notice[0].lower()}{self.notice[1:]}"
        return ""


def registration_source(*, today: dt.date | None = None) -> RegistrationSource:
    """The newest registration file's validity as of ``today`` (default: the local date now): one indexed query.

    The newest file's end of validity is the latest expiry date any site has: every file lists
    registrations that expire on 31 December of its fiscal year.
    """
    valid_until = Site.objects.aggregate(newest=Max("registration_expiry"))["newest"]
    return RegistrationSource(today=today or timezone.localdate(), valid_until=valid_until)

"""Links from a record to the records other apps made from it, so an app never imports the apps above it.

An app above registers a finder for a model below it (in its ``AppConfig.ready``); pages and API
operations of the app below show whatever :func:`record_links` returns. Contracts, for example, links an
award (sourcing) to the work order drafted from it, and the RFP page and the award API show that link
without sourcing knowing that work orders exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from cxo.core.models import Organisation


@dataclass(frozen=True)
class RecordLink:
    """A record made from another: ``rel`` names the kind (``"work-order"``), ``url`` is its page for the viewer's
    organisation and ``api_url`` its API resource (relative to ``/api/v1``)."""

    rel: str
    label: str
    url: str
    api_url: str


LinkFinder = Callable[[models.Model, Organisation], list[RecordLink]]

_FINDERS: dict[type[models.Model], list[LinkFinder]] = {}


def record_links_register(model: type[models.Model], finder: LinkFinder) -> None:
    """Call ``finder(obj, organisation)`` for every ``model`` record whose links are asked for."""
    finders = _FINDERS.setdefault(model, [])
    if finder not in finders:
        finders.append(finder)


def record_links(obj: models.Model, *, organisation: Organisation) -> list[RecordLink]:
    """What other apps made from ``obj`` that ``organisation`` may see, in the order the finders were registered."""
    return [link for finder in _FINDERS.get(type(obj), []) for link in finder(obj, organisation)]

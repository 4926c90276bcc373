"""How a route is declared for the tenant-isolation walk, the same way for every app (the tables are
``cxo.testing.routes`` and ``cxo.testing.quality_routes``; the walk is ``cxo.testing.walk``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["public", "signed_in", "curator", "tenant"]
Kwargs = Callable[[Any], dict[str, Any]]

# The provider's side of a record: its member signs in to the pages, its token calls the API.
PROVIDER_USER = {"owner": "provider_user"}
PROVIDER_TOKEN = {"owner_token": "provider_secret"}


def _none(world: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Route:
    kind: Kind
    kwargs: Kwargs = _none
    methods: tuple[str, ...] = ("GET",)
    # An owner request that may legitimately answer 404 (e.g. an object deleted by an earlier POST).
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def ids(owner: str = "sponsor", *, slug: str = "org", **objects: str) -> Kwargs:
    """The path parameters of records in the walk's world: ``slug`` takes the slug of the world's ``owner``
    organisation (``"org"`` on pages, ``"slug"`` in the API), and each other parameter the primary key of the
    world attribute it names (``work_order_id="work_order"``)."""

    def kwargs(world: Any) -> dict[str, Any]:
        return {slug: getattr(world, owner).slug, **{name: getattr(world, attr).pk for name, attr in objects.items()}}

    return kwargs


def operations(prefix: str, declared: Iterable[str], route: Route) -> dict[str, Route]:
    """API operations (``"POST /invoices/{invoice_id}/pay"``) under ``prefix``, all reached as ``route``."""
    table = {}
    for operation in declared:
        method, path = operation.split(" ", 1)
        table[f"{method} {prefix}{path}"] = route
    return table

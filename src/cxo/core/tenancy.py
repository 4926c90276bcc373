"""Tenancy that fails closed: a query of tenant data runs only once it says whose data it wants.

Every tenant row is one of three kinds (``docs/architecture.md`` → Tenancy has the whole story):

* **Owned rows** inherit :class:`TenantOwned`: ``organisation`` is the owner. ``Model.objects`` returns
  querysets that refuse to run (:class:`TenantScopeError`) until scoped:

  - ``.for_organisation(org)`` / ``.for_organisations(orgs)`` / ``.visible_to(user)``: what the owner sees;
  - ``.for_party(org)``: rows ``org`` owns *or* is a declared counterparty of;
  - ``.for_counterparty(org)``: only the rows where ``org`` is a counterparty (a provider's side of a
    sponsor's record).

  A model names its counterparties in ``parties``: ``(Party("provider"),)`` for a work order;
  ``(Party("invitations__provider", when=~Q(status="draft")),)`` for an RFP, whose parties are its
  invited providers once it is issued.
* **Child rows** inherit :class:`TenantChild` and name the path to the owned row they belong to in
  ``tenant_parent`` (``"rfp"``, ``"version__proposal"``). They are reached through their scoped parent
  (``rfp.line_items.all()``) or scoped like it (``.for_organisation(org)``, ``.for_party(org)``: the
  parent's rules apply). ``RfpLineItem.objects.all()`` raises like any unscoped query.
* **Per-user rows** (notifications) use :class:`ScopedQuerySet` with their own scope (``for_user``).

Related managers (``org.shortlists.all()``, ``rfp.line_items.all()``) are scoped by their parent. Code
that truly needs everything (migrations, admin, importers, the audit writer, the tenant walk) says so
with ``Model.unscoped``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from cxo.core.models import Organisation, User

_M = TypeVar("_M", bound=models.Model)


class TenantScopeError(RuntimeError):
    """A query of tenant data ran without a tenant scope."""


@dataclass(frozen=True)
class Party:
    """A counterparty of an owned row: the organisation at ``path`` (from the row), whenever ``when`` holds.

    ``Party("provider")``: the provider a work order names. ``Party("rfp__invitations__provider",
    when=Q(visibility="published"))``: every provider invited to the RFP, for published answers only.
    """

    path: str
    when: Q | None = None


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that refuses to fetch, count, change or delete rows until a scope marks it."""

    _tenant_scoped = False

    # _clone is the one place every chained queryset passes (private Django API).
    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]  # django-stubs does not declare QuerySet._clone
        clone._tenant_scoped = self._tenant_scoped
        return clone

    def _mark_scoped(self) -> Self:
        self._tenant_scoped = True
        return self

    def unscoped(self) -> Self:
        """Everything, on purpose: migrations, admin, importers, the audit writer and the tenant walk only."""
        return self._clone()._mark_scoped()

    def _require_scope(self) -> None:
        if not self._tenant_scoped:
            raise TenantScopeError(
                f"Unscoped query of tenant data ({self.model.__name__}): scope it (.for_organisation(), "
                ".for_party(), .visible_to(), or through its parent) or say Model.unscoped."
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def count(self) -> int:
        self._require_scope()
        return super().count()

    def exists(self) -> bool:
        self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._require_scope()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()


def _is_multi_valued(model: type[models.Model], path: str) -> bool:
    """Whether following ``path`` from ``model`` can reach several rows (a reverse or many-to-many step)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        related = field.related_model
        if related is None or isinstance(related, str):
            return False
        model = related
    return False


def _path_q(model: type[models.Model], path: str, organisation: Organisation) -> Q:
    """``path == organisation``; a path through a reverse relation becomes a subquery, so rows never repeat."""
    if _is_multi_valued(model, path):
        return Q(pk__in=model._base_manager.filter(**{path: organisation}).values("pk"))
    return Q(**{path: organisation})


def _parent_model(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        related = model._meta.get_field(name).related_model
        if related is None or isinstance(related, str):
            raise TypeError(f"{model.__name__}.tenant_parent: '{path}' is not a path of foreign keys.")
        model = related
    return model


class TenantQuerySet(ScopedQuerySet[_M]):
    """Rows of owned models (:class:`TenantOwned`) and of their children (:class:`TenantChild`)."""

    def _parent(self) -> str:
        """The path to the owned row: '' for an owned model, ``tenant_parent`` for a child row."""
        parent: str = getattr(self.model, "tenant_parent", "")
        return parent

    def _owner_path(self) -> str:
        parent = self._parent()
        return f"{parent}__organisation" if parent else "organisation"

    def for_organisation(self, organisation: Organisation) -> Self:
        """The rows ``organisation`` owns."""
        return self.filter(**{self._owner_path(): organisation})._mark_scoped()

    def for_organisations(self, organisations: Iterable[Organisation] | models.QuerySet[Organisation]) -> Self:
        return self.filter(**{f"{self._owner_path()}__in": organisations})._mark_scoped()

    def visible_to(self, user: User) -> Self:
        """Rows owned by any organisation the user is a member of."""
        if not user.is_authenticated:
            return self.none()._mark_scoped()
        return self.filter(**{f"{self._owner_path()}__memberships__user": user})._mark_scoped()

    def for_party(self, organisation: Organisation) -> Self:
        """Rows ``organisation`` owns or is a counterparty of (the model's ``parties``)."""
        return self._parties(organisation, owner=True)

    def for_counterparty(self, organisation: Organisation) -> Self:
        """Rows where ``organisation`` is a counterparty, not the owner: a provider's side of a sponsor's record."""
        return self._parties(organisation, owner=False)

    def _parties(self, organisation: Organisation, *, owner: bool) -> Self:
        parent = self._parent()
        if parent:
            parents = _parent_model(self.model, parent)._default_manager.all()
            if not isinstance(parents, TenantQuerySet):
                raise TypeError(f"{self.model.__name__}.tenant_parent must lead to a tenant-owned model.")
            scoped = parents._parties(organisation, owner=owner)
            return self.filter(**{f"{parent}__in": scoped.values("pk")})._mark_scoped()
        terms = [Q(organisation=organisation)] if owner else []
        for party in getattr(self.model, "parties", ()):
            term = _path_q(self.model, party.path, organisation)
            terms.append(term & party.when if party.when is not None else term)
        if not terms:
            return self.none()._mark_scoped()
        return self.filter(reduce(operator.or_, terms))._mark_scoped()


class FailClosedManager(models.Manager[_M]):
    """The base of every tenant row's default manager: its querysets (a :class:`ScopedQuerySet`) fail closed
    until scoped; a related manager is scoped by its parent object."""

    def get_queryset(self) -> models.QuerySet[_M]:
        qs = super().get_queryset()
        # A related manager (org.things, rfp.line_items, user.notifications) is scoped by its parent object.
        if getattr(self, "instance", None) is not None and isinstance(qs, ScopedQuerySet):
            qs._tenant_scoped = True
        return qs


class _OpenOnPurpose(models.Manager[_M]):
    """``Model.unscoped``: everything, for migrations, admin, importers, the audit writer and the walk."""

    def get_queryset(self) -> models.QuerySet[_M]:
        qs = super().get_queryset()
        if isinstance(qs, ScopedQuerySet):
            qs._tenant_scoped = True
        return qs


# The default manager of owned and child rows, and ``Model.unscoped``. (Per-user rows make theirs the same way:
# ``FailClosedManager.from_queryset(NotificationQuerySet)``.)
TenantManager = FailClosedManager.from_queryset(TenantQuerySet)
UnscopedManager = _OpenOnPurpose.from_queryset(TenantQuerySet)


class TenantOwned(models.Model):
    """Abstract base for data one organisation owns; ``parties`` names the organisations that meet it there."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")

    parties: ClassVar[tuple[Party, ...]] = ()

    objects = TenantManager()
    unscoped = UnscopedManager()

    class Meta:
        abstract = True
        # Deletion cascades, forward foreign keys and prefetches use the base manager.
        base_manager_name = "unscoped"


class TenantChild(models.Model):
    """Abstract base for rows that belong to an owned row: ``tenant_parent`` is the path to it (``"rfp"``)."""

    tenant_parent: ClassVar[str]

    objects = TenantManager()
    unscoped = UnscopedManager()

    class Meta:
        abstract = True

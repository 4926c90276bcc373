"""Tenant scoping that fails closed.

Tenant-owned models use :class:`TenantManager` as their default manager. Its querysets refuse
to run (``TenantScopeError``) until they are scoped with ``.for_organisation(org)``,
``.for_organisations(orgs)`` or ``.visible_to(user)``, so forgetting the scope is an error in
tests rather than a leak in production. Related managers (``org.shortlists.all()``) are scoped
by their parent; code that truly needs everything (migrations, admin, the audit walk) says so
with ``Model.unscoped``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from cxo.core.models import Organisation, User


class TenantScopeError(RuntimeError):
    """A query of tenant-owned data ran without a tenant scope."""


class TenantQuerySet(models.QuerySet):
    tenant_field = "organisation"
    _tenant_scoped = False

    # _clone is private Django API (absent from django-stubs); it is the one place every chained queryset passes.
    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._tenant_scoped = self._tenant_scoped
        return clone

    def _mark_scoped(self) -> Self:
        self._tenant_scoped = True
        return self

    def for_organisation(self, organisation: Organisation) -> Self:
        return self.filter(**{self.tenant_field: organisation})._mark_scoped()

    def for_organisations(self, organisations: Iterable[Organisation] | models.QuerySet) -> Self:
        return self.filter(**{f"{self.tenant_field}__in": organisations})._mark_scoped()

    def visible_to(self, user: User) -> Self:
        """Rows owned by any organisation the user is a member of."""
        if not user.is_authenticated:
            return self.none()._mark_scoped()
        return self.filter(**{f"{self.tenant_field}__memberships__user": user})._mark_scoped()

    def unscoped(self) -> Self:
        return self._mark_scoped()

    def _require_scope(self) -> None:
        if not self._tenant_scoped:
            raise TenantScopeError(
                f"Unscoped query of tenant data ({self.model.__name__}): "
                "use .for_organisation(), .visible_to() or Model.unscoped."
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


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> TenantQuerySet:
        qs: TenantQuerySet = super().get_queryset()
        # A related manager (org.things, rfp.invitations) is scoped by its parent object.
        if getattr(self, "instance", None) is not None:
            qs._tenant_scoped = True
        return qs


class UnscopedManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> TenantQuerySet:
        qs: TenantQuerySet = super().get_queryset()
        qs._tenant_scoped = True
        return qs


class TenantOwned(models.Model):
    """Abstract base for data that belongs to one organisation."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()
    unscoped = UnscopedManager()

    class Meta:
        abstract = True
        # Deletion cascades, forward foreign keys and prefetches use the base manager.
        base_manager_name = "unscoped"

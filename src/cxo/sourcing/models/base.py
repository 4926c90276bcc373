"""Tenancy for sourcing records: owned by the sponsor, and reachable by an invited provider only explicitly."""

from __future__ import annotations

from typing import Self

from django.db import models

from cxo.core.models import Organisation
from cxo.core.tenancy import TenantManager, TenantQuerySet, UnscopedManager


class SourcingQuerySet(TenantQuerySet):
    """Sponsor-owned rows. ``for_provider`` is the one provider-side scope: rows naming that provider."""

    provider_field = "provider"

    def for_provider(self, provider: Organisation) -> Self:
        return self.filter(**{self.provider_field: provider})._mark_scoped()


class SourcingManager(TenantManager.from_queryset(SourcingQuerySet)):  # type: ignore[misc]
    pass


class SourcingUnscopedManager(UnscopedManager.from_queryset(SourcingQuerySet)):  # type: ignore[misc]
    pass


class SponsorOwned(models.Model):
    """Abstract base: the sponsor organisation owns the row (``organisation``); queries fail closed."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")

    objects = SourcingManager()
    unscoped = SourcingUnscopedManager()

    class Meta:
        abstract = True
        base_manager_name = "unscoped"

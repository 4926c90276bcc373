"""Shortlists: a sponsor's named selections of providers from match results (sourcing invites from them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantChild, TenantOwned


class Shortlist(TenantOwned):
    """A named list of candidate providers, private to the sponsor organisation that owns it."""

    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(TenantOwned.Meta):
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="shortlist_unique_org_name")]

    def __str__(self) -> str:
        return self.name


class ShortlistEntry(TenantChild):
    """A provider (one of its sites, or the organisation as a whole) on a shortlist.

    The need it was found with and its score then are kept, so the choice can be explained later;
    the names are copied too, so the entry still reads right if the registry record changes.
    """

    tenant_parent = "shortlist"

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("registry.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=40, help_text="provider id and site id: one entry per site per shortlist")
    provider_name = models.CharField(max_length=255)
    site_name = models.CharField(max_length=255, blank=True)
    site_country = models.CharField(max_length=3, blank=True)
    note = models.TextField(blank=True)
    need = models.JSONField(default=dict, blank=True, help_text="The need the entry was found with.")
    score = models.PositiveIntegerField(null=True, blank=True, help_text="Its match score when added.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        base_manager_name = "unscoped"
        ordering = ["-score", "provider_name", "site_name", "id"]
        constraints = [models.UniqueConstraint(fields=["shortlist", "key"], name="shortlist_entry_unique_key")]

    def __str__(self) -> str:
        return f"{self.provider_name} — {self.site_name}" if self.site_name else self.provider_name

    @staticmethod
    def make_key(*, provider_id: int, site_id: int | None) -> str:
        return f"{provider_id}:{site_id or ''}"

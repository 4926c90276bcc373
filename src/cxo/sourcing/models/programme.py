"""Programmes (a sponsor's drug asset) and their outsourcing needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxo.core.tenancy import TenantOwned


class Stage(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    PRECLINICAL = "preclinical", "Preclinical"
    PHASE_1 = "phase_1", "Phase I"
    PHASE_2 = "phase_2", "Phase II"
    PHASE_3 = "phase_3", "Phase III"
    FILING = "filing", "Filing"
    COMMERCIAL = "commercial", "Commercial"


class Programme(TenantOwned):
    """A sponsor's drug asset and where it stands in its lifecycle."""

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=40, blank=True, help_text="The sponsor's internal code, e.g. HLX-101.")
    modality = models.ForeignKey(
        "registry.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary": "modality"},
    )
    indication = models.CharField(max_length=255, blank=True)
    dosage_form = models.ForeignKey(
        "registry.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary": "dosage_form"},
    )
    route = models.ForeignKey(
        "registry.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary": "route"},
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PRECLINICAL)
    description = models.TextField(blank=True)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    source = models.CharField(
        max_length=255, blank=True, help_text="Where the programme's facts come from, e.g. a ClinicalTrials.gov NCT id."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        base_manager_name = "unscoped"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], condition=~models.Q(code=""), name="programme_unique_org_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip() if self.code else self.name


class Need(TenantOwned):
    """Something a programme needs done outside: described in the matching criteria, with scale and timeline.

    ``criteria`` holds the matching need (service, dosage form, route, modality, scale, regions,
    required evidence, exclusions) as taxonomy codes, so the need can be matched again at any time.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criteria = models.JSONField(default=dict, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. batches, kg, patients, sites")
    start_by = models.DateField(null=True, blank=True)
    finish_by = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme__name", "title"]
        base_manager_name = "unscoped"

    def __str__(self) -> str:
        return self.title

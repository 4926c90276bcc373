"""Quality on the home page (``cxo.core.home``): the organisation's open quality work as counts, and the link to
its quality pages."""

from __future__ import annotations

from django.urls import reverse

from cxo.core.home import HomeLink, HomeSection, home_link_register, home_section_register
from cxo.core.models import Membership, Organisation
from cxo.quality.selectors.home import QualityCounts, quality_counts


def _quality(organisation: Organisation) -> str:
    return reverse("quality:home", kwargs={"org": organisation.slug})


def home_counts(membership: Membership) -> list[QualityCounts]:
    """The member's organisation's quality counts, as the section's one item (each count links to its work)."""
    return [quality_counts(organisation=membership.organisation)]


def register() -> None:
    home_section_register(
        HomeSection(
            key="quality.counts",
            title="Quality",
            template="quality/home/_counts.html",
            items=home_counts,
            order=60,
            more=_quality,
            more_label="Quality overview",
        )
    )
    home_link_register(HomeLink(key="quality.home", label="Quality", url=_quality, order=60))

"""Supplier change notifications: the provider notifies once, each sponsor that lists the site gets its own copy
to assess (impact, US filing category, EU variation type) and decide; the provider hears each decision."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import Organisation, User
from cxo.core.roles import Permission
from cxo.quality.content import eu_variation_types, us_filing_categories
from cxo.quality.models import ChangeAssessment, ChangeDecision, ChangeImpact, ChangeKind, ChangeNotification
from cxo.quality.selectors.changes import sponsors_listing
from cxo.quality.services.common import member_require, next_reference, quality_notify, text
from cxo.registry.models import Site


def _sponsor(actor: User, assessment: ChangeAssessment) -> None:
    member_require(
        actor=actor,
        organisation=assessment.organisation,
        permission=Permission.MANAGE_QUALITY,
        what="change notification",
        sponsor=True,
    )


@transaction.atomic
def change_notify(
    *,
    actor: User,
    provider: Organisation,
    site: Site,
    kind: str,
    title: str,
    description: str,
    planned_on: dt.date,
) -> ChangeNotification:
    """Notify a change at one of the provider's sites: one copy for each sponsor that has the site on its list.

    A sponsor learns only of its own copy; the provider does not learn which sponsors got one until they decide.
    """
    member_require(actor=actor, organisation=provider, permission=Permission.MANAGE_QUALITY, what="site", sponsor=False)
    if site.organisation_id != provider.pk:
        raise ServiceError(f"{site.name} is not a site of {provider.name}.", field="site")
    if kind not in ChangeKind.values:
        raise ServiceError("Choose what kind of change it is.", field="kind")
    notification = ChangeNotification.objects.create(
        organisation=provider,
        reference=next_reference(ChangeNotification.objects.for_organisation(provider), "CN"),
        site=site,
        kind=kind,
        title=text(title, field="title", label="The title", required=True, limit=200),
        description=text(description, field="description", label="The description", required=True),
        planned_on=planned_on,
        sent_by=actor,
    )
    sponsors = sponsors_listing(site=site)
    for sponsor in sponsors:
        assessment = ChangeAssessment.objects.create(organisation=sponsor, notification=notification, provider=provider)
        audit_record(
            actor=actor,
            organisation=sponsor,
            action="change_notification.received",
            obj=assessment,
            changes={"kind": [None, kind], "site": [None, site.name], "planned_on": [None, planned_on]},
        )
        quality_notify(
            organisation=sponsor,
            title=f"{provider.name} notifies a change at {site.name}",
            body=f"{notification.get_kind_display()}: {notification.title} (from {planned_on:%d %b %Y}). Assess it.",
            url=reverse("quality:change_detail", kwargs={"org": sponsor.slug, "assessment_id": assessment.pk}),
        )
    audit_record(
        actor=actor,
        organisation=provider,
        action="change_notification.sent",
        obj=notification,
        changes={"kind": [None, kind], "site": [None, site.name], "planned_on": [None, planned_on]},
    )
    return notification


def _check_codes(impact: str, us_category: str, eu_variation: str) -> None:
    if impact not in ChangeImpact.values:
        raise ServiceError("Impact is none, minor or major.", field="impact")
    if us_category and us_category not in us_filing_categories():
        raise ServiceError(
            "Choose a US filing category (PAS, CBE-30, CBE-0, annual report, none).", field="us_category"
        )
    if eu_variation and eu_variation not in eu_variation_types():
        raise ServiceError("Choose an EU variation type (IA, IA-IN, IB, II, none).", field="eu_variation")


@transaction.atomic
def change_assess(
    *,
    actor: User,
    assessment: ChangeAssessment,
    impact: str,
    us_category: str = "",
    eu_variation: str = "",
    notes: str = "",
) -> ChangeAssessment:
    """Record the sponsor's assessment (kept from the provider): impact, US filing category, EU variation type."""
    _sponsor(actor, assessment)
    if assessment.decision != ChangeDecision.PENDING:
        raise Conflict("This change has been decided: its assessment is final.")
    _check_codes(impact, us_category, eu_variation)
    before = (assessment.impact, assessment.us_category, assessment.eu_variation)
    assessment.impact, assessment.us_category, assessment.eu_variation = impact, us_category, eu_variation
    assessment.assessment = text(notes, field="notes", label="The assessment")
    assessment.save()
    audit_record(
        actor=actor,
        organisation=assessment.organisation,
        action="change_notification.assess",
        obj=assessment,
        changes={
            k: [old, new]
            for k, old, new in zip(
                ("impact", "us_category", "eu_variation"), before, (impact, us_category, eu_variation), strict=True
            )
            if old != new
        },
    )
    return assessment


@transaction.atomic
def change_decide(*, actor: User, assessment: ChangeAssessment, decision: str, comment: str) -> ChangeAssessment:
    """Approve or reject the change, with what the provider is told; needs the impact assessed first."""
    _sponsor(actor, assessment)
    if decision not in (ChangeDecision.APPROVED, ChangeDecision.REJECTED):
        raise ServiceError("Decide approved or rejected.", field="decision")
    if assessment.decision != ChangeDecision.PENDING:
        raise Conflict(f"This change was already {assessment.get_decision_display().lower()}.")
    if not assessment.impact:
        raise Conflict("Assess the change's impact before deciding.")
    comment = text(
        comment, field="comment", label="The comment to the provider", required=decision == ChangeDecision.REJECTED
    )
    assessment.decision, assessment.decision_comment = decision, comment
    assessment.decided_at, assessment.decided_by = timezone.now(), actor
    assessment.save()
    notification = assessment.notification
    for organisation in (assessment.organisation, assessment.provider):
        audit_record(
            actor=actor,
            organisation=organisation,
            action=f"change_notification.{decision}",
            obj=assessment,
            object_repr=f"{assessment.organisation.name}'s decision on {notification}"[:255],
            changes={"decision": [ChangeDecision.PENDING, decision]},
            reason=comment,
        )
    quality_notify(
        organisation=assessment.provider,
        title=f"{assessment.organisation.name} {decision} your change {notification.reference}",
        body=comment or notification.title,
        url=reverse(
            "quality:provider_change", kwargs={"org": assessment.provider.slug, "notification_id": notification.pk}
        ),
    )
    return assessment

"""Change notifications: the sponsor reads its own copies (never another sponsor's); the provider reads its
notifications and, for each, the decisions sponsors have made — the decision and its comment, nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from cxo.core.errors import NotFound
from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.quality.models import LISTED_STATES, ChangeAssessment, ChangeDecision, ChangeNotification, Qualification
from cxo.registry.models import Site


def sponsors_listing(*, site: Site) -> list[Organisation]:
    """The sponsors with ``site`` on their list (in qualification, approved, conditional or under review): who a
    change notification goes to. Only the organisations: the fan-out reads nothing of their qualifications."""
    sponsors = Organisation.objects.filter(type=OrganisationType.SPONSOR)
    ids = (
        Qualification.objects.for_organisations(sponsors)
        .filter(site=site, status__in=list(LISTED_STATES))
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return list(Organisation.objects.filter(pk__in=list(ids)).order_by("name"))


def provider_sites(*, provider: Organisation) -> QuerySet[Site]:
    """The provider's registry sites, by name (where it can notify a change)."""
    return Site.objects.filter(organisation=provider).order_by("name")


def assessment_list(*, organisation: Organisation, pending_only: bool = False) -> QuerySet[ChangeAssessment]:
    """The sponsor's copies of change notifications, newest first."""
    qs = ChangeAssessment.objects.for_organisation(organisation).select_related(
        "notification__site", "provider", "decided_by"
    )
    if pending_only:
        qs = qs.filter(decision=ChangeDecision.PENDING)
    return qs.order_by("-received_at", "-pk")


def assessment_get(*, organisation: Organisation, assessment_id: int) -> ChangeAssessment:
    assessment = assessment_list(organisation=organisation).filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound("No such change notification.")
    return assessment


@dataclass(frozen=True)
class SponsorDecision:
    """A sponsor's decision on the provider's own notification, as the provider reads it."""

    sponsor: str
    decision: str
    decision_label: str
    comment: str
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class ProviderNotification:
    notification: ChangeNotification
    decisions: list[SponsorDecision]


def _decisions(provider: Organisation, notifications: list[ChangeNotification]) -> dict[int, list[SponsorDecision]]:
    out: dict[int, list[SponsorDecision]] = {n.pk: [] for n in notifications}
    decided = (
        ChangeAssessment.objects.for_counterparty(provider)
        .filter(notification__in=notifications)
        .select_related("organisation")
        .order_by("decided_at", "pk")
    )
    for a in decided:
        out[a.notification_id].append(
            SponsorDecision(
                sponsor=a.organisation.name,
                decision=a.decision,
                decision_label=a.get_decision_display(),
                comment=a.decision_comment,
                decided_at=a.decided_at,
            )
        )
    return out


def provider_notification_list(*, provider: Organisation) -> list[ProviderNotification]:
    """The provider's notifications, newest first, each with the sponsors' decisions so far."""
    notifications = list(
        ChangeNotification.objects.for_organisation(provider).select_related("site").order_by("-sent_at", "-pk")
    )
    decisions = _decisions(provider, notifications)
    return [ProviderNotification(n, decisions[n.pk]) for n in notifications]


def provider_notification_get(*, provider: Organisation, notification_id: int) -> ProviderNotification:
    notification = (
        ChangeNotification.objects.for_organisation(provider).select_related("site").filter(pk=notification_id).first()
    )
    if notification is None:
        raise NotFound("No such change notification.")
    return ProviderNotification(notification, _decisions(provider, [notification])[notification.pk])

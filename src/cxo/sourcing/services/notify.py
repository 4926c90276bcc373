"""Telling the parties: providers (the members who respond) and sponsors (the members who run sourcing), in the
app and by e-mail."""

from __future__ import annotations

from functools import partial

from django.urls import reverse

from cxo.core.models import Organisation, User
from cxo.core.notifications import notification_send
from cxo.core.roles import Permission, role_allows
from cxo.sourcing.models import Rfp, RfpInvitation


def _answers(provider: Organisation, role: str, *, held: bool) -> bool:
    # a guest bidder answers only the invitation it holds; the others, all of them
    allows = partial(role_allows, organisation_type=provider.type, role=role)
    return allows(permission=Permission.RESPOND) and (held or allows(permission=Permission.VIEW))


def responders(provider: Organisation, invitation: RfpInvitation | None = None) -> list[User]:
    """The provider's members whose role lets them answer its RFPs (or, given one, this invitation: with its
    guest bidder, never a guest of another)."""
    return [
        m.user
        for m in provider.memberships.select_related("user")
        if m.user.is_active
        and _answers(provider, m.role, held=invitation is not None and m.user_id == invitation.guest_id)
    ]


def sourcing_team(sponsor: Organisation) -> list[User]:
    """The sponsor's members whose role lets them run its RFPs (they answer questions and read proposals)."""
    return [
        m.user
        for m in sponsor.memberships.select_related("user")
        if m.user.is_active
        and role_allows(organisation_type=sponsor.type, role=m.role, permission=Permission.MANAGE_SOURCING)
    ]


def sponsor_notify(*, rfp: Rfp, title: str, body: str = "", url: str = "") -> None:
    """Tell the sponsor's sourcing team what a provider did on one of its RFPs (the RFP's page unless ``url``)."""
    notification_send(
        users=sourcing_team(rfp.organisation),
        organisation=rfp.organisation,
        title=title,
        body=body,
        url=url or reverse("sourcing:rfp_detail", kwargs={"org": rfp.organisation.slug, "rfp_id": rfp.pk}),
    )


def inbox_url(*, invitation: RfpInvitation) -> str:
    return reverse("sourcing:inbox_rfp", kwargs={"org": invitation.provider.slug, "rfp_id": invitation.rfp_id})


def provider_notify(*, invitation: RfpInvitation, title: str, body: str) -> None:
    """Notify one invited provider (its responders, or the e-mail it was invited at if it has no users)."""
    users = responders(invitation.provider, invitation)
    emails = [invitation.email] if not users and invitation.email else []
    notification_send(
        users=users,
        organisation=invitation.provider,
        title=title,
        body=body,
        url=inbox_url(invitation=invitation),
        emails=emails,
    )


def invitees_notify(*, rfp: Rfp, title: str, body: str, exclude_declined: bool = False) -> None:
    """Notify every invited provider of ``rfp`` separately (no invitee learns who else was invited)."""
    invitations = (
        RfpInvitation.objects.for_organisation(rfp.organisation).filter(rfp=rfp).select_related("provider", "rfp")
    )
    for invitation in invitations:
        if exclude_declined and invitation.status == "declined":
            continue
        provider_notify(invitation=invitation, title=title, body=body)

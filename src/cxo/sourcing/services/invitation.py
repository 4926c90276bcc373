"""Invitations of providers to an RFP: create (from a shortlist or the directory), send, accept, decline, claim."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import Membership, Organisation, OrganisationClaim, User
from cxo.core.notifications import absolute_url
from cxo.core.roles import OrganisationType, Permission, Role
from cxo.core.services import SignupData, guest_membership_add, user_register
from cxo.registry.claims import claim_request
from cxo.sourcing.models import InvitationStatus, Rfp, RfpInvitation, RfpStatus
from cxo.sourcing.selectors import inbox_list
from cxo.sourcing.services.access import member_require, responder_require
from cxo.sourcing.services.notify import provider_notify, responders, sponsor_notify
from cxo.sourcing.states import rfp_require

if TYPE_CHECKING:
    from cxo.matching.models import Shortlist


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def audit_both(
    *,
    actor: User | None,
    sponsor: Organisation,
    provider: Organisation,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Record a provider-side step in the sponsor's trail and in the provider's own."""
    for organisation in (sponsor, provider):
        audit_record(actor=actor, organisation=organisation, action=action, obj=obj, changes=changes, reason=reason)


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    rfp: Rfp,
    provider: Organisation,
    email: str = "",
    source: str = "directory",
) -> RfpInvitation:
    """Invite a provider to the RFP (draft or issued). A provider with no users yet is invited by e-mail.

    The invitation is confidential: only the sponsor and the invited provider see it. It goes out
    when the RFP is issued, or at once if it already is.
    """
    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.MANAGE_SOURCING)
    rfp_require(rfp, RfpStatus.DRAFT, RfpStatus.ISSUED, doing="invite providers")
    if rfp.status == RfpStatus.ISSUED and rfp.deadline_passed:
        raise Conflict("The response deadline has passed: no more providers can be invited.")
    if provider.pk == rfp.organisation_id or provider.type != OrganisationType.PROVIDER:
        raise ServiceError(f"{provider.name} is not a provider organisation.", field="provider")
    email = email.strip().lower()
    has_users = provider.memberships.exclude(role=Role.GUEST).exists()  # a guest bidder holds its invitation only
    if not has_users and not email:
        raise ServiceError(
            f"{provider.name} has no users on CXO yet: give an e-mail address to invite it (they can then claim it).",
            field="email",
        )
    if email and "@" not in email:
        raise ServiceError("Enter a valid e-mail address.", field="email")
    try:
        with transaction.atomic():
            invitation = RfpInvitation.objects.create(
                organisation=rfp.organisation,
                rfp=rfp,
                provider=provider,
                email=email,
                source=source if source in {"shortlist", "directory"} else "directory",
                invited_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(f"{provider.name} is already invited to this RFP.") from exc
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="rfp_invitation.create",
        obj=invitation,
        changes={"provider": [None, provider.name], "email": [None, email], "source": [None, invitation.source]},
    )
    if rfp.status == RfpStatus.ISSUED:
        invitation_send(invitation=invitation, rfp=rfp)
    return invitation


@dataclass(frozen=True)
class Invitations:
    """Invitations made at once, and why the providers left out were skipped (already invited, say)."""

    invited: list[RfpInvitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invitation_create_many(*, actor: User, rfp: Rfp, providers: Iterable[Organisation], source: str) -> Invitations:
    """Invite several providers (e.g. a shortlist). Returns the invitations made and why others were skipped."""
    made: list[RfpInvitation] = []
    skipped: list[str] = []
    for provider in providers:
        try:
            made.append(invitation_create(actor=actor, rfp=rfp, provider=provider, source=source))
        except ServiceError as exc:
            if exc.status_code in (403, 404):
                raise
            skipped.append(f"{provider.name}: {exc.message}")
    return Invitations(invited=made, skipped=skipped)


def invitation_create_from_shortlist(*, actor: User, rfp: Rfp, shortlist: Shortlist) -> Invitations:
    """Invite every provider on one of the sponsor's shortlists (``cxo.matching``); already invited ones are skipped."""
    from cxo.sourcing.providers import shortlist_providers

    if shortlist.organisation_id != rfp.organisation_id:
        raise NotFound("No such shortlist.")
    return invitation_create_many(
        actor=actor,
        rfp=rfp,
        providers=shortlist_providers(shortlist=shortlist),
        source="shortlist",
    )


def invitation_send(*, invitation: RfpInvitation, rfp: Rfp) -> None:
    """Tell the provider. Members who respond get a notification; an unclaimed entry gets a claim link by e-mail."""
    invitation.rfp = rfp
    deadline = f"{rfp.response_deadline:%d %b %Y %H:%M} UTC" if rfp.response_deadline else "not set"
    title = f"{rfp.organisation.name} invites you to {rfp.reference}: {rfp.title}"
    body = (
        f"{rfp.organisation.name} invites {invitation.provider.name} to respond to “{rfp.title}”. "
        f"Responses are due {deadline}. This invitation is confidential."
    )
    if responders(invitation.provider):
        provider_notify(invitation=invitation, title=title, body=body)
        return
    if not invitation.email:
        return
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _sha256(token)
    invitation.save(update_fields=["token_hash"])
    link = absolute_url(reverse("sourcing:rfp_invitation_claim", kwargs={"token": token}))
    recipient = invitation.email
    transaction.on_commit(
        lambda: send_mail(
            subject=title,
            message=(
                f"{body}\n\n{invitation.provider.name} is listed in the CXO registry but has no users yet. "
                f"Follow this link to claim the organisation and see the RFP:\n{link}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient],
        )
    )


def _respond_guard(*, actor: User, invitation: RfpInvitation) -> Membership:
    membership = responder_require(actor=actor, invitation=invitation)
    if invitation.rfp.status == RfpStatus.DRAFT:
        raise NotFound("No such invitation.")
    rfp_require(invitation.rfp, RfpStatus.ISSUED, doing="respond to this invitation")
    return membership


@transaction.atomic
def invitation_accept(*, actor: User, invitation: RfpInvitation) -> RfpInvitation:
    """The provider says it will respond."""
    _respond_guard(actor=actor, invitation=invitation)
    if invitation.status == InvitationStatus.ACCEPTED:
        return invitation
    old = invitation.status
    invitation.status, invitation.responded_by, invitation.responded_at = (
        InvitationStatus.ACCEPTED,
        actor,
        timezone.now(),
    )
    invitation.decline_reason = ""
    invitation.save(update_fields=["status", "responded_by", "responded_at", "decline_reason"])
    audit_both(
        actor=actor,
        sponsor=invitation.organisation,
        provider=invitation.provider,
        action="rfp_invitation.accept",
        obj=invitation,
        changes={"status": [old, invitation.status]},
    )
    return invitation


@transaction.atomic
def invitation_decline(*, actor: User, invitation: RfpInvitation, reason: str) -> RfpInvitation:
    """The provider declines, saying why. A provider with a proposal in cannot decline."""
    _respond_guard(actor=actor, invitation=invitation)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why you decline; the sponsor sees the reason.", field="reason")
    if hasattr(invitation, "proposal"):
        raise Conflict("You have already submitted a proposal to this RFP.")
    old = invitation.status
    invitation.status, invitation.responded_by, invitation.responded_at = (
        InvitationStatus.DECLINED,
        actor,
        timezone.now(),
    )
    invitation.decline_reason = reason
    invitation.save(update_fields=["status", "responded_by", "responded_at", "decline_reason"])
    audit_both(
        actor=actor,
        sponsor=invitation.organisation,
        provider=invitation.provider,
        action="rfp_invitation.decline",
        obj=invitation,
        changes={"status": [old, invitation.status]},
        reason=reason,
    )
    rfp = invitation.rfp
    sponsor_notify(rfp=rfp, title=f"{invitation.provider.name} declined {rfp.reference}", body=f"Reason: {reason}")
    return invitation


def invitation_by_claim_token(*, token: str) -> RfpInvitation:
    # The e-mailed token is the caller's only credential (it may have no account yet): unscoped, found by its hash.
    invitation = (
        RfpInvitation.unscoped.select_related("rfp", "provider", "organisation")
        .filter(token_hash=_sha256(token))
        .first()
        if token
        else None
    )
    if invitation is None or invitation.rfp.status in (RfpStatus.DRAFT, RfpStatus.CANCELLED):
        raise NotFound("This invitation link is not valid any more. Ask the sponsor for a new one.")
    return invitation


@transaction.atomic
def invitation_claim(*, token: str, user: User) -> RfpInvitation:
    """Accept an e-mailed invitation to a registry entry with no users, as ``user``: a guest bidder of it.

    Following the link opens *this invitation only* (``Role.GUEST``: no other invitation, page or record of the
    organisation). Administering the organisation takes a claim request that a registry curator approves
    (:func:`invitation_claim_request`). A member of the organisation simply accepts.
    """
    invitation = invitation_by_claim_token(token=token)
    provider = Organisation.objects.select_for_update().get(pk=invitation.provider_id)
    membership = guest_membership_add(user=user, organisation=provider)
    invitation.provider = provider
    invitation.guest = user if membership.role == Role.GUEST else None
    invitation.status, invitation.responded_by, invitation.responded_at = (
        InvitationStatus.ACCEPTED,
        user,
        timezone.now(),
    )
    invitation.token_hash = ""
    invitation.save(update_fields=["guest", "status", "responded_by", "responded_at", "token_hash"])
    audit_both(
        actor=user,
        sponsor=invitation.organisation,
        provider=provider,
        action="rfp_invitation.accept",
        obj=invitation,
        changes={"status": ["invited", "accepted"], "guest": [None, user.get_username() if invitation.guest else None]},
        reason="Accepted by e-mail link"
        + (" as a guest bidder of this invitation only." if invitation.guest else " by a member."),
    )
    return invitation


@transaction.atomic
def invitation_claim_signup(*, token: str, signup: SignupData) -> RfpInvitation:
    """A newcomer registers and claims in one step: if the claim is refused, no account is left."""
    user = user_register(data=signup)
    return invitation_claim(token=token, user=user)


def invitation_claim_request(*, actor: User, membership: Membership, message: str) -> OrganisationClaim:
    """A guest bidder asks a registry curator to make it the organisation's administrator; the curator sees
    the invitations it holds (and who sent them) beside the other evidence."""
    if membership.user_id != actor.pk:
        raise NotFound("No such organisation.")
    held = [
        {
            "sponsor": invitation.organisation.name,
            "rfp": f"{invitation.rfp.reference}: {invitation.rfp.title}",
            "email": invitation.email,
            "invited_by": invitation.invited_by.get_username() if invitation.invited_by else "",
            "invited_at": invitation.invited_at.isoformat(),
        }
        for invitation in inbox_list(membership=membership).select_related("invited_by")
    ]
    return claim_request(actor=actor, organisation=membership.organisation, message=message, invitations=held)

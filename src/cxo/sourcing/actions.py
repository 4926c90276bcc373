"""Sourcing's actions for :mod:`cxo.core.actions`: what a member may do to an RFP or an invitation now.

The state half of each answer comes from the state machine (:func:`~cxo.sourcing.states.rfp_can`) or from the
guard its service refuses with (``proposal_submission_refusal``, ``clarification_ask_refusal``), so a page
offers exactly what the service then accepts.
"""

from __future__ import annotations

from cxo.core.actions import action_register
from cxo.core.roles import Permission
from cxo.sourcing.models import InvitationStatus, Rfp, RfpInvitation, RfpStatus
from cxo.sourcing.services.clarification import clarification_ask_refusal
from cxo.sourcing.services.proposal import proposal_submission_refusal
from cxo.sourcing.states import rfp_can

S = RfpStatus


def _open_for_bids(rfp: Rfp) -> bool:
    return rfp.status == S.ISSUED and not rfp.deadline_passed


def _takes_invitations(rfp: Rfp) -> bool:
    return rfp.status == S.DRAFT or _open_for_bids(rfp)


def _may_accept(invitation: RfpInvitation) -> bool:
    return _open_for_bids(invitation.rfp) and invitation.status == InvitationStatus.INVITED


def _may_decline(invitation: RfpInvitation) -> bool:
    has_proposal = hasattr(invitation, "proposal")  # a provider that bid withdraws nothing by declining
    return _open_for_bids(invitation.rfp) and invitation.status != InvitationStatus.DECLINED and not has_proposal


def register() -> None:
    sourcing = Permission.MANAGE_SOURCING
    # the sponsor's RFP
    action_register("rfp.edit", permission=sourcing, possible=lambda rfp: rfp.status == S.DRAFT)
    action_register("rfp.invite", permission=sourcing, possible=_takes_invitations)
    action_register("rfp.attach", permission=sourcing, possible=lambda rfp: rfp.status in (S.DRAFT, S.ISSUED))
    action_register("rfp.issue", permission=sourcing, possible=lambda rfp: rfp_can(rfp, S.ISSUED))
    action_register("rfp.close", permission=sourcing, possible=lambda rfp: rfp_can(rfp, S.CLOSED))
    action_register("rfp.cancel", permission=sourcing, possible=lambda rfp: rfp_can(rfp, S.CANCELLED))
    action_register("rfp.award", permission=Permission.SIGN_AWARD, possible=lambda rfp: rfp_can(rfp, S.AWARDED))
    action_register("rfp.answer", permission=sourcing, possible=lambda rfp: rfp.status in (S.ISSUED, S.CLOSED))
    action_register(
        "rfp.score", permission=Permission.EVALUATE, possible=lambda rfp: rfp.status in (S.ISSUED, S.CLOSED)
    )
    # the provider's invitation
    respond = Permission.RESPOND
    action_register("invitation.accept", permission=respond, possible=_may_accept)
    action_register("invitation.decline", permission=respond, possible=_may_decline)
    action_register(
        "invitation.ask", permission=respond, possible=lambda inv: clarification_ask_refusal(invitation=inv) is None
    )
    action_register(
        "proposal.submit",
        permission=respond,
        possible=lambda inv: proposal_submission_refusal(invitation=inv) is None,
    )

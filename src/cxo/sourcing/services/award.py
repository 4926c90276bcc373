"""Award: a sponsor user with the right signs (password, meaning), bound to the awarded proposal version."""

from __future__ import annotations

from django.db import transaction

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, ServiceError
from cxo.core.models import User
from cxo.core.roles import Permission
from cxo.core.signatures import Reauthentication, signature_reauthenticate, signature_sign
from cxo.core.standing import award_check
from cxo.sourcing.models import (
    Award,
    InvitationOutcome,
    Proposal,
    ProposalStatus,
    Rfp,
    RfpInvitation,
    RfpStatus,
)
from cxo.sourcing.services.access import member_require
from cxo.sourcing.services.notify import provider_notify
from cxo.sourcing.services.proposal import proposal_version_content
from cxo.sourcing.services.rfp import rfp_lock
from cxo.sourcing.signals import award_signed
from cxo.sourcing.states import rfp_transition

AWARD_MEANING = "award approved"


def award_sign(
    *, actor: User, rfp: Rfp, proposal: Proposal, password: str, meaning: str = AWARD_MEANING, rationale: str = ""
) -> Award:
    """Award the RFP to ``proposal``'s current version with the actor's electronic signature.

    The role and the password are checked first, outside the award's transaction, so a refused
    attempt stays in the audit trail. The RFP row is then locked and its state checked under the lock, so of two
    simultaneous attempts exactly one succeeds; the other gets a Conflict. Every invitee is told
    (award or regret), and ``award_signed`` is sent in the same transaction (contracts drafts the work order).

    If the sponsor's supplier oversight (``cxo.core.standing``: the quality app) says the provider has no site
    approved for the need's services, the award needs a justification in ``rationale``, which goes into the
    award's audit event with the reason — or is refused, when the sponsor's policy says so.
    """
    # A refusal here is recorded as a signature attempt (cxo.core.signatures.signing_refused).
    member_require(actor=actor, organisation=rfp.organisation, permission=Permission.SIGN_AWARD)
    services = list((rfp.need.criteria or {}).get("services", []))
    check = award_check(sponsor=rfp.organisation, provider=proposal.provider, services=services)
    if not check.ok and check.blocked:
        raise Conflict(f"{check.message} Your quality policy refuses awards to a provider that is not approved.")
    if not check.ok and not rationale.strip():
        raise ServiceError(
            f"{check.message} Give a justification to award anyway: it goes into the award's audit event.",
            field="rationale",
        )
    reauthentication = signature_reauthenticate(user=actor, password=password, organisation=rfp.organisation)
    return _award_signed(
        actor=actor,
        rfp=rfp,
        proposal=proposal,
        reauthentication=reauthentication,
        meaning=meaning,
        rationale=rationale,
        not_approved="" if check.ok else check.message,
    )


@transaction.atomic
def _award_signed(
    *,
    actor: User,
    rfp: Rfp,
    proposal: Proposal,
    reauthentication: Reauthentication,
    meaning: str,
    rationale: str,
    not_approved: str = "",
) -> Award:
    rfp = rfp_lock(rfp=rfp)
    if rfp.status != RfpStatus.CLOSED:
        rfp_transition(rfp, RfpStatus.AWARDED)  # raises the state machine's message
    awarded = (
        Proposal.objects.for_organisation(rfp.organisation)
        .select_related("provider", "current_version")
        .filter(pk=proposal.pk, rfp=rfp)
        .first()
    )
    if awarded is None:
        raise NotFound("No such proposal to this RFP.")
    proposal = awarded
    version = proposal.current_version
    if version is None:
        raise ServiceError("This proposal has no submitted version.")
    content = proposal_version_content(version)
    if content["total"] != str(version.total):
        raise ServiceError("The proposal's content does not match its recorded total.")
    signature = signature_sign(
        user=actor,
        reauthentication=reauthentication,
        meaning=meaning,
        content=content,
        organisation=rfp.organisation,
        obj=version,
    )
    old, new = rfp_transition(rfp, RfpStatus.AWARDED)
    rfp.save()
    award = Award.objects.create(
        organisation=rfp.organisation,
        rfp=rfp,
        proposal=proposal,
        version=version,
        signature=signature,
        awarded_by=actor,
        rationale=rationale.strip(),
    )
    audit_record(
        actor=actor,
        organisation=rfp.organisation,
        action="rfp.award",
        obj=rfp,
        changes={
            "status": [old, new],
            "awarded_to": [None, proposal.provider.name],
            "version": [None, version.number],
            "content_sha256": [None, signature.content_sha256],
            "signature": [None, signature.pk],
            **({"not_approved": [None, not_approved]} if not_approved else {}),
        },
        reason=f"Justification: {rationale.strip()}" if not_approved else rationale.strip(),
    )
    _outcomes_notify(rfp=rfp, award=award, actor=actor)
    award_signed.send(sender=Award, award=award, actor=actor)
    return award


def _outcomes_notify(*, rfp: Rfp, award: Award, actor: User) -> None:
    invitations = (
        RfpInvitation.objects.for_organisation(rfp.organisation).filter(rfp=rfp).select_related("provider", "rfp")
    )
    for invitation in invitations:
        won = invitation.provider_id == award.proposal.provider_id
        invitation.outcome = InvitationOutcome.AWARDED if won else InvitationOutcome.REGRET
        invitation.save(update_fields=["outcome"])
        proposal = (
            Proposal.objects.for_organisation(rfp.organisation).filter(rfp=rfp, provider=invitation.provider).first()
        )
        if proposal is not None:
            proposal.status = ProposalStatus.AWARDED if won else ProposalStatus.NOT_SELECTED
            proposal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            organisation=invitation.provider,
            action="rfp.award" if won else "rfp.regret",
            obj=invitation,
            object_repr=f"{rfp.reference} {rfp.title}"[:255],
            changes={"outcome": [None, invitation.outcome]},
        )
        if won:
            title = f"{rfp.organisation.name} awarded {rfp.reference} to you"
            body = (
                f"Your proposal (version {award.version.number}, {award.version.currency} {award.version.total:,.2f}) "
                f"for “{rfp.title}” was selected. A draft work order follows."
            )
        else:
            title = f"{rfp.reference}: not selected this time"
            body = (
                f"Thank you for your response to “{rfp.title}”. "
                f"{rfp.organisation.name} has awarded the work to another provider."
            )
        provider_notify(invitation=invitation, title=title, body=body)

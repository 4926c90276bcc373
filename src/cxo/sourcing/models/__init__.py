"""Sourcing records. Every one is owned by the sponsor (``TenantOwned``); the providers that meet the sponsor there
are declared as each model's ``parties``, and child rows (``TenantChild``) follow their parent."""

from cxo.sourcing.models.programme import Need, Programme, Stage
from cxo.sourcing.models.proposal import (
    Award,
    Proposal,
    ProposalAnswer,
    ProposalLine,
    ProposalMilestone,
    ProposalStatus,
    ProposalVersion,
    Score,
)
from cxo.sourcing.models.rfp import (
    Clarification,
    ClarificationVisibility,
    Document,
    EvaluationCriterion,
    InvitationOutcome,
    InvitationStatus,
    Rfp,
    RfpInvitation,
    RfpLineItem,
    RfpQuestion,
    RfpStatus,
)

__all__ = [
    "Award",
    "Clarification",
    "ClarificationVisibility",
    "Document",
    "EvaluationCriterion",
    "InvitationOutcome",
    "InvitationStatus",
    "Need",
    "Programme",
    "Proposal",
    "ProposalAnswer",
    "ProposalLine",
    "ProposalMilestone",
    "ProposalStatus",
    "ProposalVersion",
    "Rfp",
    "RfpInvitation",
    "RfpLineItem",
    "RfpQuestion",
    "RfpStatus",
    "Score",
    "Stage",
]

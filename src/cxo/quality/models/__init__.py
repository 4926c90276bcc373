"""Quality: the approved supplier list, audits, findings and CAPAs, quality agreements, change notifications."""

from cxo.quality.models.agreement import AgreementVersionStatus, QualityAgreement, QualityAgreementVersion
from cxo.quality.models.audit import (
    Audit,
    AuditKind,
    AuditStatus,
    ChecklistItem,
    ChecklistResult,
    Finding,
    FindingClass,
)
from cxo.quality.models.capa import ActionKind, Capa, CapaAction, CapaEvidence, CapaStatus
from cxo.quality.models.change import (
    ChangeAssessment,
    ChangeDecision,
    ChangeImpact,
    ChangeKind,
    ChangeNotification,
)
from cxo.quality.models.policy import AwardRule, QualityPolicy, RiskLevel
from cxo.quality.models.qualification import (
    APPROVED_STATES,
    LISTED_STATES,
    Qualification,
    QualificationEvent,
    QualificationKind,
    QualificationStatus,
)

__all__ = [
    "APPROVED_STATES",
    "LISTED_STATES",
    "ActionKind",
    "AgreementVersionStatus",
    "Audit",
    "AuditKind",
    "AuditStatus",
    "AwardRule",
    "Capa",
    "CapaAction",
    "CapaEvidence",
    "CapaStatus",
    "ChangeAssessment",
    "ChangeDecision",
    "ChangeImpact",
    "ChangeKind",
    "ChangeNotification",
    "ChecklistItem",
    "ChecklistResult",
    "Finding",
    "FindingClass",
    "Qualification",
    "QualificationEvent",
    "QualificationKind",
    "QualificationStatus",
    "QualityAgreement",
    "QualityAgreementVersion",
    "QualityPolicy",
    "RiskLevel",
]

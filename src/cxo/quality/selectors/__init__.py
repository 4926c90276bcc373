"""Quality reads, scoped to what the caller may see. Other apps ask two questions here before placing work:
:func:`qualification_status_for` and :func:`quality_agreement_in_force`."""

from cxo.quality.selectors.approval import QualificationAnswer, qualification_status_for, quality_agreement_in_force
from cxo.quality.selectors.home import QualityCounts, quality_counts

__all__ = [
    "QualificationAnswer",
    "QualityCounts",
    "qualification_status_for",
    "quality_agreement_in_force",
    "quality_counts",
]

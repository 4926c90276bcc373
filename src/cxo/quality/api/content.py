"""The regulatory content the quality app ships: public to every signed-in user, like the registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cxo.quality.api.routers import router
from cxo.quality.content import (
    agreement_sections,
    checklist_templates,
    eu_variation_types,
    finding_classes,
    us_filing_categories,
)
from cxo.quality.schemas import QualityContentOut


def _choices(values: Any) -> list[dict[str, str]]:
    return [{"code": c.code, "name": c.name, "reference": c.reference, "definition": c.definition} for c in values]


@router.get("/quality/content", response=QualityContentOut)
def content(request: HttpRequest) -> dict[str, Any]:
    """The audit checklist templates (21 CFR 211, ICH Q7, GCP/CRO, analytical laboratory), the finding classes
    (EU GMP definitions), the sections of a quality agreement (FDA's 2016 guidance), and the US filing categories
    and EU variation types a change may need — each with its regulatory reference, in CXO's own words."""
    return {
        "checklists": [
            {"code": t.code, "name": t.name, "source": t.source, "items": [vars(i) for i in t.items]}
            for t in checklist_templates().values()
        ],
        "finding_classes": _choices(finding_classes().values()),
        "agreement_sections": _choices(agreement_sections()),
        "us_filing_categories": _choices(us_filing_categories().values()),
        "eu_variation_types": _choices(eu_variation_types().values()),
    }

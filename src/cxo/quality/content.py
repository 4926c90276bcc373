"""The regulatory content the quality app ships (``data/``, provenance in ``data/PROVENANCE.md``), read once.

Checklist templates, the finding classes, the sections of a quality agreement, the US filing categories
and EU variation types of a change. Services validate against these; pages and the API show them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def data_load(name: str) -> Any:
    with (DATA / name).open(encoding="utf-8") as fh:
        return json.load(fh)


@dataclass(frozen=True)
class ChecklistLine:
    section: str
    clause: str
    question: str


@dataclass(frozen=True)
class ChecklistTemplate:
    code: str
    name: str
    source: str
    items: tuple[ChecklistLine, ...]


@cache
def checklist_templates() -> dict[str, ChecklistTemplate]:
    """The shipped audit checklists by code, in a stable order."""
    out: dict[str, ChecklistTemplate] = {}
    for path in sorted((DATA / "checklists").glob("*.json")):
        raw = data_load(f"checklists/{path.name}")
        items = tuple(ChecklistLine(i["section"], i["clause"], i["question"]) for i in raw["items"])
        out[raw["code"]] = ChecklistTemplate(raw["code"], raw["name"], raw["source"], items)
    return out


@dataclass(frozen=True)
class Choice:
    """A coded choice with its regulatory reference and meaning."""

    code: str
    name: str
    reference: str
    definition: str


@cache
def finding_classes() -> dict[str, Choice]:
    raw = data_load("finding_classes.json")
    return {code: Choice(code, c["name"], raw["source"], c["definition"]) for code, c in raw["classes"].items()}


@cache
def agreement_sections() -> tuple[Choice, ...]:
    """The sections every quality agreement version has, in order (FDA's 2016 guidance)."""
    raw = data_load("agreement_sections.json")
    return tuple(Choice(s["code"], s["name"], s["reference"], s["prompt"]) for s in raw["sections"])


@cache
def us_filing_categories() -> dict[str, Choice]:
    raw = data_load("change_categories.json")
    return {c["code"]: Choice(c["code"], c["name"], c["reference"], c["definition"]) for c in raw["us_categories"]}


@cache
def eu_variation_types() -> dict[str, Choice]:
    raw = data_load("change_categories.json")
    return {c["code"]: Choice(c["code"], c["name"], c["reference"], c["definition"]) for c in raw["eu_variations"]}

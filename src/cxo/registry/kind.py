"""What kind of organisation this is — CRO, CMO, CDMO, sponsor or other — derived from what it does.

The kind is never typed in: it follows from the organisation's capabilities (over all its sites
and its organisation-wide capabilities) and the evidence behind them, by one rule:

1. Each capability's service falls in one group, by its code:

   - **research & development** — ``svc.research.*`` (discovery, assays, chemistry, preclinical),
     ``svc.development.*`` (process, formulation, analytical development) and ``svc.clinical.*``
     (trial services, data management, regulatory);
   - **manufacturing** — ``svc.mfg.*`` (drug substance/API, drug product by dosage form, PET
     drugs), ``svc.packaging.pack`` and ``svc.packaging.label`` (21 CFR 207.1 counts packing and
     labelling as manufacture) and ``svc.sterilize``;
   - **testing** — ``svc.analysis.*`` (analytical/QC testing);
   - **trade & niche** — repackaging, relabelling, distribution, salvage, foreign selling, and two
     FDA "manufacturing" operations that are not contract pharma work: medical-gas transfill and
     medicated animal feed.

2. A capability counts as a *provider service* if some evidence for it is not a clinical-trial
   record (or it has no evidence at all, i.e. it was declared). Clinical-trial evidence with
   ``detail["role"] == "lead_sponsor"`` shows the organisation *sponsors* trials — it bought those
   services, it did not sell them; other trial roles (collaborator) prove neither.

3. Then, first match wins:

   - research & development **and** manufacturing → **CDMO** (the whole path, research to supply);
   - manufacturing (with or without testing and trade) → **CMO**; its testing is taken to be
     in-house QC;
   - research & development and/or testing, no manufacturing → **CRO** (a contract testing
     laboratory is a CRO for this purpose);
   - lead sponsor of clinical trials and no provider services → **sponsor**;
   - trade & niche operations only → **other** (a pure distributor, repackager, gas transfiller,
     feed mill);
   - nothing → no kind yet (``""``).

   An organisation with provider services that also sponsors trials is classified by its services
   (many pharma companies run contract-manufacturing arms); the reason text says it sponsors too.

The rule is :func:`kind_derive` (pure, no database); :func:`organisation_kinds_refresh` applies it
to organisations after an import and stores ``Organisation.kind`` and ``kind_reason``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from django.db import models, transaction

from cxo.core.models import Organisation
from cxo.registry.models import Capability, Evidence, EvidenceKind, Term, Vocabulary


class Kind(models.TextChoices):
    CRO = "cro", "CRO"
    CMO = "cmo", "CMO"
    CDMO = "cdmo", "CDMO"
    SPONSOR = "sponsor", "Sponsor"
    OTHER = "other", "Other"


RESEARCH_DEVELOPMENT = "research & development"
MANUFACTURING = "manufacturing"
TESTING = "testing"
TRADE = "trade & niche"

# Checked in order, first matching prefix wins: the niche "manufacturing" operations before svc.mfg.
_GROUP_PREFIXES: tuple[tuple[str, str], ...] = (
    ("svc.mfg.transfill", TRADE),
    ("svc.mfg.medicated_feed", TRADE),
    ("svc.packaging.repack", TRADE),
    ("svc.packaging.relabel", TRADE),
    ("svc.distribution", TRADE),
    ("svc.research", RESEARCH_DEVELOPMENT),
    ("svc.development", RESEARCH_DEVELOPMENT),
    ("svc.clinical", RESEARCH_DEVELOPMENT),
    ("svc.mfg", MANUFACTURING),
    ("svc.packaging", MANUFACTURING),
    ("svc.sterilize", MANUFACTURING),
    ("svc.analysis", TESTING),
)

LEAD_SPONSOR = "lead_sponsor"


def service_group(code: str) -> str | None:
    """The group of a service code (see the module docstring), or None for a code outside the tree."""
    for prefix, group in _GROUP_PREFIXES:
        if code == prefix or code.startswith(prefix + "."):
            return group
    return None


def _listed(codes: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(sorted(names.get(c, c) for c in codes))


def kind_derive(
    *,
    services: Collection[str],
    sponsored_trials: int = 0,
    evidence: Collection[str] = (),
    names: Mapping[str, str] | None = None,
    collaborated_trials: int = 0,
) -> tuple[str, str]:
    """The organisation's kind and the reason, from its provider services (codes) and sponsored trials.

    ``services`` are the codes of the services it provides (capabilities with provider evidence);
    ``sponsored_trials`` how many clinical trials it leads as sponsor; ``evidence`` the kinds of
    evidence behind its services (for the reason text); ``names`` code -> display name;
    ``collaborated_trials`` how many trials it is only a collaborator on (for the reason text).
    """
    names = names or {}
    groups: dict[str, set[str]] = defaultdict(set)
    for code in services:
        group = service_group(code)
        if group is not None:
            groups[group].add(code)
    rd, mfg, testing, trade = (groups[g] for g in (RESEARCH_DEVELOPMENT, MANUFACTURING, TESTING, TRADE))
    labels = dict(EvidenceKind.choices)
    source = f" Evidence: {', '.join(sorted(labels.get(e, e) for e in evidence))}." if evidence else ""
    also = f" Also lead sponsor of {sponsored_trials} clinical trial(s)." if sponsored_trials else ""

    if rd and mfg:
        return Kind.CDMO, (
            f"CDMO: research & development ({_listed(rd, names)}) and manufacturing ({_listed(mfg, names)})."
            + source
            + also
        )
    if mfg:
        return Kind.CMO, (
            f"CMO: manufacturing ({_listed(mfg, names)}) without research, development or clinical services."
            + source
            + also
        )
    if rd or testing:
        what = [f"research & development ({_listed(rd, names)})"] if rd else []
        if testing:
            what.append(f"testing ({_listed(testing, names)})")
        return Kind.CRO, f"CRO: {' and '.join(what)} without manufacturing." + source + also
    if sponsored_trials:
        return Kind.SPONSOR, f"Sponsor: lead sponsor of {sponsored_trials} clinical trial(s) and no provider services."
    if trade:
        return Kind.OTHER, (
            f"Other: only distribution, repackaging or niche operations ({_listed(trade, names)}); "
            "no research, development, manufacturing or testing." + source
        )
    if collaborated_trials:
        return "", (
            f"Collaborator on {collaborated_trials} clinical trial(s), which shows no provider service by itself; "
            "no other capabilities on record yet."
        )
    return "", "No capabilities on record yet."


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = 900) -> Iterator[Sequence[_T]]:
    # Keeps every IN (...) under SQLite's bound-parameter limit.
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def organisation_kinds_refresh(*, organisation_ids: Collection[int]) -> int:
    """Recompute and store ``kind`` and ``kind_reason`` for these organisations; returns how many changed.

    Reads capabilities and evidence in a few bulk queries and writes one UPDATE per distinct
    (kind, reason), so refreshing thousands of organisations after an import stays quick.
    """
    ids = sorted(set(organisation_ids))
    names = dict(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", "name"))
    capability_org: dict[int, tuple[int, str]] = {}
    provider_evidence: dict[int, set[str]] = defaultdict(set)
    trial_evidence: set[int] = set()
    sponsored: dict[int, set[str]] = defaultdict(set)
    collaborated: dict[int, set[str]] = defaultdict(set)
    current: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        current.update(
            (pk, (kind, reason))
            for pk, kind, reason in Organisation.objects.filter(pk__in=chunk).values_list("pk", "kind", "kind_reason")
        )
        for cap_id, org_id, code in Capability.objects.filter(organisation_id__in=chunk).values_list(
            "id", "organisation_id", "service__code"
        ):
            capability_org[cap_id] = (org_id, code)
        evidence = Evidence.objects.filter(capability__organisation_id__in=chunk)
        for cap_id, kind in evidence.exclude(kind=EvidenceKind.CLINICAL_TRIAL).values_list("capability_id", "kind"):
            provider_evidence[cap_id].add(kind)
        for cap_id, source_ref, detail in evidence.filter(kind=EvidenceKind.CLINICAL_TRIAL).values_list(
            "capability_id", "source_ref", "detail"
        ):
            trial_evidence.add(cap_id)
            if (detail or {}).get("role", LEAD_SPONSOR) == LEAD_SPONSOR:
                sponsored[capability_org[cap_id][0]].add(source_ref)
            else:
                collaborated[capability_org[cap_id][0]].add(source_ref)

    services: dict[int, set[str]] = defaultdict(set)
    evidence_kinds: dict[int, set[str]] = defaultdict(set)
    for cap_id, (org_id, code) in capability_org.items():
        if cap_id in provider_evidence:
            services[org_id].add(code)
            evidence_kinds[org_id] |= provider_evidence[cap_id]
        elif cap_id not in trial_evidence:
            services[org_id].add(code)  # declared, with no evidence yet

    changes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for org_id in current:
        derived = kind_derive(
            services=services[org_id],
            sponsored_trials=len(sponsored[org_id]),
            evidence=evidence_kinds[org_id],
            names=names,
            collaborated_trials=len(collaborated[org_id] - sponsored[org_id]),
        )
        if derived != current[org_id]:
            changes[derived].append(org_id)
    for (kind, reason), org_ids in changes.items():
        for chunk in _chunks(org_ids):
            Organisation.objects.filter(pk__in=chunk).update(kind=kind, kind_reason=reason)
    return sum(len(v) for v in changes.values())

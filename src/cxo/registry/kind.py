"""What roles an organisation plays in the supply chain, derived from the public record. The one rule.

An organisation may hold several roles at once (a large innovator is a sponsor, a generic marketer
and an API supplier). None is typed in: each follows from capabilities and the evidence behind
them, over all its sites and its organisation-wide capabilities.

**Roles** (code — what earns it):

- ``sponsor`` **Sponsor / innovator** — it holds an NDA or a BLA (the NDC directory's marketing
  category and application number; see :func:`application_holders`), or it leads clinical trials as
  their sponsor.
- ``generic`` **Generic marketer** — it holds an ANDA (or markets an authorised generic) the same way.

  A registered repackager or relabeler that manufactures nothing holds neither: its NDC listings
  are other companies' products under their applications.
- ``cdmo`` **CDMO** — research, development or clinical *service* evidence and manufacturing evidence.
- ``cmo`` **Contract manufacturer** — an SPL establishment section shows one of its sites making,
  packing or labelling a product whose label names another company; or it is registered with FDA
  for drug-product manufacture, packing, labelling or sterilisation and markets no product of its
  own in the NDC directory.
- ``maker`` **Manufacturer** — drug-product manufacture, packing, labelling or sterilisation on
  record and none of the roles above (typically a maker of OTC or unapproved products under its own
  name): it makes, but the record does not say for whom.
- ``api`` **API supplier** — drug-substance (API) manufacture: an FDA registration, an SPL
  establishment record or a bulk-ingredient listing (NDC unfinished drugs).
- ``cro`` **CRO** — research, development or clinical services evidenced as a provider. A clinical
  trial the organisation sponsors or collaborates on is never such evidence: a sponsor buys those
  services, and a collaborator may be a university, a hospital or a funder.
- ``lab`` **Testing laboratory** — analytical testing and no manufacturing of any kind (registered
  for ANALYSIS only is a laboratory, not a CRO).
- ``logistics`` **Logistics** — distribution, salvage, medical-gas transfill, repacking or
  relabelling, and no manufacturing or testing.

Capabilities count as *provider* evidence when some evidence for them is not a clinical-trial
record (or they were declared with no evidence yet). Labelling a product under one's own name (the
NDC labeler service) earns no role by itself: the marketing category says which.

The reason lists the facts behind each role held, then what is **none on record** — an absence of
records is never stated as a fact about the company.

:func:`roles_derive` is the rule (pure, no database). :func:`organisation_kinds_refresh` applies it
after an import and stores the roles on ``Organisation.kind`` as a ``|role|role|`` signature (so the
directory filters roles with one ``LIKE``) and the reason on ``kind_reason``; :func:`roles_of` reads
it back, in the order above. Search, matching, pages and the API all read that one field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models, transaction
from django.db.models import Count

from cxo.core.models import Organisation
from cxo.registry.models import Capability, Evidence, EvidenceKind, Term, Vocabulary
from cxo.registry.names import name_key


class Role(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor / innovator"
    GENERIC = "generic", "Generic marketer"
    CDMO = "cdmo", "CDMO"
    CMO = "cmo", "Contract manufacturer"
    MAKER = "maker", "Manufacturer"
    API = "api", "API supplier"
    CRO = "cro", "CRO"
    LAB = "lab", "Testing laboratory"
    LOGISTICS = "logistics", "Logistics"


ROLE_ORDER: tuple[str, ...] = tuple(Role.values)

RESEARCH_DEVELOPMENT = "research & development"
API_MANUFACTURE = "API manufacture"
MANUFACTURING = "manufacturing"
TESTING = "testing"
LOGISTICS = "logistics"
LABELER = "labeler"
NICHE = "niche"

# Checked in order, first matching prefix wins.
_GROUP_PREFIXES: tuple[tuple[str, str], ...] = (
    ("svc.distribution.labeler", LABELER),
    ("svc.mfg.medicated_feed", NICHE),
    ("svc.mfg.transfill", LOGISTICS),
    ("svc.packaging.repack", LOGISTICS),
    ("svc.packaging.relabel", LOGISTICS),
    ("svc.distribution", LOGISTICS),
    ("svc.research", RESEARCH_DEVELOPMENT),
    ("svc.development", RESEARCH_DEVELOPMENT),
    ("svc.clinical", RESEARCH_DEVELOPMENT),
    ("svc.mfg.api", API_MANUFACTURE),
    ("svc.mfg", MANUFACTURING),
    ("svc.packaging", MANUFACTURING),
    ("svc.sterilize", MANUFACTURING),
    ("svc.analysis", TESTING),
)

LEAD_SPONSOR = "lead_sponsor"

# NDC marketing categories (upper case, as the importer stores them) by what they say of the labeler.
INNOVATOR_CATEGORIES = frozenset({"NDA", "BLA"})
GENERIC_CATEGORIES = frozenset({"ANDA", "NDA AUTHORIZED GENERIC"})


def service_group(code: str) -> str | None:
    """The group of a service code (see the module docstring), or None for a code outside the tree."""
    for prefix, group in _GROUP_PREFIXES:
        if code == prefix or code.startswith(prefix + "."):
            return group
    return None


def roles_of(value: str) -> list[str]:
    """The roles stored in ``Organisation.kind`` (a ``|role|role|`` signature), in :data:`ROLE_ORDER`."""
    held = set(value.strip("|").split("|")) if value else set()
    return [r for r in ROLE_ORDER if r in held]


def roles_signature(roles: Iterable[str]) -> str:
    held = [r for r in ROLE_ORDER if r in set(roles)]
    return f"|{'|'.join(held)}|" if held else ""


def role_label(role: str) -> str:
    return str(dict(Role.choices).get(role, role))


@dataclass
class RoleFacts:
    """What the record holds about one organisation, as :func:`roles_derive` reads it."""

    services: set[str] = field(default_factory=set)  # codes of provider services
    registered: set[str] = field(default_factory=set)  # codes with FDA-registration evidence
    evidence: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # group -> evidence kinds
    categories: Counter[str] = field(default_factory=Counter)  # NDC marketing category -> products
    applications: Counter[str] = field(default_factory=Counter)  # category -> applications it holds
    made_for: set[str] = field(default_factory=set)  # other labelers an SPL shows its sites making for
    sponsored_trials: int = 0
    collaborated_trials: int = 0


def _listed(codes: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(sorted(names.get(c, c) for c in codes))


def _applications(n: int) -> str:
    return f"{n:,} application{'s' if n != 1 else ''}"


def _products(n: int) -> str:
    return f"{n:,} product{'s' if n != 1 else ''}"


def roles_derive(facts: RoleFacts, *, names: Mapping[str, str] | None = None) -> tuple[list[str], str]:
    """The organisation's roles (in :data:`ROLE_ORDER`) and the reason, from what is on record."""
    names = names or {}
    labels = dict(EvidenceKind.choices)
    groups: dict[str, set[str]] = defaultdict(set)
    for code in facts.services:
        group = service_group(code)
        if group is not None:
            groups[group].add(code)

    def what(group: str) -> str:
        kinds = facts.evidence.get(group) or set()
        source = f"; {', '.join(sorted(str(labels.get(k, k)) for k in kinds))}" if kinds else ""
        return f"{_listed(groups[group], names)}{source}"

    rd, api, mfg, testing, logistics = (groups[g] for g in (RESEARCH_DEVELOPMENT, API_MANUFACTURE, MANUFACTURING,
                                                            TESTING, LOGISTICS))  # fmt: skip
    # A registered repackager or relabeler that makes nothing lists other companies' products.
    repackager = bool(groups[LOGISTICS] & {c for c in facts.registered if c.startswith("svc.packaging.re")}) and not (
        groups[MANUFACTURING] or groups[API_MANUFACTURE]
    )
    held = Counter() if repackager else facts.applications
    innovator = sum(n for c, n in held.items() if c in INNOVATOR_CATEGORIES)
    generic = sum(n for c, n in held.items() if c in GENERIC_CATEGORIES)
    listed = sum(n for c, n in facts.categories.items() if c in INNOVATOR_CATEGORIES | GENERIC_CATEGORIES)
    marketed = sum(facts.categories.values())
    facts_of: dict[str, str] = {}
    if innovator or facts.sponsored_trials:
        parts = (
            [f"first to market under {_applications(innovator)} (NDA or BLA) in the NDC directory"] if innovator else []
        )
        if facts.sponsored_trials:
            parts.append(f"lead sponsor of {facts.sponsored_trials:,} clinical trial(s)")
        facts_of[Role.SPONSOR] = " and ".join(parts)
    if generic:
        facts_of[Role.GENERIC] = f"first to market under {_applications(generic)} (ANDA) in the NDC directory"
    if rd and (mfg or api):
        facts_of[Role.CDMO] = f"research & development ({what(RESEARCH_DEVELOPMENT)}) and manufacturing"
    registered_mfg = {c for c in mfg if c in facts.registered}
    if facts.made_for:
        shown = sorted(facts.made_for)
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        facts_of[Role.CMO] = f"its sites make products labelled by {', '.join(shown[:3])}{more} (SPL)"
    elif registered_mfg and not marketed:
        facts_of[Role.CMO] = (
            f"registered for {_listed(registered_mfg, names)}, and no product of its own in the NDC directory"
        )
    if mfg and not ({Role.SPONSOR, Role.GENERIC, Role.CMO, Role.CDMO} & set(facts_of)):
        facts_of[Role.MAKER] = f"{what(MANUFACTURING)}, for products of its own as far as the record shows"
    if api:
        facts_of[Role.API] = f"{what(API_MANUFACTURE)}"
    if rd and not (mfg or api):
        facts_of[Role.CRO] = what(RESEARCH_DEVELOPMENT)
    if testing and not (mfg or api):
        facts_of[Role.LAB] = f"{what(TESTING)}; no manufacturing on record"
    if logistics and not (mfg or api or testing):
        facts_of[Role.LOGISTICS] = what(LOGISTICS)

    roles = [r for r in ROLE_ORDER if r in facts_of]
    sentences = [f"{role_label(r)}: {facts_of[r]}." for r in roles]
    if mfg and not {Role.CMO, Role.CDMO, Role.MAKER} & set(facts_of):
        sentences.append(f"Manufactures ({what(MANUFACTURING)}) for its own products as far as the record shows.")
    if groups[NICHE]:
        sentences.append(f"{_listed(groups[NICHE], names)}, which is no contract pharma role.")
    if testing and (mfg or api):
        sentences.append(f"Testing ({_listed(testing, names)}) alongside manufacturing, taken as in-house QC.")
    if listed and not (innovator or generic):
        sentences.append(
            f"Lists {_products(listed)} under other companies' NDA, BLA or ANDA applications (repackaged or "
            "relabelled) in the NDC directory."
        )
    elif marketed and not listed:
        sentences.append(f"Markets {_products(marketed)} (OTC or unapproved categories) in the NDC directory.")
    if facts.collaborated_trials:
        sentences.append(
            f"Collaborator on {facts.collaborated_trials:,} clinical trial(s), "
            "which shows no provider service by itself."
        )
    missing = []
    if not rd:
        missing.append("research, development or clinical services as a provider")
    if not (mfg or api or groups[NICHE]):
        missing.append("manufacturing")
    if not facts.categories:
        missing.append("products in the NDC directory")
    if missing and (roles or facts.services or facts.categories):
        sentences.append(f"None on record: {'; '.join(missing)}.")
    if not sentences:
        return [], "No capabilities on record yet."
    if not roles:
        sentences.insert(0, "No role yet.")
    return roles, " ".join(sentences)


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = 900) -> Iterator[Sequence[_T]]:
    # Keeps every IN (...) under SQLite's bound-parameter limit.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same_company(a: str, b: str) -> bool:
    """Whether two name keys name one company: one's words are all in the other's ("Parke-Davis Div of Pfizer")."""
    words_a, words_b = set(a.split()), set(b.split())
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def application_holders() -> dict[int, Counter[str]]:
    """Organisation -> NDC marketing category -> how many NDA, BLA or ANDA applications it holds.

    The NDC directory lists a repackager's copy of a product under the same application as the
    original, so a labeler *holds* an application when it was the first to market under it (the
    earliest ``marketed_from`` among the listings of that application; ties hold it together).
    """
    first: dict[tuple[str, str], tuple[str, set[int]]] = {}
    categories = sorted(INNOVATOR_CATEGORIES | GENERIC_CATEGORIES)
    for org_id, category, application, start in (
        Evidence.objects.filter(kind=EvidenceKind.NDC_LISTING, detail__category__in=categories)
        .values_list("capability__organisation_id", "detail__category", "detail__application", "detail__marketed_from")
        .distinct()
    ):
        if not application:
            continue
        key = (str(category), str(application))
        day = str(start or "9999")
        held = first.get(key)
        if held is None or day < held[0]:
            first[key] = (day, {org_id})
        elif day == held[0]:
            held[1].add(org_id)
    out: dict[int, Counter[str]] = defaultdict(Counter)
    for (category, _), (_, org_ids) in first.items():
        for org_id in org_ids:
            out[org_id][category] += 1
    return out


def _facts(ids: Sequence[int]) -> tuple[dict[int, RoleFacts], dict[int, tuple[str, str]]]:
    """The :class:`RoleFacts` of these organisations, and what is stored now, in a few bulk queries per chunk."""
    facts: dict[int, RoleFacts] = defaultdict(RoleFacts)
    current: dict[int, tuple[str, str]] = {}
    holders = application_holders()
    for chunk in _chunks(ids):
        keys: dict[int, str] = {}
        for pk, name, kind, reason in Organisation.objects.filter(pk__in=chunk).values_list(
            "pk", "name", "kind", "kind_reason"
        ):
            current[pk] = (kind, reason)
            keys[pk] = name_key(name)
        capability: dict[int, tuple[int, str]] = {}
        for cap_id, org_id, code in Capability.objects.filter(organisation_id__in=chunk).values_list(
            "id", "organisation_id", "service__code"
        ):
            capability[cap_id] = (org_id, code)
        evidence = Evidence.objects.filter(capability__organisation_id__in=chunk)
        provider: dict[int, set[str]] = defaultdict(set)
        for cap_id, kind in (
            evidence.exclude(kind=EvidenceKind.CLINICAL_TRIAL).values_list("capability_id", "kind").distinct()
        ):
            provider[cap_id].add(kind)
        trial_caps: set[int] = set()
        sponsored: dict[int, set[str]] = defaultdict(set)
        collaborated: dict[int, set[str]] = defaultdict(set)
        for cap_id, source_ref, role in evidence.filter(kind=EvidenceKind.CLINICAL_TRIAL).values_list(
            "capability_id", "source_ref", "detail__role"
        ):
            trial_caps.add(cap_id)
            org_id = capability[cap_id][0]
            (sponsored if (role or LEAD_SPONSOR) == LEAD_SPONSOR else collaborated)[org_id].add(source_ref)
        for org_id, category, n in (
            evidence.filter(kind=EvidenceKind.NDC_LISTING)
            .values_list("capability__organisation_id", "detail__category")
            .annotate(n=Count("source_ref", distinct=True))
            .order_by()
        ):
            facts[org_id].categories[str(category or "").upper()] += n
        for org_id in chunk:
            if org_id in holders:
                facts[org_id].applications = holders[org_id]
        for org_id, labeler, code in (
            evidence.filter(kind=EvidenceKind.SPL_ESTABLISHMENT, capability__site__isnull=False)
            .values_list("capability__organisation_id", "detail__labeler", "capability__service__code")
            .distinct()
        ):
            made = labeler and service_group(code) in (MANUFACTURING, API_MANUFACTURE)
            if made and not _same_company(name_key(str(labeler)), keys.get(org_id, "")):
                facts[org_id].made_for.add(str(labeler))
        for cap_id, (org_id, code) in capability.items():
            kinds = provider.get(cap_id)
            if kinds is None and cap_id in trial_caps:
                continue  # rests on trials only: no provider service
            org = facts[org_id]
            org.services.add(code)
            group = service_group(code)
            if kinds and group is not None:
                org.evidence[group] |= kinds
                if EvidenceKind.FDA_REGISTRATION in kinds:
                    org.registered.add(code)
        for org_id in chunk:
            facts[org_id].sponsored_trials = len(sponsored[org_id])
            facts[org_id].collaborated_trials = len(collaborated[org_id] - sponsored[org_id])
    return facts, current


@transaction.atomic
def organisation_kinds_refresh(*, organisation_ids: Collection[int]) -> int:
    """Recompute and store the roles (``kind``) and ``kind_reason`` of these organisations; returns how many changed.

    Reads capabilities and evidence in a few bulk queries and writes one UPDATE per distinct
    (roles, reason), so refreshing thousands of organisations after an import stays quick.
    """
    ids = sorted(set(organisation_ids))
    names = dict(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", "name"))
    facts, current = _facts(ids)
    changes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for org_id in current:
        roles, reason = roles_derive(facts[org_id], names=names)
        derived = (roles_signature(roles), reason)
        if derived != current[org_id]:
            changes[derived].append(org_id)
    for (kind, reason), org_ids in changes.items():
        for chunk in _chunks(org_ids):
            Organisation.objects.filter(pk__in=chunk).update(kind=kind, kind_reason=reason)
    return sum(len(v) for v in changes.values())


def role_counts() -> dict[str, int]:
    """How many organisations hold each role (an organisation counts once per role it holds)."""
    counts: Counter[str] = Counter()
    for value, n in Organisation.objects.exclude(kind="").values_list("kind").annotate(n=Count("id")).order_by():
        for role in roles_of(value):
            counts[role] += n
    return {r: counts.get(r, 0) for r in ROLE_ORDER}

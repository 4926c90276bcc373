"""The directory's search index: facet signatures of sites and organisations, and the taxonomy tree.

A *signature* is a set of facet values stored as one string, ``|3|17|42|`` — sorted, delimited on
both sides, so "has value 17" is ``LIKE '%|17|%'`` and equal sets have equal strings. Term
signatures include every ancestor of each term, so a site doing API manufacture (primary
manufacturing) also carries "Manufacturing", and filtering or counting by a parent term needs no
tree walk in SQL.

A site's services are its own (FDA registers operations per site). Its dosage forms, routes and
evidence are its own plus, for a site that makes or packs finished products, those of its
organisation's organisation-wide capabilities (the products the organisation lists as labeler):
the best the public data says about what that site handles. Directory filters combine facts of
one :class:`~cxo.registry.models.FacetGroup` — a site's own record, its organisation's products at
that site (tied to its finished-goods services only, so an API plant that also labels is not an API
maker of tablets), or the organisation's facts tied to no site — and count distinct sites or
organisations (:mod:`cxo.registry.search`). A service whose only evidence is a trial the
organisation sponsors or collaborates on is not counted as a service it provides.

:func:`facets_rebuild` derives :class:`~cxo.registry.models.SiteFacets` and
:class:`~cxo.registry.models.OrganisationFacets` from the registry's own tables. Importers run it
when an import succeeds (:func:`facets_follow_import`, connected in ``cxo.registry.apps``);
``cxo registry_reindex`` runs it by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.db.models import Q

from cxo.core.models import Organisation
from cxo.registry.compliance import ComplianceFacts, compliance_facts
from cxo.registry.models import (
    Capability,
    Evidence,
    EvidenceKind,
    FacetGroup,
    FactScope,
    OrganisationFacets,
    Site,
    SiteFacets,
    Term,
    fei_assigned,
)
from cxo.registry.substances import substance_moiety


def signature(values: Iterable[object]) -> str:
    """The signature of a set of values: ``|a|b|`` sorted (numerically for ids), or ``""`` when empty."""
    items = sorted(
        {str(v) for v in values if v not in (None, "")}, key=lambda s: (len(s), s) if s.isdigit() else (0, s)
    )
    return f"|{'|'.join(items)}|" if items else ""


def signature_values(sig: str) -> list[str]:
    """The values of a signature, in order."""
    return sig.strip("|").split("|") if sig else []


def signature_contains(value: object) -> str:
    """The ``LIKE`` fragment (for ``__contains``) matching signatures that hold ``value``."""
    return f"|{value}|"


_NON_WORD = re.compile(r"[^0-9a-z]+")


def search_normalise(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: "Société Générale, S.A." -> "societe generale s a".

    Both the index and the query go through this, so case, accents and punctuation never decide a match.
    """
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", folded).strip()


@dataclass(frozen=True)
class TermNode:
    id: int
    vocabulary: str
    code: str
    name: str
    parent_id: int | None
    cdisc_code: str
    sort: int


@dataclass
class TermAncestry:
    """All taxonomy terms in memory (a few hundred rows), with ancestry and tree order.

    Text users type is resolved by :mod:`cxo.registry.terms`; synonyms (a JSON list per term, the
    costly part to load) are read here only when a page lists them.
    """

    nodes: dict[int, TermNode] = field(default_factory=dict)
    by_code: dict[str, TermNode] = field(default_factory=dict)
    _ancestors: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _children: dict[int | None, list[int]] = field(default_factory=lambda: defaultdict(list))
    _synonyms: dict[int, tuple[str, ...]] | None = None
    _orders: dict[str, list[TermNode]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> TermAncestry:
        """One query for the whole taxonomy."""
        tree = cls()
        rows = Term.objects.order_by("vocabulary", "sort", "name").values_list(
            "id", "vocabulary", "code", "name", "parent_id", "cdisc_code", "sort"
        )
        for id_, vocabulary, code, name, parent_id, cdisc_code, sort in rows:
            node = TermNode(id_, vocabulary, code, name, parent_id, cdisc_code, sort)
            tree.nodes[id_] = node
            tree.by_code[code] = node
            tree._children[parent_id].append(id_)
        return tree

    def synonyms(self, term_id: int) -> tuple[str, ...]:
        """The term's synonyms (one query the first time for all terms)."""
        if self._synonyms is None:
            self._synonyms = {i: tuple(s or ()) for i, s in Term.objects.values_list("id", "synonyms")}
        return self._synonyms.get(term_id, ())

    def ancestors(self, term_id: int) -> tuple[int, ...]:
        """The term's ancestors, nearest first (not the term itself)."""
        if term_id not in self._ancestors:
            chain: list[int] = []
            parent = self.nodes[term_id].parent_id
            while parent is not None and parent not in chain:
                chain.append(parent)
                parent = self.nodes[parent].parent_id
            self._ancestors[term_id] = tuple(chain)
        return self._ancestors[term_id]

    def with_ancestors(self, term_ids: Iterable[int | None]) -> set[int]:
        out: set[int] = set()
        for term_id in term_ids:
            if term_id is not None and term_id in self.nodes:
                out.add(term_id)
                out.update(self.ancestors(term_id))
        return out

    def depth(self, term_id: int) -> int:
        return len(self.ancestors(term_id))

    def children(self, term_id: int | None) -> list[TermNode]:
        return [self.nodes[i] for i in self._children.get(term_id, [])]

    def vocabulary(self, vocabulary: str) -> list[TermNode]:
        """The vocabulary's terms in tree order: each parent followed by its children, by ``sort`` then name."""
        if vocabulary in self._orders:
            return self._orders[vocabulary]
        out: list[TermNode] = self._orders.setdefault(vocabulary, [])

        def visit(node: TermNode) -> None:
            out.append(node)
            for child in self.children(node.id):
                visit(child)

        for root in self.children(None):
            if root.vocabulary == vocabulary:
                visit(root)
        return out

    def most_specific(self, term_ids: Collection[int]) -> list[TermNode]:
        """The terms of a closed set that are not an ancestor of another term in it (what a site really does)."""
        ancestors = {a for t in term_ids if t in self.nodes for a in self.ancestors(t)}
        nodes = [self.nodes[t] for t in term_ids if t in self.nodes and t not in ancestors]
        return sorted(nodes, key=lambda n: (n.sort, n.name))


@dataclass
class Profile:
    """The term ids and evidence kinds of a set of capabilities."""

    services: set[int] = field(default_factory=set)
    dosage_forms: set[int] = field(default_factory=set)
    routes: set[int] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)
    substances: set[str] = field(default_factory=set)  # active moieties

    def add(
        self, service_id: int, dosage_form_id: int | None, route_id: int | None, substance: str, evidence: set[str]
    ) -> None:
        self.services.add(service_id)
        if dosage_form_id is not None:
            self.dosage_forms.add(dosage_form_id)
        if route_id is not None:
            self.routes.add(route_id)
        if moiety := substance_moiety(substance).replace("|", "/"):  # "|" delimits signatures
            self.substances.add(moiety)
        self.evidence |= evidence

    def union(self, other: Profile) -> Profile:
        return Profile(
            self.services | other.services,
            self.dosage_forms | other.dosage_forms,
            self.routes | other.routes,
            self.evidence | other.evidence,
            self.substances | other.substances,
        )


# Sites doing one of these (or a narrower service) handle finished products, so they take on the
# dosage forms, routes and evidence of their organisation's organisation-wide capabilities.
FINISHED_GOODS_SERVICES = ("svc.mfg.drug_product", "svc.packaging")


@dataclass(frozen=True)
class FacetsRebuilt:
    sites: int
    organisations: int


@dataclass
class _Record:
    """The registration and compliance columns of an index row: a site's, or the union of an organisation's."""

    expiry: dt.date | None = None
    outcomes: set[str] = field(default_factory=set)
    warning_letter_on: dt.date | None = None
    recall_class1_on: dt.date | None = None

    def add(self, facts: ComplianceFacts | None, expiry: dt.date | None) -> _Record:
        if expiry is not None:
            self.expiry = max(expiry, self.expiry or expiry)
        if facts is not None:
            if facts.latest_outcome:
                self.outcomes.add(facts.latest_outcome)
            for name in ("warning_letter_on", "recall_class1_on"):
                day = getattr(facts, name)
                if day is not None:
                    setattr(self, name, max(day, getattr(self, name) or day))
        return self

    def columns(self) -> dict[str, object]:
        return {
            "registration_expiry": self.expiry,
            "inspections": signature(self.outcomes),
            "warning_letter_on": self.warning_letter_on,
            "recall_class1_on": self.recall_class1_on,
        }


def _site_text(*parts: str | None) -> str:
    return search_normalise(" ".join(p for p in parts if p))


PARTIAL_REBUILD_LIMIT = 5000
CHUNK = 500

_Row = TypeVar("_Row")


def _chunked(ids: list[int] | None, query: Callable[[Q], Iterable[_Row]], *, field: str) -> list[_Row]:
    """``query`` for all rows (``ids`` None) or for ``field`` in ``ids``, a few hundred ids at a time.

    Short IN lists on one table each: no join, and no plan that goes wrong on tables a bulk import
    has just filled in the same transaction (PostgreSQL has no statistics for them yet).
    """
    if ids is None:
        return list(query(Q()))
    rows: list[_Row] = []
    for start in range(0, len(ids), CHUNK):
        rows.extend(query(Q(**{f"{field}__in": ids[start : start + CHUNK]})))
    return rows


@transaction.atomic
def facets_changed() -> None:
    """Tell this process's directory columns (cxo.registry.facet_columns) to read the groups again."""
    from cxo.registry import facet_columns

    facet_columns.facets_changed()


def facets_rebuild(*, organisation_ids: Collection[int] | None = None) -> FacetsRebuilt:
    """Rebuild the directory's facet index for the given organisations (all when None).

    Reads sites, capabilities and evidence in a few bulk queries, replaces the index rows in one
    transaction (readers see the old index until it commits), and returns how many rows it wrote.
    """
    if organisation_ids is not None and len(organisation_ids) > PARTIAL_REBUILD_LIMIT:
        organisation_ids = None  # cheaper (and within SQL parameter limits) to rebuild everything
    tree = TermAncestry.load()
    ids = None if organisation_ids is None else sorted(set(organisation_ids))

    capabilities: list[tuple[int, int, int | None, int, int | None, int | None, str]] = _chunked(
        ids,
        lambda where: Capability.objects.filter(where).values_list(
            "id", "organisation_id", "site_id", "service_id", "dosage_form_id", "route_id", "substance"
        ),
        field="organisation_id",
    )
    evidence_kinds: dict[int, set[str]] = defaultdict(set)
    evidence_rows = _chunked(
        None if ids is None else sorted(row[0] for row in capabilities),
        lambda where: Evidence.objects.filter(where).values_list("capability_id", "kind").distinct(),
        field="capability_id",
    )
    for capability_id, kind in evidence_rows:
        evidence_kinds[capability_id].add(kind)

    # Per site and per organisation (site None = organisation-wide): term ids and evidence kinds.
    by_site: dict[int, Profile] = defaultdict(Profile)
    org_wide: dict[int, Profile] = defaultdict(Profile)
    org_all: dict[int, Profile] = defaultdict(Profile)
    for cap_id, org_id, site_id, service_id, dosage_form_id, route_id, substance in capabilities:
        evidence = evidence_kinds.get(cap_id, set())
        bought_only = evidence == {EvidenceKind.CLINICAL_TRIAL}
        for profile in (org_all[org_id], by_site[site_id] if site_id is not None else org_wide[org_id]):
            if bought_only:
                # A trial it sponsors or collaborates on: it bought clinical services, it does not sell them
                # (as cxo.registry.kind and matching read it). The record is on file; the service is not its.
                profile.evidence |= evidence
            else:
                profile.add(service_id, dosage_form_id, route_id, substance, evidence)

    sites: list[tuple[int, int, str, str, str, str | None, str, str, dt.date | None]] = _chunked(
        ids,
        lambda where: Site.objects.filter(where).values_list(
            "id", "organisation_id", "name", "address", "country", "duns", "fei", "fei_key", "registration_expiry"
        ),
        field="organisation_id",
    )
    facts_by_fei, facts_by_org = compliance_facts(
        feis=None if ids is None else {row[7] for row in sites}, organisation_ids=ids
    )
    org_ids = {row[1] for row in sites} | {row[1] for row in capabilities}
    organisations = {
        row[0]: row
        for row in _chunked(
            None if ids is None else sorted(org_ids),
            lambda where: Organisation.objects.filter(where).values_list("id", "name", "kind", "registrant_duns"),
            field="pk",
        )
        if row[0] in org_ids
    }
    finished_goods = {t.id for code in FINISHED_GOODS_SERVICES if (t := tree.by_code.get(code))}

    site_rows: list[SiteFacets] = []
    group_rows: list[FacetGroup] = []

    def group(org_id: int, site_id: int | None, scope: str, country: str, kind: str, profile: Profile,
              services: set[int], record: _Record) -> FacetGroup:  # fmt: skip
        return FacetGroup(
            organisation_id=org_id,
            site_id=site_id,
            scope=scope,
            country=country,
            kind=kind,
            services=signature(services),
            dosage_forms=signature(tree.with_ancestors(profile.dosage_forms)),
            routes=signature(tree.with_ancestors(profile.routes)),
            substances=signature(profile.substances),
            evidence=signature(profile.evidence),
            **record.columns(),
        )

    countries: dict[int, set[str]] = defaultdict(set)
    site_counts: dict[int, int] = defaultdict(int)
    records: dict[int, _Record] = defaultdict(_Record)
    for org_id, named in facts_by_org.items():  # records linked to the organisation by name
        records[org_id].add(named, None)
    for site_id, org_id, name, address, country, duns, fei, fei_key, expiry in sites:
        _, org_name, kind, _ = organisations[org_id]
        own = by_site.get(site_id, Profile())
        services = tree.with_ancestors(own.services)
        profile = own
        countries[org_id].add(country)
        site_counts[org_id] += 1
        facts = facts_by_fei.get(fei_key) if fei_key else None
        record = _Record().add(facts, expiry)
        records[org_id].add(facts, expiry)
        group_rows.append(group(org_id, site_id, FactScope.SITE, country, kind, own, services, record))
        fg_services = {t for t in services if t in finished_goods or finished_goods & set(tree.ancestors(t))}
        inherited = org_wide.get(org_id)
        if fg_services and inherited is not None:
            # The organisation's products (NDC listings) are made or packed at its finished-goods sites:
            # facts of those services at this site, not of its other operations (API manufacture, …).
            profile = own.union(inherited)
            fg = tree.with_ancestors(fg_services)
            group_rows.append(group(org_id, site_id, FactScope.INHERITED, country, kind, inherited, fg, record))
        site_rows.append(
            SiteFacets(
                site_id=site_id,
                organisation_id=org_id,
                country=country,
                kind=kind,
                services=signature(services),
                dosage_forms=signature(tree.with_ancestors(profile.dosage_forms)),
                routes=signature(tree.with_ancestors(profile.routes)),
                substances=signature(profile.substances),
                evidence=signature(profile.evidence),
                **record.columns(),
                sort_name=search_normalise(name)[:255],
                search_text=_site_text(org_name, name, address, duns, fei_assigned(fei)),
            )
        )
    org_rows = []
    for org_id, name, kind, registrant_duns in organisations.values():
        profile = org_all.get(org_id, Profile())
        if org_id in org_wide or not site_counts.get(org_id):
            wide = org_wide.get(org_id, Profile())
            services = tree.with_ancestors(wide.services)
            group_rows.append(group(org_id, None, FactScope.ORGANISATION, "", kind, wide, services, records[org_id]))
        org_rows.append(
            OrganisationFacets(
                organisation_id=org_id,
                countries=signature(countries.get(org_id, ())),
                kind=kind,
                services=signature(tree.with_ancestors(profile.services)),
                dosage_forms=signature(tree.with_ancestors(profile.dosage_forms)),
                routes=signature(tree.with_ancestors(profile.routes)),
                substances=signature(profile.substances),
                evidence=signature(profile.evidence),
                **records[org_id].columns(),
                site_count=site_counts.get(org_id, 0),
                sort_name=search_normalise(name)[:255],
                search_text=_site_text(name, registrant_duns),
            )
        )

    if ids is None:
        SiteFacets.objects.all().delete()
        OrganisationFacets.objects.all().delete()
        FacetGroup.objects.all().delete()
    else:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            SiteFacets.objects.filter(organisation_id__in=chunk).delete()
            OrganisationFacets.objects.filter(organisation_id__in=chunk).delete()
            FacetGroup.objects.filter(organisation_id__in=chunk).delete()
    SiteFacets.objects.bulk_create(site_rows, batch_size=2000)
    OrganisationFacets.objects.bulk_create(org_rows, batch_size=2000)
    FacetGroup.objects.bulk_create(group_rows, batch_size=2000)
    facets_changed()
    return FacetsRebuilt(sites=len(site_rows), organisations=len(org_rows))


#: The id ``cxo.registry.apps`` connects :func:`facets_follow_import` to ``import_succeeded`` under.
FOLLOW_IMPORT = "registry.facets_follow_import"


def facets_follow_import(sender: object, *, organisation_ids: Collection[int], **kwargs: object) -> None:
    """Receiver of ``import_succeeded``: re-index the organisations the import changed, in its transaction."""
    facets_rebuild(organisation_ids=organisation_ids)


@contextmanager
def facets_deferred() -> Iterator[None]:
    """Imports inside do not re-index one by one; on leaving, the whole index is rebuilt once.

    For loading many files in a row (``cxo demo``): thirteen partial rebuilds of thousands of
    organisations cost more than one full one. The rebuild runs even if an import fails, so the
    index always matches what was committed.
    """
    from cxo.registry.importers.base import import_succeeded

    import_succeeded.disconnect(dispatch_uid=FOLLOW_IMPORT)
    try:
        yield
    finally:
        import_succeeded.connect(facets_follow_import, dispatch_uid=FOLLOW_IMPORT)
        facets_rebuild()

"""FDA Structured Product Labels (HL7 SPL XML): which site does what for which product.

``cxo import spl PATH`` takes one ``.xml`` label or a folder of them (every ``*.xml`` and gzipped
``*.xml.gz`` in it, in name order). Each file is one record; a file that is not well-formed XML, or
not an SPL document, is rejected with its name, the line where it breaks and the reason.

What a label says, and what the import makes of it
---------------------------------------------------

- The **product data section** (``subject/manufacturedProduct``): each product's NDC product code,
  name, dosage form (``formCode``: a CDISC C-code and its SPL name), route(s)
  (``consumedIn/substanceAdministration/routeCode``) and active ingredients (``ACTIB``, ``ACTIM``,
  ``ACTIR``; inactive ones are ignored). The parts of a kit are read the same way, each with its
  own form, routes and actives.
- The **establishment sections** under ``<author>``: the labeler (``representedOrganization``), the
  registrant (its ``assignedOrganization``), and each establishment (``assignedEntity/
  assignedOrganization``) with its DUNS number (``<id root="1.3.6.1.4.1.519.1" extension=…>``),
  name and the operations it performs (``performance/actDefinition/code``: "MANUFACTURE", "API
  MANUFACTURE", "ANALYSIS", …), each for the listed NDC product codes — or for every product of the
  label when it names none.

Per establishment, the **site** is the registry site with that DUNS (e.g. from DECRS), whose
organisation it keeps. A DUNS the registry does not know becomes a new site (with no
registration) of the label's registrant organisation (by registrant DUNS, created if need be); a
label without a registrant uses its labeler (by DUNS as a registrant, else by name as in
:mod:`cxo.registry.names`, else created).

Per operation and product, a **site-level capability**: the operation's service (the DECRS mapping,
``data/decrs_operations.csv``) with the product's dosage form, route and active substance — one
capability per combination. Drug-substance operations (API manufacture, particle size reduction)
make the substance, not the finished dosage form, so their capabilities carry the substance only.

**Evidence** of kind ``spl_establishment`` per capability and label: ``source_ref`` is
``SPL <setId> v<version> DUNS <duns> <operation>``, ``observed_on`` the label's ``effectiveTime``,
``detail`` the operation, the products' NDC codes and names, the labeler and the DailyMed address.
Another version of a label is other evidence; nothing is deleted.

Operations are read by their name (``displayName``); a label without names is read by the C-codes
seen in FDA's labels (:data:`~cxo.registry.importers.spl_xml.OPERATION_CODES`). Reading the XML is
:mod:`cxo.registry.importers.spl_xml`. An operation the mapping does not know, an
establishment without a DUNS number, and a dosage form or route the taxonomy does not know are
skipped or left empty, and counted in the notes and the summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.registry.importers.base import (
    ImportContext,
    Importer,
    ImportFailed,
    Outcome,
    Record,
    RowRejected,
    bulk_insert,
)
from cxo.registry.importers.decrs import decrs_operations
from cxo.registry.importers.spl_xml import (
    LabelUnreadable,
    SplEstablishment,
    SplItem,
    SplLabel,
    SplOperation,
    SplProduct,
    label_read,
)
from cxo.registry.importers.upsert import (
    CapabilitySpec,
    EvidenceSpec,
    capabilities_ensure,
    evidence_upsert,
    line_counts,
    organisations_create,
    statistics_refresh,
)
from cxo.registry.models import Capability, Evidence, EvidenceKind, Site, Term, Vocabulary
from cxo.registry.names import OrganisationIndex, name_key
from cxo.registry.taxonomy import VocabularyLookup, taxonomy_load, term_lookup

#: Services whose operations make the drug substance: their capabilities carry the substance only.
SUBSTANCE_SERVICES = "svc.mfg.api"
DAILYMED = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid="


class SplImporter(Importer[SplLabel]):
    """HL7 SPL XML labels, one file or a folder (see the module docstring)."""

    source = "spl"
    label = "FDA Structured Product Label (SPL XML)"
    columns = ("file",)
    accepts_directory = True

    def __init__(self) -> None:
        self.operations = decrs_operations()
        self._seen: dict[str, str] = {}
        self._index = 0

    def records(self, path: Path) -> Iterator[tuple[int, Record]]:
        if path.is_dir():
            files = sorted(p for pattern in ("*.xml", "*.xml.gz") for p in path.glob(pattern) if p.is_file())
        else:
            files = [path]
        if not files:
            raise ImportFailed(f"No .xml or .xml.gz files in {path}.")
        for file in files:
            yield 1, {"file": file.name if path.is_dir() else path.name, "path": str(file)}

    def parse(self, *, line: int, record: Record) -> SplLabel:
        name = str(record["file"])
        try:
            label = label_read(str(record["path"]), file=name, index=self._index + 1, operations=self.operations)
        except LabelUnreadable as exc:
            raise RowRejected(f"{name}: {exc.reason}", line=exc.line) from None
        if label.label_ref in self._seen:
            raise RowRejected(
                f"{name}: label {label.set_id} v{label.version} is already in {self._seen[label.label_ref]}"
            )
        self._seen[label.label_ref] = name
        self._index += 1
        return label

    def apply(self, *, rows: list[SplLabel], context: ImportContext) -> Outcome:
        taxonomy_load(actor=context.actor)
        services = dict(Term.objects.filter(vocabulary=Vocabulary.SERVICE).values_list("code", "pk"))
        op_service = {op: services[code] for op, code in self.operations.items()}
        substance_only = {
            op for op, code in self.operations.items() if code == SUBSTANCE_SERVICES or code.startswith("svc.mfg.api.")
        }
        forms = term_lookup(vocabulary=Vocabulary.DOSAGE_FORM)
        routes = term_lookup(vocabulary=Vocabulary.ROUTE)
        outcome = Outcome()
        report = _Report()

        sites = self._sites(rows, outcome, report)
        merged: dict[tuple[CapabilitySpec, str], dict[str, Any]] = {}
        origin: dict[tuple[CapabilitySpec, str], tuple[int, dt.date]] = {}
        for label in rows:
            by_ndc = {p.ndc: p for p in label.products}
            for establishment in label.establishments:
                org_id, site_id = sites[establishment.duns]
                for operation in establishment.operations:
                    report.operations[operation.name] += 1
                    products = [by_ndc[n] for n in operation.ndcs if n in by_ndc] if operation.ndcs else label.products
                    report.unmatched_ndcs += sum(1 for n in operation.ndcs if n not in by_ndc)
                    # An operation whose products the label does not describe still shows what the site does.
                    products = products or (SplProduct(ndc="", name="", items=()),)
                    ref = f"{label.label_ref} DUNS {establishment.duns} {operation.name}"
                    for product in products:
                        for item in product.items or (SplItem("", "", (), ()),):
                            for spec in self._specs(
                                item, org_id, site_id, op_service[operation.name],
                                operation.name in substance_only, forms, routes, report,
                            ):  # fmt: skip
                                detail = merged.get((spec, ref)) or merged.setdefault(
                                    (spec, ref), self._detail(label, operation)
                                )
                                if product.ndc and product.ndc not in detail["products"]:
                                    detail["products"].append(product.ndc)
                                if product.name and product.name not in detail["names"]:
                                    detail["names"].append(product.name)
                                origin[(spec, ref)] = (label.index, label.effective)
        for detail in merged.values():
            detail["products"].sort()
            detail["names"].sort()
        caps = capabilities_ensure(
            (spec for spec, _ in merged),
            scope=Capability.objects.filter(site__isnull=False, service_id__in=set(op_service.values())),
        )
        evidence = [
            EvidenceSpec(
                line=origin[(spec, ref)][0],
                organisation_id=spec.organisation_id,
                capability_id=caps.ids[spec],
                source_ref=ref,
                observed_on=origin[(spec, ref)][1],
                detail=detail,
            )
            for (spec, ref), detail in merged.items()
        ]
        written = evidence_upsert(
            kind=EvidenceKind.SPL_ESTABLISHMENT,
            specs=evidence,
            existing=Evidence.objects.filter(kind=EvidenceKind.SPL_ESTABLISHMENT, source_ref__startswith="SPL "),
            run=context.run,
        )
        statistics_refresh(rows_written=caps.created + written.created + written.updated)
        outcome.created, outcome.updated, outcome.unchanged = line_counts((r.index for r in rows), written)
        outcome.organisation_ids |= caps.organisation_ids | written.organisation_ids
        report.fill(rows, outcome, caps.created, written.counts())
        return outcome

    @staticmethod
    def _detail(label: SplLabel, operation: SplOperation) -> dict[str, Any]:
        return {
            "operation": operation.name,
            "products": [],
            "names": [],
            "labeler": label.labeler_name,
            "document": label.document_type,
            "url": DAILYMED + label.set_id,
        }

    @staticmethod
    def _specs(
        item: SplItem,
        org_id: int,
        site_id: int,
        service_id: int,
        substance_only: bool,
        forms: VocabularyLookup,
        routes: VocabularyLookup,
        report: _Report,
    ) -> list[CapabilitySpec]:
        substances = item.substances or ("",)
        if substance_only:
            return [CapabilitySpec(organisation_id=org_id, service_id=service_id, site_id=site_id, substance=s)
                    for s in substances]  # fmt: skip
        form_id = forms.id_of(item.form_code) or forms.id_of(item.form_name)
        if form_id is None and (item.form_code or item.form_name):
            report.unknown_forms[item.form_name or item.form_code] += 1
        route_ids: list[int | None] = []
        for code, name in item.routes:
            route_id = routes.id_of(code) or routes.id_of(name)
            if route_id is None:
                report.unknown_routes[name or code] += 1
            route_ids.append(route_id)
        return [
            CapabilitySpec(
                organisation_id=org_id,
                service_id=service_id,
                site_id=site_id,
                dosage_form_id=form_id,
                route_id=route_id,
                substance=substance,
            )
            for route_id in dict.fromkeys(route_ids or [None])
            for substance in substances
        ]

    def _sites(self, rows: list[SplLabel], outcome: Outcome, report: _Report) -> dict[str, tuple[int, int]]:
        """DUNS -> (organisation id, site id) for every establishment, creating the sites the registry lacks."""
        wanted = {e.duns for label in rows for e in label.establishments}
        known = {
            str(duns): (org_id, pk)
            for duns, org_id, pk in Site.objects.filter(duns__in=wanted).values_list("duns", "organisation_id", "pk")
        }
        report.establishments_known = len(known)
        new: dict[str, tuple[SplLabel, SplEstablishment]] = {}
        for label in rows:
            for establishment in label.establishments:
                if establishment.duns not in known:
                    new.setdefault(establishment.duns, (label, establishment))
        if not new:
            return known
        owners = self._owners([label for label, _ in new.values()], outcome, report)
        now = timezone.now()
        bulk_insert(
            Site,
            ("organisation", "name", "duns", "address", "country", "created_at", "updated_at"),
            [(owners[label.index], e.name, duns, e.address, e.country, now, now) for duns, (label, e) in new.items()],
        )
        report.sites_created = len(new)
        outcome.organisation_ids |= {owners[label.index] for label, _ in new.values()}
        known.update(
            (str(duns), (org_id, pk))
            for duns, org_id, pk in Site.objects.filter(duns__in=list(new)).values_list("duns", "organisation_id", "pk")
        )
        return known

    def _owners(self, labels: list[SplLabel], outcome: Outcome, report: _Report) -> dict[int, int]:
        """label index -> the organisation its new sites belong to (see the module docstring)."""
        by_duns = {
            str(duns): pk
            for duns, pk in Organisation.objects.filter(
                registrant_duns__in={d for label in labels for d in (label.registrant_duns, label.labeler_duns) if d}
            ).values_list("registrant_duns", "pk")
        }
        index: OrganisationIndex | None = None
        owners: dict[int, int] = {}
        to_create: dict[tuple[str, str], tuple[str, str | None]] = {}  # key -> (name, registrant DUNS)
        pending: dict[int, tuple[str, str]] = {}
        for label in labels:
            if label.registrant_duns:
                if label.registrant_duns in by_duns:
                    owners[label.index] = by_duns[label.registrant_duns]
                else:
                    key = ("duns", label.registrant_duns)
                    to_create.setdefault(key, (label.registrant_name or f"DUNS {label.registrant_duns}",
                                               label.registrant_duns))  # fmt: skip
                    pending[label.index] = key
                continue
            if label.labeler_duns in by_duns:
                owners[label.index] = by_duns[label.labeler_duns]
                continue
            index = index or OrganisationIndex.load()
            link = index.link(label.labeler_name)
            if link is not None:
                owners[label.index] = link.organisation_id
                continue
            key = ("name", name_key(label.labeler_name) or label.labeler_name.casefold())
            to_create.setdefault(key, (label.labeler_name or f"DUNS {label.labeler_duns}", None))
            pending[label.index] = key
        created = organisations_create(
            names={key: name for key, (name, _) in to_create.items()},
            registrant_duns={key: duns for key, (_, duns) in to_create.items() if duns},
            type=OrganisationType.PROVIDER,
        )
        report.organisations_created = len(created)
        outcome.organisation_ids |= set(created.values())
        owners.update({i: created[key] for i, key in pending.items()})
        return owners


@dataclass
class _Report:
    operations: Counter[str] = field(default_factory=Counter)
    unknown_forms: Counter[str] = field(default_factory=Counter)
    unknown_routes: Counter[str] = field(default_factory=Counter)
    unmatched_ndcs: int = 0
    establishments_known: int = 0
    sites_created: int = 0
    organisations_created: int = 0

    def fill(self, rows: list[SplLabel], outcome: Outcome, capabilities: int, evidence: dict[str, int]) -> None:
        establishments = {e.duns for label in rows for e in label.establishments}
        without = [label.file for label in rows if not label.establishments]
        skipped = [f"{label.file}: {s}" for label in rows for s in label.skipped]
        outcome.notes = {
            "labels": len(rows),
            "labels_without_establishments": without,
            "establishments": len(establishments),
            "establishments_known": self.establishments_known,
            "sites_created": self.sites_created,
            "organisations_created": self.organisations_created,
            "operations": dict(sorted(self.operations.items())),
            "capabilities": {"created": capabilities},
            "evidence": evidence,
            "skipped": skipped,
            "operation_ndcs_not_in_label": self.unmatched_ndcs,
            "unknown_dosage_forms": dict(self.unknown_forms),
            "unknown_routes": dict(self.unknown_routes),
        }
        operations = ", ".join(f"{op} {n}" for op, n in sorted(self.operations.items())) or "none"
        outcome.summary = [
            f"Labels: {len(rows):,}; establishments: {len(establishments):,} ({self.establishments_known:,} "
            f"already in the registry by DUNS, {self.sites_created:,} new sites; "
            f"{self.organisations_created:,} organisations created). Operations: {operations}.",
            f"Capabilities: {capabilities:,} created; evidence: {evidence['created']:,} created, "
            f"{evidence['updated']:,} updated.",
        ]
        if without:
            outcome.summary.append(f"Labels without establishment records (nothing to import): {', '.join(without)}.")
        for line in skipped:
            outcome.summary.append(f"Skipped: {line}.")
        if self.unknown_forms:
            outcome.summary.append(f"Unknown dosage forms: {', '.join(sorted(self.unknown_forms))}.")
        if self.unknown_routes:
            outcome.summary.append(f"Unknown routes: {', '.join(sorted(self.unknown_routes))}.")

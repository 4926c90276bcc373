"""Findings and CAPAs: the sponsor's view, and the provider's — only the findings addressed to it, with what it
needs to answer them (the finding, its clause, the audit's reference, site and dates), nothing else of the audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cxo.core.errors import NotFound
from cxo.core.models import Organisation
from cxo.quality.models import Capa, CapaEvidence, CapaStatus, Finding

AWAITING_PROVIDER = (CapaStatus.AWAITING, CapaStatus.RETURNED)
OPEN = (CapaStatus.AWAITING, CapaStatus.PROPOSED, CapaStatus.RETURNED, CapaStatus.ACCEPTED, CapaStatus.EFFECTIVE)


def capa_due_on(capa: Capa) -> dt.date | None:
    """When the CAPA's next step is due: the proposal (its finding's response date) while the provider has to
    propose, then its first open action's due date."""
    if capa.status in AWAITING_PROVIDER:
        return capa.finding.response_due
    if capa.status == CapaStatus.ACCEPTED:
        open_dates = [a.due_on for a in capa.actions.all() if a.is_open]
        return min(open_dates) if open_dates else None
    return None


def capa_overdue(capa: Capa, today: dt.date | None = None) -> bool:
    """Whether the CAPA's next step is late (flagged on both sides)."""
    due = capa_due_on(capa)
    return due is not None and due < (today or timezone.localdate())


def _with_parts(qs: QuerySet[Capa]) -> QuerySet[Capa]:
    return qs.select_related(
        "finding__audit", "finding__site", "finding__organisation", "provider", "organisation", "closure_signature"
    ).prefetch_related("actions", "evidence")


def capa_list(*, organisation: Organisation, status: str = "", open_only: bool = False) -> QuerySet[Capa]:
    """The sponsor's CAPAs (of its audits' findings), oldest finding first."""
    qs = _with_parts(Capa.objects.for_organisation(organisation))
    if status in CapaStatus.values:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN)
    return qs.order_by("finding__response_due", "pk")


def capa_get(*, organisation: Organisation, capa_id: int) -> Capa:
    """One of the sponsor's CAPAs, with its finding, actions and evidence."""
    capa = _with_parts(Capa.objects.for_organisation(organisation)).filter(pk=capa_id).first()
    if capa is None:
        raise NotFound("No such CAPA.")
    return capa


@dataclass(frozen=True)
class ProviderFinding:
    """A finding as the provider it is addressed to reads it: no checklist, no auditors' notes, no other finding's
    sponsor data. ``capa`` is the CAPA both parties work on."""

    id: int
    label: str
    sponsor: str
    audit_reference: str
    site: str
    audit_ended_on: dt.date | None
    classification: str
    classification_label: str
    title: str
    description: str
    clause: str
    response_due: dt.date | None
    issued_at: dt.datetime | None
    capa: Capa

    @property
    def overdue(self) -> bool:
        return capa_overdue(self.capa)


def _for_provider(finding: Finding) -> ProviderFinding:
    audit = finding.audit
    return ProviderFinding(
        id=finding.pk,
        label=f"{audit.reference}-{finding.label}",
        sponsor=finding.organisation.name,
        audit_reference=audit.reference,
        site=finding.site.name,
        audit_ended_on=audit.conducted_on or audit.ends_on,
        classification=finding.classification,
        classification_label=finding.get_classification_display(),
        title=finding.title,
        description=finding.description,
        clause=finding.clause,
        response_due=finding.response_due,
        issued_at=finding.issued_at,
        capa=finding.capa,
    )


def _provider_capas(provider: Organisation) -> QuerySet[Capa]:
    return _with_parts(Capa.objects.for_counterparty(provider).filter(finding__issued_at__isnull=False))


def provider_finding_list(*, provider: Organisation, open_only: bool = False) -> list[ProviderFinding]:
    """The findings addressed to ``provider`` by any sponsor (once each report was issued), with their CAPAs."""
    capas = _provider_capas(provider)
    if open_only:
        capas = capas.filter(status__in=OPEN)
    return [_for_provider(c.finding) for c in capas.order_by("finding__response_due", "pk")]


def provider_capa_get(*, provider: Organisation, capa_id: int) -> ProviderFinding:
    """One finding addressed to ``provider`` and its CAPA (NotFound for any other)."""
    capa = _provider_capas(provider).filter(pk=capa_id).first()
    if capa is None:
        raise NotFound("No such CAPA.")
    return _for_provider(capa.finding)


def capa_evidence_get(*, organisation: Organisation, evidence_id: int) -> CapaEvidence:
    """An evidence document of a CAPA ``organisation`` is a party to (sponsor or provider)."""
    evidence = CapaEvidence.objects.for_party(organisation).select_related("capa").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("No such document.")
    return evidence

"""Contracts objects for tests, benchmarks and the tenant-isolation walk: a master agreement in force, a quality
agreement in force (quality's own world leaves its agreement a draft), the world's work order taken to active with
a milestone accepted and invoiced, and a change order drafted by the sponsor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cxo.contracts.models import ChangeOrder, Invoice, MasterAgreement, WorkOrder
from cxo.contracts.services.agreements import agreement_create, agreement_document_add, agreement_send, agreement_sign
from cxo.contracts.services.change_orders import change_order_create
from cxo.contracts.services.invoices import InvoiceLineInput, invoice_submit
from cxo.contracts.services.milestones import milestone_accept, milestone_report
from cxo.contracts.services.terms import LineInput, terms_input_of
from cxo.contracts.services.work_orders import (
    work_order_activate,
    work_order_send,
    work_order_sign,
    work_order_update,
)
from cxo.core.documents import DocumentData
from cxo.core.models import Organisation, User
from cxo.quality.models import QualityAgreementVersion
from cxo.quality.services.agreement import agreement_create as quality_agreement_create
from cxo.quality.services.agreement import agreement_version_sign
from cxo.registry.models import Site
from cxo.sourcing.services.award import award_sign
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit
from cxo.sourcing.services.rfp import rfp_close, rfp_create, rfp_issue
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.quality import agreement_text, provider_site
from cxo.testing.sourcing import proposal_data

PDF = b"%PDF-1.4\n% a test document\n"


def agreement_in_force(
    *,
    sponsor: Organisation,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
    currency: str = "USD",
    title: str = "Master services agreement",
) -> MasterAgreement:
    """An MSA signed by both, effective a month ago for two years, with one document."""
    today = timezone.localdate()
    agreement = agreement_create(
        actor=sponsor_user,
        organisation=sponsor,
        provider=provider,
        title=title,
        currency=currency,
        effective_date=today - dt.timedelta(days=30),
        expiry_date=today + dt.timedelta(days=730),
        payment_terms_days=30,
        terms_summary="Net 30; liability capped at fees paid; sponsor owns the results.",
    )
    agreement_document_add(
        actor=sponsor_user,
        organisation=sponsor,
        agreement=agreement,
        data=DocumentData("msa.pdf", PDF, "application/pdf"),
    )
    agreement_send(actor=sponsor_user, organisation=sponsor, agreement=agreement)
    agreement_sign(actor=provider_user, organisation=provider, agreement=agreement, password=TEST_PASSWORD)
    return agreement_sign(actor=sponsor_user, organisation=sponsor, agreement=agreement, password=TEST_PASSWORD)


def work_order_activated(
    *,
    work_order: WorkOrder,
    agreement: MasterAgreement | None,
    sponsor_user: User,
    provider_user: User,
) -> WorkOrder:
    """The draft sent under ``agreement``, signed by the provider then the sponsor, and activated."""
    sponsor, provider = work_order.organisation, work_order.provider
    work_order = work_order_update(
        actor=sponsor_user,
        organisation=sponsor,
        work_order=work_order,
        terms=terms_input_of(work_order),
        agreement_id=agreement.pk if agreement else 0,
    )
    work_order_send(actor=sponsor_user, organisation=sponsor, work_order=work_order)
    work_order_sign(actor=provider_user, organisation=provider, work_order=work_order, password=TEST_PASSWORD)
    work_order_sign(actor=sponsor_user, organisation=sponsor, work_order=work_order, password=TEST_PASSWORD)
    return work_order_activate(actor=sponsor_user, organisation=sponsor, work_order=work_order)


def milestone_accepted(*, work_order: WorkOrder, sponsor_user: User, provider_user: User, position: int = 0) -> Any:
    milestone = list(work_order.milestones.all())[position]
    milestone_report(
        actor=provider_user,
        organisation=work_order.provider,
        milestone=milestone,
        note="Done as agreed.",
        evidence=[DocumentData("report.pdf", PDF + milestone.name.encode(), "application/pdf")],
    )
    return milestone_accept(actor=sponsor_user, organisation=work_order.organisation, milestone=milestone)


def quality_agreement_in_force(
    *,
    sponsor: Organisation,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
    sites: list[Site] | None = None,
) -> QualityAgreementVersion:
    """A quality agreement with ``provider`` for ``sites``, signed by both and in force from today. By default for
    a site of its own: the walk's work order names no site, so it is in force for it, while quality's world keeps
    its site without one."""
    today = timezone.localdate()
    agreement = quality_agreement_create(
        actor=sponsor_user,
        organisation=sponsor,
        provider=provider,
        title="Quality agreement: packaging hall",
        sites=sites if sites is not None else [provider_site(provider, name="Provan packaging hall", fei="0003004099")],
        sections=agreement_text(),
        effective_on=today,
        expires_on=today + dt.timedelta(days=365),
    )
    version = agreement.versions.get()
    version = agreement_version_sign(actor=sponsor_user, version=version, password=TEST_PASSWORD)
    return agreement_version_sign(actor=provider_user, version=version, password=TEST_PASSWORD)


def contracts_world(
    *, sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User, work_order: WorkOrder
) -> dict[str, Any]:
    """The walk's contracts objects, every one reachable by the sponsor and (once shared) by the provider."""
    agreement = agreement_in_force(
        sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user
    )
    quality_agreement = quality_agreement_in_force(
        sponsor=sponsor, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user
    )
    work_order = work_order_activated(
        work_order=work_order, agreement=agreement, sponsor_user=sponsor_user, provider_user=provider_user
    )
    milestone = milestone_accepted(work_order=work_order, sponsor_user=sponsor_user, provider_user=provider_user)
    invoice: Invoice = invoice_submit(
        actor=provider_user,
        organisation=provider,
        work_order=work_order,
        number="INV-0001",
        issue_date=timezone.localdate(),
        lines=[InvoiceLineInput(milestone_id=milestone.pk)],
        document=DocumentData("INV-0001.pdf", PDF + b"INV-0001", "application/pdf"),
    )
    terms = terms_input_of(work_order)
    terms.lines.append(LineInput("Additional stability time point", "time point", Decimal("1"), Decimal("500")))
    change_order: ChangeOrder = change_order_create(
        actor=sponsor_user,
        organisation=sponsor,
        work_order=work_order,
        title="One more stability time point",
        reason="The agency asked for a 36-month point.",
        terms=terms,
    )
    return {
        "master_agreement": agreement,
        "master_agreement_document": agreement.documents.first(),
        "quality_agreement_in_force": quality_agreement,
        "work_order": work_order,
        "milestone": milestone,
        "evidence": milestone.documents.first(),
        "invoice": invoice,
        "change_order": change_order,
    }


def awarded_work_order(
    *,
    sponsor_user: User,
    provider: Organisation,
    provider_user: User,
    need: Any,
    title: str,
    currency: str = "USD",
    prices: tuple[str, ...] = ("1000", "2000", "300"),
) -> WorkOrder:
    """An RFP of ``need`` issued, bid by ``provider``, closed and awarded: the draft work order it drafts."""
    rfp = rfp_create(
        actor=sponsor_user,
        need=need,
        title=title,
        currency=currency,
        response_deadline=timezone.now() + dt.timedelta(days=7),
    )
    invitation = invitation_create(actor=sponsor_user, rfp=rfp, provider=provider)
    rfp = rfp_issue(actor=sponsor_user, rfp=rfp)
    invitation.refresh_from_db()
    version = proposal_submit(actor=provider_user, invitation=invitation, data=proposal_data(rfp, prices=list(prices)))
    rfp = rfp_close(actor=sponsor_user, rfp=rfp)
    award = award_sign(actor=sponsor_user, rfp=rfp, proposal=version.proposal, password=TEST_PASSWORD)
    return WorkOrder.objects.for_organisation(award.organisation).get(award=award)

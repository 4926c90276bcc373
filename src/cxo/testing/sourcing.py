"""Sourcing objects for tests and the tenant-isolation walk: a programme with a need, an issued RFP with an
invited provider, its question and proposal, a draft RFP, and the taxonomy terms they use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cxo.core.models import Organisation, User
from cxo.registry.models import Capability, Site, Term
from cxo.sourcing.services.award import award_sign
from cxo.sourcing.services.clarification import clarification_ask
from cxo.sourcing.services.documents import DocumentData
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.programme import need_create, programme_create
from cxo.sourcing.services.proposal import LineData, MilestoneData, ProposalData, proposal_submit
from cxo.sourcing.services.rfp import rfp_close, rfp_create, rfp_document_add, rfp_issue
from cxo.testing.factories import TEST_PASSWORD

TEST_TERMS = [
    ("service", "test.svc.secondary", "Secondary manufacturing (test)"),
    ("dosage_form", "test.frm.tablet", "TABLET (test)"),
    ("route", "test.route.oral", "ORAL (test)"),
    ("modality", "test.mod.small_molecule", "Small molecule (test)"),
    ("scale", "test.scale.clinical", "Clinical (test)"),
]


def sourcing_terms() -> dict[str, Term]:
    """Taxonomy terms for tests, by vocabulary (created if the taxonomy is not loaded)."""
    return {
        vocabulary: Term.objects.get_or_create(code=code, defaults={"vocabulary": vocabulary, "name": name})[0]
        for vocabulary, code, name in TEST_TERMS
    }


def provider_in_registry(provider: Organisation, *, duns: str = "123456789") -> Site:
    """List ``provider`` in the registry with a site that makes the test need's service and dosage form, so
    matching finds it (the matching index is rebuilt on next use)."""
    from cxo.matching import live

    terms = sourcing_terms()
    site = Site.objects.create(
        organisation=provider, name=f"{provider.name} Oral Solids Plant", country="USA", duns=duns
    )
    Capability.objects.create(
        organisation=provider,
        site=site,
        service=terms["service"],
        dosage_form=terms["dosage_form"],
        key=Capability.make_key(
            site_id=site.pk, service_id=terms["service"].pk, dosage_form_id=terms["dosage_form"].pk
        ),
    )
    live.forget()
    return site


def proposal_data(rfp: Any, *, prices: list[str], note: str = "", start: dt.date | None = None) -> ProposalData:
    """A proposal pricing the RFP's lines in order (assumptions stated where asked)."""
    start = start or dt.date(2026, 9, 1)
    lines = [
        LineData(line_item_id=item.pk, unit_price=Decimal(price), assumption="As stated in our assumptions")
        for item, price in zip(rfp.line_items.all(), prices, strict=False)
    ]
    return ProposalData(
        lines=lines,
        assumptions="Batch size 50,000 tablets; API supplied by the sponsor.",
        exceptions="",
        timeline_summary="Technology transfer, then three GMP batches.",
        milestones=[
            MilestoneData("Technology transfer complete", start + dt.timedelta(days=60)),
            MilestoneData("GMP batches released", start + dt.timedelta(days=150)),
        ],
        answers={q.pk: "Yes." for q in rfp.questions.all()},
        note=note,
    )


def sourcing_world(
    *, sponsor: Organisation, sponsor_user: User, provider: Organisation, provider_user: User
) -> dict[str, Any]:
    terms = sourcing_terms()
    programme = programme_create(
        actor=sponsor_user,
        organisation=sponsor,
        name="Alphamab tablets",
        code="ALP-101",
        modality=terms["modality"].code,
        indication="Type 2 diabetes",
        dosage_form=terms["dosage_form"].code,
        route=terms["route"].code,
        stage="phase_2",
    )
    need = need_create(
        actor=sponsor_user,
        programme=programme,
        title="Phase II clinical supply",
        criteria={"services": [terms["service"].code], "dosage_forms": [terms["dosage_form"].code]},
        quantity=Decimal("3"),
        unit="batches",
    )
    rfp = rfp_create(
        actor=sponsor_user,
        need=need,
        response_deadline=timezone.now() + dt.timedelta(days=14),
        questions=["Do you hold a current FDA registration for the site?"],
    )
    rfp_document = rfp_document_add(
        actor=sponsor_user, rfp=rfp, data=DocumentData("specification.txt", b"Tablet specification v1\n", "text/plain")
    )
    invitation = invitation_create(actor=sponsor_user, rfp=rfp, provider=provider)
    rfp = rfp_issue(actor=sponsor_user, rfp=rfp)
    invitation.refresh_from_db()
    clarification = clarification_ask(actor=provider_user, invitation=invitation, question="Is the API supplied?")
    version = proposal_submit(
        actor=provider_user, invitation=invitation, data=proposal_data(rfp, prices=["12000", "85000.50", "4000"])
    )
    draft_rfp = rfp_create(actor=sponsor_user, need=need, title="Commercial supply (draft)")
    awarded = _awarded_rfp(need=need, sponsor_user=sponsor_user, provider=provider, provider_user=provider_user)
    return {
        "programme": programme,
        "need": need,
        "rfp": rfp,
        "rfp_document": rfp_document,
        "rfp_invitation": invitation,
        "clarification": clarification,
        "proposal": version.proposal,
        "proposal_version": version,
        "proposal_document": None,
        "draft_rfp": draft_rfp,
        "criterion": rfp.criteria.first(),
        "awarded_rfp": awarded.rfp,
        "award": awarded,
        "work_order": awarded.work_order,
    }


def _awarded_rfp(*, need: Any, sponsor_user: User, provider: Organisation, provider_user: User) -> Any:
    """A second RFP taken all the way: issued, bid, closed and awarded (so a work order exists)."""
    rfp = rfp_create(
        actor=sponsor_user,
        need=need,
        title="Stability studies",
        response_deadline=timezone.now() + dt.timedelta(days=7),
    )
    invitation = invitation_create(actor=sponsor_user, rfp=rfp, provider=provider)
    rfp = rfp_issue(actor=sponsor_user, rfp=rfp)
    invitation.refresh_from_db()
    version = proposal_submit(
        actor=provider_user, invitation=invitation, data=proposal_data(rfp, prices=["1000", "2000", "300"])
    )
    rfp = rfp_close(actor=sponsor_user, rfp=rfp)
    return award_sign(actor=sponsor_user, rfp=rfp, proposal=version.proposal, password=TEST_PASSWORD)

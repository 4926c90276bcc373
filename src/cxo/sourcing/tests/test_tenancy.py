"""The tenancy base on sourcing's records: each scope returns exactly the rows it should, child rows follow
their parent, and what a provider reads is redacted by the selector (the page and the API show the same)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cxo.contracts.models import BudgetLine, WorkOrder
from cxo.contracts.services.work_orders import work_order_send
from cxo.core.models import Organisation, User
from cxo.core.services import api_token_create
from cxo.core.tenancy import TenantScopeError
from cxo.sourcing import selectors
from cxo.sourcing.models import (
    Clarification,
    Document,
    EvaluationCriterion,
    Proposal,
    ProposalAnswer,
    ProposalLine,
    ProposalMilestone,
    ProposalVersion,
    Rfp,
    RfpInvitation,
    RfpLineItem,
    RfpQuestion,
)
from cxo.sourcing.services.clarification import clarification_answer, clarification_ask
from cxo.sourcing.services.documents import DocumentData
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit
from cxo.testing.sourcing import proposal_data

CHILD_ROWS = [
    RfpLineItem,
    RfpQuestion,
    EvaluationCriterion,
    ProposalVersion,
    ProposalLine,
    ProposalAnswer,
    ProposalMilestone,
    BudgetLine,
]


@pytest.fixture
def two(sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User) -> SimpleNamespace:
    """The sourcing world with a second provider invited to the issued RFP and to the draft; a published answer,
    a private answer to the first provider, and a document on the first provider's proposal."""
    sw.provider_b, sw.provider_b_user = provider_b, provider_b_user
    sw.invitation_b = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    sw.draft_invitation = invitation_create(actor=sw.sponsor_user, rfp=sw.draft_rfp, provider=provider_b)
    sw.published = clarification_ask(actor=sw.provider_user, invitation=sw.rfp_invitation, question="Batch size?")
    clarification_answer(actor=sw.sponsor_user, clarification=sw.published, answer="50,000 tablets.", publish=True)
    clarification_answer(actor=sw.sponsor_user, clarification=sw.clarification, answer="Yes, by us.", publish=False)
    data = proposal_data(sw.rfp, prices=["11000", "85000.50", "4000"], note="v2")
    data.documents = [DocumentData("quality-agreement.pdf", b"%PDF-1.4 our terms", "application/pdf")]
    sw.version2 = proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)
    sw.proposal_document = sw.version2.documents.get()
    return sw


def _pks(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("model", CHILD_ROWS, ids=lambda m: m.__name__)
def test_child_rows_refuse_an_unscoped_query(sw: SimpleNamespace, model: Any) -> None:
    with pytest.raises(TenantScopeError, match=rf"Unscoped query of tenant data \({model.__name__}\)"):
        list(model.objects.all())
    with pytest.raises(TenantScopeError):
        model.objects.filter(pk__gt=0).count()
    assert model.objects.for_organisation(sw.sponsor).exists()
    assert not model.objects.for_organisation(sw.provider).exists()  # the sponsor owns them all


def test_child_rows_are_reached_through_their_parent(two: SimpleNamespace) -> None:
    assert list(two.rfp.line_items.all()) == list(RfpLineItem.objects.for_organisation(two.sponsor).filter(rfp=two.rfp))
    assert [v.number for v in two.proposal.versions.all()] == [1, 2]
    assert ProposalLine.objects.for_organisation(two.sponsor).filter(version=two.version2).count() == 3
    # The provider reaches a child row as a party to its parent: the issued RFP's, not the draft's.
    rfps_of_b = {two.rfp.pk}
    assert {li.rfp_id for li in RfpLineItem.objects.for_counterparty(two.provider_b)} == rfps_of_b
    assert _pks(ProposalVersion.objects.for_party(two.provider)) == _pks(two.proposal.versions.all()) | _pks(
        two.award.proposal.versions.all()
    )
    assert not ProposalVersion.objects.for_party(two.provider_b).exists()


def test_an_rfp_is_its_sponsors_and_its_invited_providers_once_issued(two: SimpleNamespace, outsider: User) -> None:
    every = {two.rfp.pk, two.draft_rfp.pk, two.awarded_rfp.pk}
    assert _pks(Rfp.objects.for_organisation(two.sponsor)) == every
    assert _pks(Rfp.objects.for_party(two.sponsor)) == every  # its own, once each (two invitations to one RFP)
    assert Rfp.objects.for_party(two.sponsor).count() == 3
    assert _pks(Rfp.objects.for_counterparty(two.provider)) == {two.rfp.pk, two.awarded_rfp.pk}
    assert _pks(Rfp.objects.for_counterparty(two.provider_b)) == {two.rfp.pk}  # not the draft it is invited to
    assert not Rfp.objects.for_counterparty(two.sponsor).exists()
    assert not Rfp.objects.for_party(Organisation.objects.get(slug="charlie-pharma")).exists()  # the outsider's


def test_invitations_proposals_and_work_orders_are_their_providers(two: SimpleNamespace) -> None:
    assert _pks(RfpInvitation.objects.for_counterparty(two.provider_b)) == {two.invitation_b.pk}  # not the draft's
    assert {i.provider_id for i in RfpInvitation.objects.for_counterparty(two.provider)} == {two.provider.pk}
    assert _pks(Proposal.objects.for_counterparty(two.provider)) == {two.proposal.pk, two.award.proposal_id}
    assert not Proposal.objects.for_counterparty(two.provider_b).exists()
    assert not WorkOrder.objects.for_party(two.provider).exists()  # a draft work order is the sponsor's alone
    work_order_send(actor=two.sponsor_user, organisation=two.sponsor, work_order=two.work_order)
    assert _pks(WorkOrder.objects.for_party(two.provider)) == {two.work_order.pk}
    assert not WorkOrder.objects.for_party(two.provider_b).exists()


def test_questions_and_documents_a_provider_may_see(two: SimpleNamespace) -> None:
    # Its own questions; of the others', only the published ones.
    assert _pks(Clarification.objects.for_counterparty(two.provider)) == {two.clarification.pk, two.published.pk}
    assert _pks(Clarification.objects.for_counterparty(two.provider_b)) == {two.published.pk}
    # The RFP's attachments once invited to the issued RFP, and its own proposal's documents; never another's.
    assert _pks(Document.objects.for_counterparty(two.provider)) == {two.rfp_document.pk, two.proposal_document.pk}
    assert _pks(Document.objects.for_counterparty(two.provider_b)) == {two.rfp_document.pk}
    assert _pks(Document.objects.for_party(two.sponsor)) == {two.rfp_document.pk, two.proposal_document.pk}


def test_the_provider_reads_clarifications_redacted(two: SimpleNamespace) -> None:
    mine = selectors.inbox_clarification_list(invitation=two.rfp_invitation)
    assert [(c.question, c.answer, c.mine, c.asked_at is not None) for c in mine] == [
        ("Is the API supplied?", "Yes, by us.", True, True),
        ("Batch size?", "50,000 tablets.", True, True),
    ]
    theirs = selectors.inbox_clarification_list(invitation=two.invitation_b)
    assert [(c.question, c.answer, c.mine, c.asked_at, c.published) for c in theirs] == [
        ("Batch size?", "50,000 tablets.", False, None, True)
    ]


def test_the_page_and_the_api_show_the_same_redacted_clarifications(two: SimpleNamespace) -> None:
    _, secret = api_token_create(user=two.provider_b_user, name="b")
    url = f"/api/v1/organisations/{two.provider_b.slug}/inbox/{two.rfp.pk}/questions"
    api = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert api == [
        {
            "id": two.published.pk,
            "question": "Batch size?",
            "answer": "50,000 tablets.",
            "visibility": "published",
            "mine": False,
        }
    ]
    page = Client()
    page.force_login(two.provider_b_user, backend="django.contrib.auth.backends.ModelBackend")
    html = page.get(f"/o/{two.provider_b.slug}/inbox/{two.rfp.pk}/").content.decode()
    assert "Batch size?" in html and "asked by a bidder" in html and "50,000 tablets." in html
    assert "Is the API supplied?" not in html and "Yes, by us." not in html and "your question" not in html

"""Proposals: server-computed totals, versions kept, and the refusals bidders must understand."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cxo.core.errors import Conflict, ServiceError
from cxo.core.models import AuditEvent
from cxo.sourcing.models import Rfp
from cxo.sourcing.services.documents import DocumentData
from cxo.sourcing.services.proposal import LineData, ProposalData, proposal_submit
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.sourcing import proposal_data


def test_totals_are_computed_by_the_server_in_decimal(sw: SimpleNamespace) -> None:
    v = sw.proposal_version
    amounts = [ln.amount for ln in v.lines.order_by("line_item__position")]
    # 6 months x 12,000; 3 batches x 85,000.50; 3 lots x 4,000
    assert amounts == [Decimal("72000.00"), Decimal("255001.50"), Decimal("12000.00")]
    assert v.total == Decimal("339001.50")
    assert v.number == 1
    assert len(v.content_sha256) == 64


def test_a_revision_is_a_new_version_and_the_old_one_is_kept(sw: SimpleNamespace) -> None:
    v2 = proposal_submit(
        actor=sw.provider_user,
        invitation=sw.rfp_invitation,
        data=proposal_data(sw.rfp, prices=["11000", "85000.50", "4000"], note="Lower PM fee"),
    )
    assert v2.number == 2 and v2.total == Decimal("333001.50")
    assert [v.number for v in v2.proposal.versions.all()] == [1, 2]
    sw.proposal_version.refresh_from_db()
    assert sw.proposal_version.total == Decimal("339001.50")
    v2.proposal.refresh_from_db()
    assert v2.proposal.current_version_id == v2.pk
    event = AuditEvent.objects.for_organisation(sw.provider).get(action="proposal.revise")
    assert event.changes["version"] == [1, 2] and event.reason == "Lower PM fee"
    assert AuditEvent.objects.for_organisation(sw.sponsor).filter(action="proposal.revise").count() == 1


def test_a_late_proposal_is_refused(sw: SimpleNamespace) -> None:
    Rfp.unscoped.filter(pk=sw.rfp.pk).update(response_deadline=timezone.now() - dt.timedelta(minutes=1))
    sw.rfp_invitation.rfp.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=proposal_data(sw.rfp, prices=["1"]))
    assert "has passed: proposals can no longer be submitted or revised." in exc.value.message
    assert exc.value.message.startswith("The response deadline (")


def test_a_proposal_on_a_closed_rfp_is_refused(sw: SimpleNamespace) -> None:
    rfp_close(actor=sw.sponsor_user, rfp=sw.rfp)
    with pytest.raises(
        Conflict, match=re.escape("This RFP is closed: proposals can no longer be submitted or revised.")
    ):
        proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=proposal_data(sw.rfp, prices=["1"]))
    assert sw.proposal.versions.count() == 1


def test_a_negative_unit_price_is_refused(sw: SimpleNamespace) -> None:
    item = sw.rfp.line_items.all()[1]
    data = ProposalData(lines=[LineData(item.pk, Decimal("-5.00"), assumption="x")])
    with pytest.raises(
        ServiceError, match=r"The unit price of line 2 \('Phase II clinical supply'\) cannot be negative\."
    ):
        proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)


def test_the_assumption_asked_for_must_be_stated(sw: SimpleNamespace) -> None:
    item = sw.rfp.line_items.all()[0]
    data = ProposalData(lines=[LineData(item.pk, Decimal("10"))])
    with pytest.raises(ServiceError, match=r"State your assumption for line 1 \('Project set-up and management'\)"):
        proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)


def test_unquoted_lines_and_other_quantities_are_kept(sw: SimpleNamespace) -> None:
    first, second, third = sw.rfp.line_items.all()
    data = ProposalData(
        lines=[LineData(first.pk, Decimal("100.00"), Decimal("2"), "two months"), LineData(third.pk, None)]
    )
    v = proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)
    assert v.total == Decimal("200.00")
    assert v.lines.get(line_item=third).amount is None
    assert not v.lines.filter(line_item=second).exists()


def test_documents_are_stored_with_their_sha256_and_carried_over(sw: SimpleNamespace) -> None:
    content = b"%PDF-1.4 technical proposal"
    data = proposal_data(sw.rfp, prices=["12000", "85000.50", "4000"])
    data.documents = [DocumentData("technical.pdf", content, "application/pdf")]
    v2 = proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=data)
    doc = v2.documents.get()
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.size == len(content)
    with doc.file.open("rb") as fh:
        assert fh.read() == content
    v3 = proposal_submit(actor=sw.provider_user, invitation=sw.rfp_invitation, data=proposal_data(sw.rfp, prices=["1"]))
    assert [d.sha256 for d in v3.documents.all()] == [doc.sha256]
    assert v2.content_sha256 != v3.content_sha256

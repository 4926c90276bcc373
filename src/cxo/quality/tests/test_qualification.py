"""The approved supplier list's state machine: who may move a qualification, the e-signed decisions, the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import AuditEvent, Organisation, Signature, User
from cxo.core.signatures import signature_matches
from cxo.quality.models import Qualification, QualificationKind, QualificationStatus
from cxo.quality.services.policy import policy_update
from cxo.quality.services.qualification import (
    qualification_content,
    qualification_create,
    qualification_decide,
    qualification_review,
    qualification_start,
)
from cxo.registry.models import Site, Term
from cxo.testing.factories import TEST_PASSWORD

S = QualificationStatus


@pytest.fixture
def listed(sponsor: Organisation, sponsor_user: User, site: Site, terms: dict[str, Term]) -> Qualification:
    return qualification_create(
        actor=sponsor_user, organisation=sponsor, site=site, service=terms["svc.mfg.drug_product"]
    )


def _approve(q: Qualification, actor: User, decision: str = S.APPROVED, **kwargs: Any) -> Qualification:
    return qualification_decide(
        actor=actor, qualification=q, decision=decision, reason="Audit satisfactory.", password=TEST_PASSWORD, **kwargs
    )


def test_a_listed_site_starts_in_qualification_with_its_history(listed: Qualification) -> None:
    assert listed.status == S.IN_QUALIFICATION
    assert listed.provider == listed.site.organisation
    history = [(e.from_status, e.to_status) for e in listed.events.order_by("at", "pk")]
    assert history == [("", S.NOT_STARTED), (S.NOT_STARTED, S.IN_QUALIFICATION)]
    actions = list(
        AuditEvent.objects.for_organisation(listed.organisation)
        .filter(object_type="quality.qualification")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["qualification.create", "qualification.in_qualification"]


def test_the_same_site_and_service_cannot_be_listed_twice(
    listed: Qualification, sponsor: Organisation, sponsor_user: User
) -> None:
    with pytest.raises(Conflict, match="already on your list for Drug product manufacture"):
        qualification_create(actor=sponsor_user, organisation=sponsor, site=listed.site, service=listed.service)


def test_approval_is_signed_bound_to_the_content_and_valid_for_the_policy_period(
    listed: Qualification, sponsor_user: User
) -> None:
    today = dt.date(2026, 3, 31)
    q = _approve(listed, sponsor_user, today=today)
    assert (q.status, q.approved_on, q.valid_until) == (S.APPROVED, today, dt.date(2028, 3, 30))
    event = q.events.order_by("-at", "-pk").first()
    assert event is not None and event.signature is not None
    signature = event.signature
    assert (signature.meaning, signature.signer_username) == ("site approved for the service", "alice")
    content = qualification_content(
        listed,
        to=S.APPROVED,
        reason="Audit satisfactory.",
        conditions="",
        conditions_due=None,
        approved_on=today,
        valid_until=dt.date(2028, 3, 30),
    )
    content["from"] = S.IN_QUALIFICATION
    assert signature_matches(signature=signature, content=content)
    content["valid_until"] = "2029-03-30"
    assert not signature_matches(signature=signature, content=content)


def test_the_sponsors_policy_sets_the_validity(listed: Qualification, sponsor_user: User) -> None:
    policy_update(actor=sponsor_user, organisation=listed.organisation, approval_validity_months=12)
    q = _approve(listed, sponsor_user, today=dt.date(2026, 1, 31))
    assert q.valid_until == dt.date(2027, 1, 30)


def test_approving_without_a_signature_is_refused(listed: Qualification, sponsor_user: User) -> None:
    with pytest.raises(ServiceError, match="Re-enter your password to sign the decision"):
        qualification_decide(actor=sponsor_user, qualification=listed, decision=S.APPROVED, reason="ok", password="")
    listed.refresh_from_db()
    assert listed.status == S.IN_QUALIFICATION
    assert not Signature.objects.for_organisation(listed.organisation).exists()


def test_a_wrong_password_is_refused_and_stays_in_the_trail(listed: Qualification, sponsor_user: User) -> None:
    with pytest.raises(NotPermitted, match="password is not correct"):
        qualification_decide(actor=sponsor_user, qualification=listed, decision=S.APPROVED, reason="ok", password="x")
    listed.refresh_from_db()
    assert listed.status == S.IN_QUALIFICATION
    assert AuditEvent.objects.for_organisation(listed.organisation).filter(action="signature.failed").count() == 1


def test_conditional_approval_needs_conditions_and_a_date(listed: Qualification, sponsor_user: User) -> None:
    with pytest.raises(ServiceError, match="A statement of the conditions is required"):
        _approve(listed, sponsor_user, decision=S.CONDITIONAL)
    with pytest.raises(ServiceError, match="date by which the conditions must be met"):
        _approve(listed, sponsor_user, decision=S.CONDITIONAL, conditions="Close the 2025 OOS backlog.")
    due = timezone.localdate() + dt.timedelta(days=90)
    q = _approve(listed, sponsor_user, decision=S.CONDITIONAL, conditions="Close the OOS backlog.", conditions_due=due)
    assert (q.status, q.conditions, q.conditions_due) == (S.CONDITIONAL, "Close the OOS backlog.", due)
    assert q.is_approved
    q = _approve(q, sponsor_user)  # conditions met
    assert (q.status, q.conditions, q.conditions_due) == (S.APPROVED, "", None)


def test_illegal_moves_are_refused_with_the_reason(listed: Qualification, sponsor_user: User) -> None:
    with pytest.raises(Conflict, match="“in qualification” cannot become “under review”"):
        qualification_review(actor=sponsor_user, qualification=listed, reason="A rumour.")
    with pytest.raises(Conflict, match="“in qualification” cannot become “disqualified”"):
        _approve(listed, sponsor_user, decision=S.DISQUALIFIED)
    q = qualification_decide(actor=sponsor_user, qualification=listed, decision=S.NOT_APPROVED, reason="Failed audit.")
    assert q.status == S.NOT_APPROVED
    with pytest.raises(Conflict, match=r"“not approved” cannot become “approved”\. Start the qualification"):
        _approve(q, sponsor_user)
    q = qualification_start(actor=sponsor_user, qualification=q, reason="Corrective actions done.")
    assert (q.status, q.kind) == (S.IN_QUALIFICATION, QualificationKind.PERIODIC)


def test_review_then_disqualification_keeps_the_whole_history(listed: Qualification, sponsor_user: User) -> None:
    q = _approve(listed, sponsor_user)
    q = qualification_review(actor=sponsor_user, qualification=q, reason="Customer complaint trend.")
    assert (q.status, q.review_reason) == (S.UNDER_REVIEW, "Customer complaint trend.")
    q = _approve(q, sponsor_user, decision=S.DISQUALIFIED)
    assert q.status == S.DISQUALIFIED
    moves = [(e.to_status, e.signature is not None) for e in q.events.order_by("at", "pk")]
    assert moves == [
        (S.NOT_STARTED, False),
        (S.IN_QUALIFICATION, False),
        (S.APPROVED, True),
        (S.UNDER_REVIEW, False),
        (S.DISQUALIFIED, True),
    ]


def test_who_may_decide(
    listed: Qualification, viewer: User, sourcer: User, teammate: User, provider_user: User, outsider: User
) -> None:
    for user in (viewer, sourcer):
        with pytest.raises(NotPermitted, match="does not allow signing quality decisions"):
            _approve(listed, user)
    with pytest.raises(NotPermitted, match="does not allow managing quality"):
        qualification_decide(actor=viewer, qualification=listed, decision=S.NOT_APPROVED, reason="No.")
    for stranger in (provider_user, outsider):
        with pytest.raises(NotFound):
            _approve(listed, stranger)
    assert _approve(listed, teammate).status == S.APPROVED  # the sponsor's quality role signs


def test_only_a_sponsor_keeps_a_list(
    provider: Organisation, provider_user: User, site: Site, terms: dict[str, Term]
) -> None:
    with pytest.raises(NotPermitted, match="Only sponsors"):
        qualification_create(actor=provider_user, organisation=provider, site=site, service=terms["svc.analysis"])

"""Award with an electronic signature: the right role, the password, the meaning, one award only."""

from __future__ import annotations

import re
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from cxo.core.errors import Conflict, NotPermitted
from cxo.core.models import AuditEvent, Organisation, Signature, User
from cxo.core.signatures import content_sha256, signature_matches
from cxo.sourcing.models import Award, InvitationOutcome, ProposalStatus, RfpInvitation, RfpStatus
from cxo.sourcing.services.award import award_sign
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import proposal_submit, proposal_version_content
from cxo.sourcing.services.rfp import rfp_close
from cxo.testing.factories import TEST_PASSWORD
from cxo.testing.sourcing import proposal_data


@pytest.fixture
def closed(sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User) -> SimpleNamespace:
    inv_b = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    sw.version_b = proposal_submit(
        actor=provider_b_user, invitation=inv_b, data=proposal_data(sw.rfp, prices=["9000", "90000", "5000"])
    )
    sw.provider_b, sw.provider_b_user = provider_b, provider_b_user
    rfp_close(actor=sw.sponsor_user, rfp=sw.rfp)
    sw.rfp.refresh_from_db()
    return sw


def test_award_by_a_role_without_the_right_is_refused(closed: SimpleNamespace) -> None:
    with pytest.raises(NotPermitted, match=r"Your role \(Quality assurance\) does not allow signing an award\."):
        award_sign(actor=closed.teammate, rfp=closed.rfp, proposal=closed.proposal, password=TEST_PASSWORD)
    assert not Award.objects.for_organisation(closed.sponsor).filter(rfp=closed.rfp).exists()


def test_a_wrong_password_signs_nothing(closed: SimpleNamespace) -> None:
    signatures = Signature.objects.for_organisation(closed.sponsor).count()
    with pytest.raises(NotPermitted, match=re.escape("The password is not correct: the signature was not applied.")):
        award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.proposal, password="guess")
    closed.rfp.refresh_from_db()
    assert closed.rfp.status == RfpStatus.CLOSED
    assert Signature.objects.for_organisation(closed.sponsor).count() == signatures
    # The refused attempt stays in the sponsor's audit trail.
    failed = AuditEvent.objects.for_organisation(closed.sponsor).filter(action="signature.failed")
    assert [e.actor_label for e in failed] == [closed.sponsor_user.get_username()]


def test_an_open_rfp_cannot_be_awarded(sw: SimpleNamespace) -> None:
    with pytest.raises(Conflict, match=re.escape("An RFP that is issued cannot be awarded. Close it first.")):
        award_sign(actor=sw.sponsor_user, rfp=sw.rfp, proposal=sw.proposal, password=TEST_PASSWORD)


def test_award_signs_the_version_and_notifies_everyone(
    closed: SimpleNamespace, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        award = award_sign(
            actor=closed.sponsor_user,
            rfp=closed.rfp,
            proposal=closed.proposal,
            password=TEST_PASSWORD,
            rationale="Best value",
        )
    sig = award.signature
    assert (sig.signer_username, sig.meaning) == ("alice", "award approved")
    assert sig.content_sha256 == closed.proposal_version.content_sha256
    assert sig.content_sha256 == content_sha256(proposal_version_content(closed.proposal_version))
    assert signature_matches(signature=sig, content=proposal_version_content(closed.proposal_version))
    closed.rfp.refresh_from_db()
    assert closed.rfp.status == RfpStatus.AWARDED
    outcomes = dict(
        RfpInvitation.objects.for_organisation(closed.sponsor)
        .filter(rfp=closed.rfp)
        .values_list("provider__slug", "outcome")
    )
    assert outcomes == {"provan-cdmo": InvitationOutcome.AWARDED, "bravo-cro": InvitationOutcome.REGRET}
    closed.proposal.refresh_from_db()
    assert closed.proposal.status == ProposalStatus.AWARDED
    assert closed.provider_user.notifications.filter(title__contains=f"awarded {closed.rfp.reference}").count() == 1
    assert closed.provider_b_user.notifications.filter(title__contains="not selected").count() == 1
    assert sorted(m.to[0] for m in mailoutbox[-2:]) == sorted(
        [closed.provider_user.email, closed.provider_b_user.email]
    )

    assert (
        AuditEvent.objects.for_organisation(closed.sponsor).filter(action="rfp.award", object_id=closed.rfp.pk).count()
        == 1
    )
    assert AuditEvent.objects.for_organisation(closed.provider_b).filter(action="rfp.regret").count() == 1
    # What contracts drafts from the award is tested in cxo/contracts/tests.


def test_a_second_award_is_refused(closed: SimpleNamespace) -> None:
    award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.proposal, password=TEST_PASSWORD)
    with pytest.raises(
        Conflict, match=re.escape("An RFP that is awarded cannot be awarded. It has already been awarded.")
    ):
        award_sign(
            actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.version_b.proposal, password=TEST_PASSWORD
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_awards_give_exactly_one(closed: SimpleNamespace) -> None:
    """Two connections race to award the same RFP to different proposals: the row lock lets one through."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serialises writers anyway.")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(proposal: Any) -> None:
        try:
            barrier.wait(timeout=10)
            award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=proposal, password=TEST_PASSWORD)
            outcomes.append("awarded")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in (closed.proposal, closed.version_b.proposal)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["An RFP that is awarded cannot be awarded. It has already been awarded.", "awarded"]
    assert Award.objects.for_organisation(closed.sponsor).filter(rfp=closed.rfp).count() == 1


# --- every signature attempt is in the audit trail (issue 11, item 8) -----------------------------------


def _attempts(sponsor: Organisation) -> list[tuple[str, str, str]]:
    """Refused and failed signature attempts (the world's awarded RFP was signed once already)."""
    events = (
        AuditEvent.objects.for_organisation(sponsor)
        .filter(action__in=["signature.failed", "signature.refused"])
        .order_by("at", "id")
    )
    return [(e.action, e.actor_label, e.reason) for e in events]


def test_an_attempt_by_a_role_without_the_right_is_recorded(closed: SimpleNamespace) -> None:
    refused = "Your role (Quality assurance) does not allow signing an award."
    with pytest.raises(NotPermitted):
        award_sign(actor=closed.teammate, rfp=closed.rfp, proposal=closed.proposal, password=TEST_PASSWORD)
    assert _attempts(closed.sponsor) == [("signature.refused", "bob", refused)]

    # Through the API and the signing page as well: 403, and the attempt is recorded each time.
    from cxo.testing.api import Api

    body = {"proposal_id": closed.proposal.pk, "password": TEST_PASSWORD}
    answer = Api(closed.teammate)("POST", f"/organisations/{closed.sponsor.slug}/rfps/{closed.rfp.pk}/award", body, 403)
    assert answer == {"detail": refused}
    from conftest import login_client

    page = login_client(closed.teammate)
    url = f"/o/{closed.sponsor.slug}/rfps/{closed.rfp.pk}/award/"
    assert page.get(url).status_code == 403  # opening the signing page is refused and recorded too
    assert page.post(url, {"proposal": closed.proposal.pk, "password": TEST_PASSWORD}).status_code == 403
    assert _attempts(closed.sponsor) == [("signature.refused", "bob", refused)] * 4
    assert not Award.objects.for_organisation(closed.sponsor).filter(rfp=closed.rfp).exists()


def test_attempts_after_the_lock_are_recorded_with_their_outcome(closed: SimpleNamespace) -> None:
    for _ in range(3):
        with pytest.raises(NotPermitted):
            award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.proposal, password="guess")
    for password in (TEST_PASSWORD, "guess"):
        with pytest.raises(NotPermitted, match="Signing is locked after 3 wrong passwords"):
            award_sign(actor=closed.sponsor_user, rfp=closed.rfp, proposal=closed.proposal, password=password)
    attempts = _attempts(closed.sponsor)
    assert [a[0] for a in attempts] == ["signature.failed"] * 3 + ["signature.refused"] * 2
    assert attempts[-1][2].startswith("Signing is locked after 3 wrong passwords: try again in 15 minutes.")
    assert "Each attempt is in the audit trail." in attempts[-1][2]
    assert not Award.objects.for_organisation(closed.sponsor).filter(rfp=closed.rfp).exists()

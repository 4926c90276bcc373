"""Electronic signatures: re-authentication, a meaning, bound to the content's SHA-256, never changed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from cxo.core.errors import NotPermitted, ServiceError
from cxo.core.models import AuditEvent, AuditImmutableError, Organisation, Signature, User
from cxo.core.signatures import (
    FAILURE_LIMIT,
    Reauthentication,
    canonical_json,
    content_sha256,
    signature_matches,
    signature_reauthenticate,
    signature_sign,
)


def _sign(
    user: User, password: str, organisation: Organisation, content: object, meaning: str = "approved"
) -> Signature:
    reauthentication = signature_reauthenticate(user=user, password=password, organisation=organisation)
    return signature_sign(
        user=user, reauthentication=reauthentication, meaning=meaning, content=content, organisation=organisation
    )


def test_sign_records_who_when_meaning_and_hash(sponsor: Organisation, sponsor_user: User, password: str) -> None:
    content = {"b": 2, "a": "x"}
    sig = _sign(sponsor_user, password, sponsor, content, meaning="batch released")
    assert canonical_json(content) == b'{"a":"x","b":2}'
    assert sig.content_sha256 == hashlib.sha256(b'{"a":"x","b":2}').hexdigest()
    assert (sig.signer_username, sig.meaning) == ("alice", "batch released")
    assert signature_matches(signature=sig, content={"a": "x", "b": 2})
    assert not signature_matches(signature=sig, content={"a": "y", "b": 2})
    assert AuditEvent.objects.for_organisation(sponsor).filter(action="signature.sign").count() == 1
    with pytest.raises(AuditImmutableError):
        sig.meaning = "changed"
        sig.save()


def test_bytes_are_hashed_as_they_are(sponsor: Organisation, sponsor_user: User, password: str) -> None:
    sig = _sign(sponsor_user, password, sponsor, b"abc")
    assert sig.content_sha256 == content_sha256(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_wrong_password_or_missing_meaning_signs_nothing(
    sponsor: Organisation, sponsor_user: User, password: str
) -> None:
    with pytest.raises(NotPermitted, match=re.escape("The password is not correct: the signature was not applied.")):
        _sign(sponsor_user, "nope", sponsor, b"x")
    with pytest.raises(ServiceError, match=re.escape("State the meaning of the signature")):
        _sign(sponsor_user, password, sponsor, b"x", meaning=" ")


def test_wrong_passwords_are_recorded_and_lock_signing(
    sponsor: Organisation, sponsor_user: User, password: str
) -> None:
    for _ in range(FAILURE_LIMIT):
        with pytest.raises(NotPermitted, match="The password is not correct"):
            signature_reauthenticate(user=sponsor_user, password="guess", organisation=sponsor)
    failed = AuditEvent.objects.for_organisation(sponsor).filter(action="signature.failed")
    assert failed.count() == FAILURE_LIMIT
    assert {e.actor_label for e in failed} == {"alice"}
    # Even the right password is refused while the lock lasts.
    with pytest.raises(NotPermitted, match=r"Signing is locked after 3 wrong passwords: try again in 15 minutes\."):
        signature_reauthenticate(user=sponsor_user, password=password, organisation=sponsor)


def test_a_reauthentication_is_the_signers_own_and_fresh(
    sponsor: Organisation, sponsor_user: User, teammate: User, password: str
) -> None:
    theirs = signature_reauthenticate(user=teammate, password=password, organisation=sponsor)
    with pytest.raises(NotPermitted, match=re.escape("Re-enter your password to sign.")):
        signature_sign(user=sponsor_user, reauthentication=theirs, meaning="ok", content=b"x", organisation=sponsor)
    stale = Reauthentication(user_id=sponsor_user.pk, at=theirs.at - timedelta(minutes=6))
    with pytest.raises(NotPermitted, match=re.escape("Re-enter your password to sign.")):
        signature_sign(user=sponsor_user, reauthentication=stale, meaning="ok", content=b"x", organisation=sponsor)
    assert not Signature.objects.for_organisation(sponsor).exists()

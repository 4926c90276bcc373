"""Electronic signatures: re-authentication, a meaning, bound to the content's SHA-256, never changed."""

from __future__ import annotations

import hashlib
import re

import pytest

from cxo.core.errors import NotPermitted, ServiceError
from cxo.core.models import AuditEvent, AuditImmutableError, Organisation, User
from cxo.core.signatures import canonical_json, content_sha256, signature_matches, signature_sign


def test_sign_records_who_when_meaning_and_hash(sponsor: Organisation, sponsor_user: User, password: str) -> None:
    content = {"b": 2, "a": "x"}
    sig = signature_sign(
        user=sponsor_user, password=password, meaning="batch released", content=content, organisation=sponsor
    )
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
    sig = signature_sign(user=sponsor_user, password=password, meaning="approved", content=b"abc", organisation=sponsor)
    assert sig.content_sha256 == content_sha256(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_wrong_password_or_missing_meaning_signs_nothing(
    sponsor: Organisation, sponsor_user: User, password: str
) -> None:
    with pytest.raises(NotPermitted, match=re.escape("The password is not correct: the signature was not applied.")):
        signature_sign(user=sponsor_user, password="nope", meaning="approved", content=b"x", organisation=sponsor)
    with pytest.raises(ServiceError, match=re.escape("State the meaning of the signature")):
        signature_sign(user=sponsor_user, password=password, meaning=" ", content=b"x", organisation=sponsor)

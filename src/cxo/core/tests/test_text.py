"""Words for people: sentences that end with a name, identifiers and audit codes in words."""

from __future__ import annotations

import pytest

from cxo.core.audit import action_label, record_type_label
from cxo.core.text import with_full_stop, words


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("You joined Adare Pharmaceuticals, Inc.", "You joined Adare Pharmaceuticals, Inc."),
        ("You joined Alpha Biotech", "You joined Alpha Biotech."),
        ("Is it done? ", "Is it done?"),
    ],
)
def test_a_sentence_ends_in_one_full_stop(text: str, sentence: str) -> None:
    assert with_full_stop(text) == sentence


def test_identifiers_read_as_words_with_their_acronyms() -> None:
    assert words("rfp_invitation") == "RFP invitation"
    assert words("content_sha256") == "Content SHA-256"
    assert words("response_deadline") == "Response deadline"


def test_audit_codes_read_as_words(db: None) -> None:
    assert record_type_label("sourcing.rfpinvitation") == "RFP invitation"
    assert record_type_label("core.apitoken") == "API token"
    assert record_type_label("gone.model") == "Model"  # an app no longer installed still reads
    assert action_label("rfp_invitation.accept") == "RFP invitation accepted"
    assert action_label("membership.change_role") == "Membership role changed"
    assert action_label("signature.refused") == "Signature refused"

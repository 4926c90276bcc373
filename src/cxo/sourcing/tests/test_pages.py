"""Sponsor pages: what they show when something cannot be done, and how many queries they take."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import login_client

from cxo.sourcing.models import Need


def test_a_need_that_cannot_be_matched_keeps_its_page_and_says_why(sw: SimpleNamespace) -> None:
    # A term retired from the taxonomy since the need was saved: the page shows the need and the reason.
    Need.objects.for_organisation(sw.sponsor).filter(pk=sw.need.pk).update(criteria={"services": ["svc.retired"]})
    response = login_client(sw.sponsor_user).get(f"/o/{sw.sponsor.slug}/needs/{sw.need.pk}/")
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert response.context["match_error"].startswith("Matching is unavailable for this need: Unknown service")
    assert response.context["criteria_rows"] == [("Services", "svc.retired")]

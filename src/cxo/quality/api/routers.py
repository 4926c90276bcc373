"""The quality API's routers: the sponsor's operations, the provider's, and the shipped regulatory content."""

from __future__ import annotations

from ninja import Router

from cxo.core.access import OrganisationRouter, OrgRequest
from cxo.core.errors import NotFound

org_api = OrganisationRouter(tags=["quality"])
provider_api = OrganisationRouter(tags=["quality: provider"])
router = Router(tags=["quality"])


def sponsor_only(request: OrgRequest) -> None:
    """A sponsor's quality records are nothing a provider can address: 404, as for anything it may not see."""
    if not request.organisation.is_sponsor:
        raise NotFound("No such quality record: this operation is a sponsor's.")


def provider_only(request: OrgRequest) -> None:
    if request.organisation.is_sponsor:
        raise NotFound("No such quality record: this operation is a provider's.")

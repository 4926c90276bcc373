"""Quality API: the approved supplier list, audits, CAPAs, agreements, changes, scorecards (sponsor); findings,
CAPAs and change notifications (provider); the regulatory content shipped with the app."""

from cxo.quality.api import content, provider, sponsor, sponsor_records  # noqa: F401  (they register operations)
from cxo.quality.api.routers import org_api, provider_api, router

__all__ = ["org_api", "provider_api", "router"]

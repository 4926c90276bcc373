"""Contracts API: work orders, milestones, change orders, invoices, master agreements, money and the programme
view, all under ``/organisations/{slug}`` on one organisation router (each write names its permission)."""

from cxo.core.access import OrganisationRouter

org_api = OrganisationRouter(tags=["contracts"])

from cxo.contracts.api import agreements, money, records, work_orders  # noqa: E402, F401  # they register on org_api

"""Contracts: reads, scoped to the records the organisation is a party to and redacted for it (a draft change
order is its proposer's alone; a draft work order or agreement the sponsor's)."""

from cxo.contracts.selectors.agreements import (
    agreement_actions,
    agreement_get,
    agreement_list,
    agreements_in_force,
    contract_policy_get,
    provider_choices,
)
from cxo.contracts.selectors.work_orders import (
    Actions,
    BaselineView,
    baseline_view,
    change_order_diff,
    change_order_get,
    contract_document_get,
    invoice_get,
    milestone_get,
    work_order_actions,
    work_order_checks,
    work_order_choices,
    work_order_for_viewer,
    work_order_get,
    work_order_list,
)

__all__ = [
    "Actions",
    "BaselineView",
    "agreement_actions",
    "agreement_get",
    "agreement_list",
    "agreements_in_force",
    "baseline_view",
    "change_order_diff",
    "change_order_get",
    "contract_document_get",
    "contract_policy_get",
    "invoice_get",
    "milestone_get",
    "provider_choices",
    "work_order_actions",
    "work_order_checks",
    "work_order_choices",
    "work_order_for_viewer",
    "work_order_get",
    "work_order_list",
]

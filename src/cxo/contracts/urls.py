from django.urls import path

from cxo.contracts.views import agreements, money, records, steps, work_orders

app_name = "contracts"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
WO = "work-orders/<int:work_order_id>/"
org_urlpatterns = [
    path("work-orders/", work_orders.work_order_list, name="work_order_list"),
    path(WO, work_orders.work_order_detail, name="work_order_detail"),
    path(f"{WO}edit/", work_orders.work_order_edit, name="work_order_edit"),
    path(f"{WO}pdf/", work_orders.work_order_pdf_download, name="work_order_pdf"),
    path(f"{WO}send/", steps.work_order_send, name="work_order_send"),
    path(f"{WO}return/", steps.work_order_return, name="work_order_return"),
    path(f"{WO}sign/", steps.work_order_sign, name="work_order_sign"),
    path(f"{WO}activate/", steps.work_order_activate, name="work_order_activate"),
    path(f"{WO}complete/", steps.work_order_complete, name="work_order_complete"),
    path(f"{WO}terminate/", steps.work_order_terminate, name="work_order_terminate"),
    path(f"{WO}cancel/", steps.work_order_cancel, name="work_order_cancel"),
    path(f"{WO}change-orders/new/", records.change_order_new, name="change_order_new"),
    path(f"{WO}invoices/new/", records.invoice_new, name="invoice_new"),
    path("milestones/<int:milestone_id>/report/", steps.milestone_report, name="milestone_report"),
    path("milestones/<int:milestone_id>/accept/", steps.milestone_accept, name="milestone_accept"),
    path("milestones/<int:milestone_id>/reject/", steps.milestone_reject, name="milestone_reject"),
    path("change-orders/<int:change_order_id>/", records.change_order_detail, name="change_order_detail"),
    path("change-orders/<int:change_order_id>/sign/", steps.change_order_sign, name="change_order_sign"),
    path("change-orders/<int:change_order_id>/reject/", steps.change_order_reject, name="change_order_reject"),
    path("change-orders/<int:change_order_id>/withdraw/", steps.change_order_withdraw, name="change_order_withdraw"),
    path("invoices/<int:invoice_id>/approve/", records.invoice_approve, name="invoice_approve"),
    path("invoices/<int:invoice_id>/dispute/", records.invoice_dispute, name="invoice_dispute"),
    path("invoices/<int:invoice_id>/resubmit/", records.invoice_resubmit, name="invoice_resubmit"),
    path("invoices/<int:invoice_id>/pay/", records.invoice_pay, name="invoice_pay"),
    path("invoices/<int:invoice_id>/withdraw/", records.invoice_withdraw, name="invoice_withdraw"),
    path("contract-documents/<int:document_id>/", work_orders.contract_document, name="contract_document"),
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/<int:agreement_id>/", agreements.agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/documents/", agreements.agreement_document_add, name="agreement_document_add"),
    path("agreements/<int:agreement_id>/send/", agreements.agreement_send, name="agreement_send"),
    path("agreements/<int:agreement_id>/sign/", agreements.agreement_sign, name="agreement_sign"),
    path("agreements/<int:agreement_id>/terminate/", agreements.agreement_terminate, name="agreement_terminate"),
    path("contract-settings/", agreements.contract_settings, name="contract_settings"),
    path("money/", money.money, name="money"),
    path("money.xlsx", money.money_xlsx_download, name="money_xlsx"),
    path("programmes/<int:programme_id>/execution/", money.programme_execution, name="programme_execution"),
]

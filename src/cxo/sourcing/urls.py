from django.urls import path

from cxo.sourcing import views

app_name = "sourcing"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
org_urlpatterns = [
    # sponsor side
    path("sourcing/", views.sourcing_home, name="home"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:programme_id>/needs/new/", views.need_create, name="need_create"),
    path("needs/<int:need_id>/", views.need_detail, name="need_detail"),
    path("needs/<int:need_id>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:need_id>/rfps/new/", views.rfp_create, name="rfp_create"),
    path("rfps/", views.rfp_list, name="rfp_list"),
    path("rfps/<int:rfp_id>/", views.rfp_detail, name="rfp_detail"),
    path("rfps/<int:rfp_id>/edit/", views.rfp_edit, name="rfp_edit"),
    path("rfps/<int:rfp_id>/invite/", views.rfp_invite, name="rfp_invite"),
    path("rfps/<int:rfp_id>/documents/", views.rfp_document_add, name="rfp_document_add"),
    path("rfps/<int:rfp_id>/issue/", views.rfp_issue, name="rfp_issue"),
    path("rfps/<int:rfp_id>/close/", views.rfp_close, name="rfp_close"),
    path("rfps/<int:rfp_id>/cancel/", views.rfp_cancel, name="rfp_cancel"),
    path("rfps/<int:rfp_id>/compare/", views.rfp_compare, name="rfp_compare"),
    path("rfps/<int:rfp_id>/compare.xlsx", views.rfp_compare_xlsx, name="rfp_compare_xlsx"),
    path("rfps/<int:rfp_id>/compare.pdf", views.rfp_compare_pdf, name="rfp_compare_pdf"),
    path("rfps/<int:rfp_id>/award/", views.rfp_award, name="rfp_award"),
    path(
        "clarifications/<int:clarification_id>/answer/",
        views.clarification_answer,
        name="clarification_answer",
    ),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:proposal_id>/score/", views.proposal_score, name="proposal_score"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    # provider side
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:rfp_id>/", views.inbox_rfp, name="inbox_rfp"),
    path("inbox/<int:rfp_id>/accept/", views.inbox_accept, name="inbox_accept"),
    path("inbox/<int:rfp_id>/decline/", views.inbox_decline, name="inbox_decline"),
    path("inbox/<int:rfp_id>/ask/", views.inbox_ask, name="inbox_ask"),
    path("inbox/<int:rfp_id>/proposal/", views.inbox_proposal, name="inbox_proposal"),
    path("inbox/documents/<int:document_id>/", views.inbox_document, name="inbox_document"),
    path("inbox/claim/", views.inbox_claim_request, name="inbox_claim_request"),
]

urlpatterns = [
    # an e-mailed invitation to a registry entry with no users: accepting claims the organisation
    path("rfp-invitations/<str:token>/", views.invitation_claim, name="rfp_invitation_claim"),
]

from django.urls import path

from cxo.sourcing import views

urlpatterns = [
    # sponsor side
    path("o/<slug:org>/sourcing/", views.sourcing_home, name="sourcing_home"),
    path("o/<slug:org>/programmes/new/", views.programme_create, name="programme_create"),
    path("o/<slug:org>/programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("o/<slug:org>/programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("o/<slug:org>/programmes/<int:programme_id>/needs/new/", views.need_create, name="need_create"),
    path("o/<slug:org>/needs/<int:need_id>/", views.need_detail, name="need_detail"),
    path("o/<slug:org>/needs/<int:need_id>/edit/", views.need_edit, name="need_edit"),
    path("o/<slug:org>/needs/<int:need_id>/rfps/new/", views.rfp_create, name="rfp_create"),
    path("o/<slug:org>/rfps/", views.rfp_list, name="rfp_list"),
    path("o/<slug:org>/rfps/<int:rfp_id>/", views.rfp_detail, name="rfp_detail"),
    path("o/<slug:org>/rfps/<int:rfp_id>/edit/", views.rfp_edit, name="rfp_edit"),
    path("o/<slug:org>/rfps/<int:rfp_id>/invite/", views.rfp_invite, name="rfp_invite"),
    path("o/<slug:org>/rfps/<int:rfp_id>/documents/", views.rfp_document_add, name="rfp_document_add"),
    path("o/<slug:org>/rfps/<int:rfp_id>/issue/", views.rfp_issue, name="rfp_issue"),
    path("o/<slug:org>/rfps/<int:rfp_id>/close/", views.rfp_close, name="rfp_close"),
    path("o/<slug:org>/rfps/<int:rfp_id>/cancel/", views.rfp_cancel, name="rfp_cancel"),
    path("o/<slug:org>/rfps/<int:rfp_id>/compare/", views.rfp_compare, name="rfp_compare"),
    path("o/<slug:org>/rfps/<int:rfp_id>/compare.xlsx", views.rfp_compare_xlsx, name="rfp_compare_xlsx"),
    path("o/<slug:org>/rfps/<int:rfp_id>/compare.pdf", views.rfp_compare_pdf, name="rfp_compare_pdf"),
    path("o/<slug:org>/rfps/<int:rfp_id>/award/", views.rfp_award, name="rfp_award"),
    path(
        "o/<slug:org>/clarifications/<int:clarification_id>/answer/",
        views.clarification_answer,
        name="clarification_answer",
    ),
    path("o/<slug:org>/proposals/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("o/<slug:org>/proposals/<int:proposal_id>/score/", views.proposal_score, name="proposal_score"),
    path("o/<slug:org>/documents/<int:document_id>/", views.document_download, name="sourcing_document"),
    # provider side
    path("o/<slug:org>/inbox/", views.inbox, name="inbox"),
    path("o/<slug:org>/inbox/<int:rfp_id>/", views.inbox_rfp, name="inbox_rfp"),
    path("o/<slug:org>/inbox/<int:rfp_id>/accept/", views.inbox_accept, name="inbox_accept"),
    path("o/<slug:org>/inbox/<int:rfp_id>/decline/", views.inbox_decline, name="inbox_decline"),
    path("o/<slug:org>/inbox/<int:rfp_id>/ask/", views.inbox_ask, name="inbox_ask"),
    path("o/<slug:org>/inbox/<int:rfp_id>/proposal/", views.inbox_proposal, name="inbox_proposal"),
    path("o/<slug:org>/inbox/documents/<int:document_id>/", views.inbox_document, name="inbox_document"),
    # an e-mailed invitation to a registry entry with no users: accepting claims the organisation
    path("rfp-invitations/<str:token>/", views.invitation_claim, name="rfp_invitation_claim"),
    path("notifications/", views.notifications, name="notifications"),
]

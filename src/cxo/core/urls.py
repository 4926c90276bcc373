from django.urls import path

from cxo.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org>/", views.organisation_home, name="organisation_home"),
    path("o/<slug:org>/members/", views.members, name="members"),
    path("o/<slug:org>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("o/<slug:org>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("o/<slug:org>/audit/", views.audit, name="audit"),
]

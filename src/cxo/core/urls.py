from django.urls import path

from cxo.core import views

app_name = "core"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
org_urlpatterns = [
    path("", views.organisation_home, name="organisation_home"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("audit/", views.audit, name="audit"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

from django.urls import path

from cxo.registry import claim_views, views

app_name = "registry"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/", views.organisation_directory, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("sites/<int:site_id>/", views.site_detail, name="site"),
    path("capabilities/<int:capability_id>/evidence/", views.evidence_more, name="evidence"),
    path("stats/", views.stats, name="stats"),
    path("imports/", views.import_runs, name="imports"),
    # registry curators only (a platform role); 404 for anyone else
    path("claims/", claim_views.claim_list, name="claims"),
    path("claims/<int:claim_id>/", claim_views.claim_detail, name="claim"),
]

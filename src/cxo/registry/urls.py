from django.urls import path

from cxo.registry import claim_views, views

urlpatterns = [
    path("", views.directory, name="registry_directory"),
    path("organisations/", views.organisation_directory, name="registry_organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="registry_organisation"),
    path("sites/<int:site_id>/", views.site_detail, name="registry_site"),
    path("capabilities/<int:capability_id>/evidence/", views.evidence_more, name="registry_evidence"),
    path("stats/", views.stats, name="registry_stats"),
    path("imports/", views.import_runs, name="registry_imports"),
    # registry curators only (a platform role); 404 for anyone else
    path("claims/", claim_views.claim_list, name="registry_claims"),
    path("claims/<int:claim_id>/", claim_views.claim_detail, name="registry_claim"),
]

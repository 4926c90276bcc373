from django.urls import path

import cxo.matching.views as views

app_name = "matching"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
org_urlpatterns = [
    path("match/", views.match_find, name="find"),
    path("match/terms/", views.match_terms, name="terms"),
    path("shortlists/", views.shortlist_list, name="shortlist_list"),
    path("shortlists/add/", views.shortlist_add, name="shortlist_add"),
    path("shortlists/<int:shortlist_id>/", views.shortlist_detail, name="shortlist_detail"),
    path("shortlists/<int:shortlist_id>/rename/", views.shortlist_rename, name="shortlist_rename"),
    path("shortlists/<int:shortlist_id>/delete/", views.shortlist_delete, name="shortlist_delete"),
    path(
        "shortlists/<int:shortlist_id>/entries/<int:entry_id>/remove/",
        views.shortlist_entry_remove,
        name="shortlist_entry_remove",
    ),
]

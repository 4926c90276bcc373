from django.urls import path

import cxo.matching.views as views

urlpatterns = [
    path("o/<slug:org>/match/", views.match_find, name="match_find"),
    path("o/<slug:org>/match/terms/", views.match_terms, name="match_terms"),
    path("o/<slug:org>/shortlists/", views.shortlist_list, name="shortlist_list"),
    path("o/<slug:org>/shortlists/add/", views.shortlist_add, name="shortlist_add"),
    path("o/<slug:org>/shortlists/<int:shortlist_id>/", views.shortlist_detail, name="shortlist_detail"),
    path("o/<slug:org>/shortlists/<int:shortlist_id>/rename/", views.shortlist_rename, name="shortlist_rename"),
    path("o/<slug:org>/shortlists/<int:shortlist_id>/delete/", views.shortlist_delete, name="shortlist_delete"),
    path(
        "o/<slug:org>/shortlists/<int:shortlist_id>/entries/<int:entry_id>/remove/",
        views.shortlist_entry_remove,
        name="shortlist_entry_remove",
    ),
]

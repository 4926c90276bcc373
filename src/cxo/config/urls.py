"""Root URLs. Every page of one organisation is mounted under o/<slug:org>/ by ``organisation_urls``, whose
resolver puts each behind the organisation guard (``cxo.core.access``); an app lists those pages in its
``org_urlpatterns`` and its other pages (none of one organisation's data) in ``urlpatterns``."""

from django.contrib import admin
from django.urls import include, path

from cxo.config.api import api
from cxo.contracts.urls import org_urlpatterns as contracts_pages
from cxo.core.access import organisation_urls
from cxo.core.urls import org_urlpatterns as core_pages
from cxo.core.views import LoginView, PasswordResetView
from cxo.matching.urls import org_urlpatterns as matching_pages
from cxo.quality.urls import org_urlpatterns as quality_pages
from cxo.sourcing.urls import org_urlpatterns as sourcing_pages

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("registry/", include("cxo.registry.urls")),
    organisation_urls(core_pages, matching_pages, sourcing_pages, quality_pages, contracts_pages),
    path("", include("cxo.sourcing.urls")),
    path("", include("cxo.core.urls")),
]

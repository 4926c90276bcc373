"""Root URLs. Each app's pages are mounted once, under the app's URL namespace (``reverse("sourcing:rfp_detail")``),
by :func:`cxo.core.access.app_urls`: its ``urlpatterns`` (pages of no one organisation's data) and its
``org_urlpatterns`` under ``o/<slug:org>/``, behind the organisation guard (``cxo.core.access``)."""

from django.contrib import admin
from django.urls import include, path

from cxo.config.api import api
from cxo.contracts import urls as contracts_urls
from cxo.core import urls as core_urls
from cxo.core.access import app_urls
from cxo.core.views import LoginView, PasswordResetView
from cxo.matching import urls as matching_urls
from cxo.quality import urls as quality_urls
from cxo.registry import urls as registry_urls
from cxo.sourcing import urls as sourcing_urls

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    app_urls(registry_urls, prefix="registry/"),
    app_urls(core_urls),
    app_urls(matching_urls),
    app_urls(sourcing_urls),
    app_urls(quality_urls),
    app_urls(contracts_urls),
]

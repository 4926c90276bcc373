from django.contrib import admin
from django.urls import include, path

from cxo.config.api import api
from cxo.core.views import LoginView

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("registry/", include("cxo.registry.urls")),
    path("", include("cxo.sourcing.urls")),
    path("", include("cxo.contracts.urls")),
    path("", include("cxo.matching.urls")),
    path("", include("cxo.core.urls")),
]

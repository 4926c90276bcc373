from django.urls import path

from cxo.contracts import views

app_name = "contracts"

# Pages of one organisation, relative to o/<slug:org>/: cxo.config.urls mounts them behind the organisation guard.
org_urlpatterns = [
    path("work-orders/", views.work_order_list, name="work_order_list"),
    path("work-orders/<int:work_order_id>/", views.work_order_detail, name="work_order_detail"),
]

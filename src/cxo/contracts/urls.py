from django.urls import path

from cxo.contracts import views

urlpatterns = [
    path("o/<slug:org>/work-orders/", views.work_order_list, name="work_order_list"),
    path("o/<slug:org>/work-orders/<int:work_order_id>/", views.work_order_detail, name="work_order_detail"),
]

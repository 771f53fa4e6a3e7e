from django.urls import path

from qinqing.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.home, name="status"),
    path("entries/", views.entries, name="entries"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/request/", views.entry_request, name="entry_request"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:pk>/import/", views.list_import, name="list_import"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/<str:step>/", views.request_act, name="request_act"),
    path("loans/products/", views.products, name="products"),
    path("loans/apply/", views.loan_apply, name="loan_apply"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan, name="loan"),
    path("loans/<int:pk>/<str:step>/", views.loan_act, name="loan_act"),
]

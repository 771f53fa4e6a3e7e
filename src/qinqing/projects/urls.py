from django.urls import path

from qinqing.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/", views.project_export, name="export"),
    path("new/", views.project_new, name="new"),
    path("batches/", views.batches, name="batches"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/<str:do>/", views.project_act, name="act"),
]

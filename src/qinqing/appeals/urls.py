from django.urls import path

from qinqing.appeals import views

urlpatterns = [
    path("", views.home, name="home"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/", views.submit, name="appeal_submit"),
    path("appeals/export/", views.appeal_export, name="appeal_export"),
    path("my-data/", views.my_data, name="my_data"),
    path("appeals/<str:number>/", views.detail, name="appeal_detail"),
    path("appeals/<str:number>/act/<str:action>/", views.act, name="appeal_act"),
    path("appeals/<str:number>/contact/", views.contact, name="appeal_contact"),
    path("appeals/<str:number>/attachments/<int:pk>/", views.attachment, name="appeal_attachment"),
    path("audit/", views.audit_log, name="audit_log"),
]

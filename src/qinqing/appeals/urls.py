from django.urls import path

from qinqing.appeals import office_views, print_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/", views.submit, name="appeal_submit"),
    path("appeals/export/", views.appeal_export, name="appeal_export"),
    path("my-data/", views.my_data, name="my_data"),
    path("appeals/import/", office_views.ledger_import, name="ledger_import"),
    path("appeals/import/template/", office_views.ledger_template, name="ledger_template"),
    path("revisits/", office_views.revisit_list, name="revisit_list"),
    path("revisits/sample/", office_views.revisit_sample, name="revisit_sample"),
    path("appeals/<str:number>/", views.detail, name="appeal_detail"),
    path("appeals/<str:number>/act/<str:action>/", views.act, name="appeal_act"),
    path("appeals/<str:number>/contact/", views.contact, name="appeal_contact"),
    path(
        "appeals/<str:number>/print/assignment/", print_views.assignment_sheet, name="appeal_print_assignment"
    ),
    path("appeals/<str:number>/print/reply/", print_views.reply_letter, name="appeal_print_reply"),
    path("appeals/<str:number>/attachments/<int:pk>/", views.attachment, name="appeal_attachment"),
    path("audit/", views.audit_log, name="audit_log"),
]

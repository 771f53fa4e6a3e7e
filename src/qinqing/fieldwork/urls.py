from django.urls import path

from qinqing.fieldwork import views

urlpatterns = [
    path("officer/", views.officer_home, name="fieldwork_officer"),
    path("visits/new/", views.visit_new, name="fieldwork_visit_new"),
    path("enterprises/<int:pk>/", views.enterprise_service, name="fieldwork_enterprise"),
    path("linked/", views.linked, name="fieldwork_linked"),
    path("reports/officers/", views.officer_report, name="fieldwork_officer_report"),
    path("reports/officers/export/", views.officer_report_export, name="fieldwork_officer_report_export"),
    path("meetings/", views.meetings, name="fieldwork_meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="fieldwork_meeting"),
    path("series/<int:pk>/", views.series_detail, name="fieldwork_series"),
    path("series/<int:pk>/export/", views.series_export, name="fieldwork_series_export"),
    path("supervisor/", views.supervisor_home, name="fieldwork_supervisor"),
    path("supervisors/", views.supervisors, name="fieldwork_supervisors"),
    path("clues/", views.clues, name="fieldwork_clues"),
    path("clues/<str:number>/", views.clue_detail, name="fieldwork_clue"),
    path("contact-points/", views.contact_points, name="fieldwork_contact_points"),
    path("task-forces/", views.task_forces, name="fieldwork_task_forces"),
    path("task-forces/<int:pk>/", views.task_force_detail, name="fieldwork_task_force"),
]

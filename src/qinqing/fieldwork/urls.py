from django.urls import path

from qinqing.fieldwork.meetings import views as meetings
from qinqing.fieldwork.officers import views as officers
from qinqing.fieldwork.points import views as points
from qinqing.fieldwork.supervisors import views as supervisors
from qinqing.fieldwork.taskforces import views as taskforces

urlpatterns = [
    path("officer/", officers.officer_home, name="fieldwork_officer"),
    path("visits/new/", officers.visit_new, name="fieldwork_visit_new"),
    path("enterprises/<int:pk>/", officers.enterprise_service, name="fieldwork_enterprise"),
    path("linked/", officers.linked, name="fieldwork_linked"),
    path("reports/officers/", officers.officer_report, name="fieldwork_officer_report"),
    path("reports/officers/export/", officers.officer_report_export, name="fieldwork_officer_report_export"),
    path("meetings/", meetings.meetings, name="fieldwork_meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="fieldwork_meeting"),
    path("series/<int:pk>/", meetings.series_detail, name="fieldwork_series"),
    path("series/<int:pk>/export/", meetings.series_export, name="fieldwork_series_export"),
    path("supervisor/", supervisors.supervisor_home, name="fieldwork_supervisor"),
    path("supervisors/", supervisors.supervisors, name="fieldwork_supervisors"),
    path("clues/", supervisors.clues, name="fieldwork_clues"),
    path("clues/<str:number>/", supervisors.clue_detail, name="fieldwork_clue"),
    path("contact-points/", points.contact_points, name="fieldwork_contact_points"),
    path("task-forces/", taskforces.task_forces, name="fieldwork_task_forces"),
    path("task-forces/<int:pk>/", taskforces.task_force_detail, name="fieldwork_task_force"),
]

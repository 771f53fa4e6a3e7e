from django.urls import path

from qinqing.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/tasks/", views.add_task, name="add_task"),
    path("<int:pk>/<str:step>/", views.plan_act, name="plan_act"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/report/", views.report, name="report"),
    path("tasks/<int:pk>/milestones/", views.add_milestone, name="add_milestone"),
    path("tasks/<int:pk>/<str:step>/", views.task_act, name="task_act"),
    path("milestones/<int:pk>/<str:step>/", views.milestone_act, name="milestone_act"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("slips/", views.slips, name="slips"),
    path("slips/<int:pk>/", views.slip, name="slip"),
    path("slips/<int:pk>/<str:step>/", views.slip_act, name="slip_act"),
    path("rankings/", views.ranking_list, name="rankings"),
    path("rankings/publish/", views.ranking_publish, name="ranking_publish"),
    path("rankings/<int:pk>/", views.ranking, name="ranking"),
    path("assessment/", views.assessment_sheet, name="assessment"),
]

from django.urls import path

from qinqing.supervision import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/preferences/", views.preferences, name="notification_preferences"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("orders/", views.orders, name="supervision_orders"),
    path("orders/<int:pk>/", views.order_detail, name="supervision_order"),
    path("issue/<str:number>/", views.issue, name="supervision_issue"),
    path("contest/<str:number>/", views.contest, name="supervision_contest"),
    path("contest/<str:number>/decision/", views.decide_contest, name="supervision_contest_decision"),
    path("evaluation/", views.evaluation, name="supervision_evaluation"),
    path("evaluation/export/", views.evaluation_export, name="supervision_evaluation_export"),
    path("weekly/", views.weekly, name="supervision_weekly"),
    path("weekly/export/", views.weekly_export, name="supervision_weekly_export"),
    path("honours/", views.honours, name="supervision_honours"),
]

from django.urls import path

from qinqing.policies import redemption_views, views

urlpatterns = [
    path("", views.library, name="policies_library"),
    path("items/<int:pk>/", views.item_detail, name="policies_item"),
    path("mine/", views.mine, name="policies_mine"),
    path("file/", views.my_file, name="policies_my_file"),
    path("enterprises/<int:pk>/", views.enterprise_file, name="policies_enterprise"),
    path("matches/", views.match_list, name="policies_matches"),
    path("tasks/", views.task_list, name="policies_tasks"),
    path("figures/", views.figures, name="policies_figures"),
    path("redemption/", redemption_views.mine, name="redemption_mine"),
    path("redemption/queue/", redemption_views.queue, name="redemption_queue"),
    path("redemption/figures/", redemption_views.figures, name="redemption_figures"),
    path("redemption/<int:pk>/", redemption_views.case_detail, name="redemption_case"),
    path("items/<int:pk>/publicity/", redemption_views.publicity, name="redemption_publicity"),
    path("report-fee/", redemption_views.report_fee, name="policies_report_fee"),
]

from django.urls import path

from qinqing.policies import views

urlpatterns = [
    path("", views.library, name="policies_library"),
    path("items/<int:pk>/", views.item_detail, name="policies_item"),
    path("mine/", views.mine, name="policies_mine"),
    path("file/", views.my_file, name="policies_my_file"),
    path("enterprises/<int:pk>/", views.enterprise_file, name="policies_enterprise"),
    path("matches/", views.match_list, name="policies_matches"),
    path("tasks/", views.task_list, name="policies_tasks"),
    path("figures/", views.figures, name="policies_figures"),
]

from django.urls import path

from qinqing.indices import views

urlpatterns = [
    path("", views.framework_list, name="indices_frameworks"),
    path("mine/", views.mine, name="indices_mine"),
    path("indicators/<int:pk>/", views.indicator, name="indices_indicator"),
    path("observations/<int:pk>/evidence/", views.evidence, name="indices_evidence"),
    path("<slug:code>/", views.tree, name="indices_tree"),
    path("<slug:code>/export/", views.tree_export, name="indices_tree_export"),
    path("<slug:code>/framework.xlsx", views.framework_export, name="indices_framework_export"),
    path("<slug:code>/import/", views.import_page, name="indices_import"),
]

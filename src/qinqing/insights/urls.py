from django.urls import path

from qinqing.insights import views

urlpatterns = [
    path("common/", views.common_issues, name="insights_common"),
    path("common/confirm/", views.confirm_issue, name="insights_confirm"),
    path("common/<int:pk>/", views.issue_detail, name="insights_issue"),
    path("replies/", views.flagged_replies, name="insights_replies"),
    path("link/<str:number>/", views.link, name="insights_link"),
    path("similar/", views.similar_live, name="insights_similar_live"),
    path("reply-check/<str:number>/", views.reply_check, name="insights_reply_check_page"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qinqing.api.api import urls as api_urls
from qinqing.dashboard import views as dashboard_views
from qinqing.supervision import views as supervision_views

# A database that is down answers 503 + Retry-After instead of a bare 500 (qinqing/ops/health.py).
handler500 = "qinqing.ops.health.server_error"

admin.site.site_header = "亲清 · 系统管理"
admin.site.site_title = "亲清"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("qinqing.audit.urls")),
    path("", include("qinqing.ops.urls")),
    path("", include("qinqing.signup.urls")),
    path("api/", api_urls()),
    path("insights/", include("qinqing.insights.urls")),
    path("supervision/", include("qinqing.supervision.urls")),
    path("fieldwork/", include("qinqing.fieldwork.urls")),
    path("policies/", include("qinqing.policies.urls")),
    path("indices/", include("qinqing.indices.urls")),
    path("credit/", include("qinqing.credit.urls")),
    path("projects/", include("qinqing.projects.urls")),
    path("plans/", include("qinqing.plans.urls")),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("public/honours/", supervision_views.public_honours, name="public_honours"),
    path("public/honours/<int:pk>/", supervision_views.public_honour, name="public_honour"),
    path("", include("qinqing.appeals.urls")),
]

from django.urls import path

from qinqing.audit import views

urlpatterns = [
    path("audit/security/", views.security_log, name="security_log"),
    path("audit/security/export/", views.security_log_export, name="security_log_export"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("otp/", views.second_factor, name="second_factor"),
    path("tokens/", views.tokens, name="api_tokens"),
    path("grants/", views.grants_page, name="grants"),
    path("grants/<int:pk>/", views.grant_decide, name="grant_decide"),
]

from django.urls import path

from qinqing.audit import views

urlpatterns = [
    path("audit/security/", views.security_log, name="security_log"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
]

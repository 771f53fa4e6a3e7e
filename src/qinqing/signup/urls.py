from django.urls import path

from qinqing.signup import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/pending/", views.pending, name="signup_pending"),
    path("signup/requests/", views.queue, name="signup_queue"),
    path("signup/requests/<int:pk>/", views.detail, name="signup_request"),
    path("signup/requests/<int:pk>/approve/", views.approve, name="signup_approve"),
    path("signup/requests/<int:pk>/reject/", views.reject, name="signup_reject"),
    path("password-reset/", views.reset, name="password_reset_sms"),
]

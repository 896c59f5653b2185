from django.urls import path

from . import views

app_name = "mail_failures"

urlpatterns = [
    path("", views.failure_list, name="list"),
    path("<int:pk>/skicka-igen/", views.resend, name="resend"),
]

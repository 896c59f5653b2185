from django.urls import path

from .views import settings as settings_views

app_name = "logreview"

urlpatterns = [
    # settings (reviewdraw)
    path("installningar/", settings_views.review_settings, name="settings"),
]

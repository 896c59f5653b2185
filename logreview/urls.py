from django.urls import path

from .views import review as review_views
from .views import settings as settings_views

app_name = "logreview"

urlpatterns = [
    # review (reviewflow)
    path("", review_views.month_list, name="month_list"),
    path("<int:pk>/", review_views.month_detail, name="month_detail"),
    path("<int:pk>/attestera/", review_views.month_sign_off, name="month_sign_off"),
    path("lasning/<int:pk>/", review_views.item_detail, name="item_detail"),
    path("lasning/<int:pk>/utredning/", review_views.item_close, name="item_close"),
    path("ar/<int:year>/pdf/", review_views.yearly_pdf, name="yearly_pdf"),
    # settings (reviewdraw)
    path("installningar/", settings_views.review_settings, name="settings"),
]

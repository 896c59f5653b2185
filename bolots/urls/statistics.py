from django.urls import path

from ..views import statistics

urlpatterns = [
    path("bolots/avbokningar/", statistics.cancellations, name="cancellations"),
]

from django.urls import path

from ..views import cancellations

urlpatterns = [
    # Under /bolots/ as it always was: the page is in the bolotsar's menu.
    path("bolots/avbokningar/", cancellations.cancellations, name="cancellations"),
]

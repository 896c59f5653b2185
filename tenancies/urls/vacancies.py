from django.urls import path

from ..views import vacancies as views

urlpatterns = [
    path("lagenheter/vakanser/", views.vacancy_list, name="vacancy_list"),
    path("lagenheter/vakanser/<int:pk>/klar/", views.vacancy_ready, name="vacancy_ready"),
]

"""Housing First candidates, the working group and the steering group (docs/housing-chain.md)."""

from django.urls import path

from ..views import housing_first as views

urlpatterns = [
    path("housing-first/", views.candidate_list, name="hf_candidates"),
    path("housing-first/ny/", views.candidate_create, name="hf_candidate_create"),
    path("housing-first/styrgrupp/", views.steering_list, name="hf_steering"),
    path("housing-first/styrgrupp/<int:pk>/", views.steering_detail, name="hf_steering_detail"),
    path("housing-first/<int:pk>/", views.candidate_detail, name="hf_candidate"),
    path("housing-first/<int:pk>/andra/", views.candidate_edit, name="hf_candidate_edit"),
    path("housing-first/<int:pk>/bedomning/", views.assessment_create, name="hf_assessment_create"),
    path("housing-first/<int:pk>/beslut/", views.make_decision, name="hf_make_decision"),
    path("housing-first/<int:pk>/avsluta/", views.candidate_withdraw, name="hf_withdraw"),
]

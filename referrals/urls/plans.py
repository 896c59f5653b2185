from django.urls import path

from ..views import plans as views

urlpatterns = [
    path("klienter/<int:pk>/plan/", views.client_plan, name="client_plan"),
    path("klienter/<int:pk>/plan/ny/", views.plan_create, name="plan_create"),
    path("planer/uppfoljning/", views.plan_reviews_due, name="plan_reviews_due"),
    path("planer/<int:pk>/mal/", views.plan_goal_add, name="plan_goal_add"),
    path("planer/<int:pk>/mal/<int:goal_pk>/uppnatt/", views.plan_goal_achieved, name="plan_goal_achieved"),
    path("planer/<int:pk>/atgarder/", views.plan_action_add, name="plan_action_add"),
    path("planer/<int:pk>/atgarder/<int:action_pk>/klar/", views.plan_action_done, name="plan_action_done"),
    path("planer/<int:pk>/uppfoljningar/", views.plan_review_add, name="plan_review_add"),
    path("planer/<int:pk>/uppfoljningar/alla/", views.plan_review_list, name="plan_review_list"),
]

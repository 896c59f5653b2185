from django.urls import path

from ..views import courses as views

urlpatterns = [
    path("boendekurs/", views.course_list, name="course_list"),
    path("boendekurs/ny/", views.course_create, name="course_create"),
    path("boendekurs/saknas/", views.course_missing, name="course_missing"),
    path("boendekurs/<int:pk>/", views.course_detail, name="course_detail"),
    path("boendekurs/<int:pk>/andra/", views.course_edit, name="course_edit"),
    path("boendekurs/<int:pk>/anmal/", views.course_enrol, name="course_enrol"),
    path("boendekurs/<int:pk>/narvaro/", views.course_attendance, name="course_attendance"),
    path(
        "boendekurs/deltagare/<int:enrolment_id>/intyg.pdf",
        views.course_certificate,
        name="course_certificate",
    ),
]

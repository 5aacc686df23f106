from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.people, name="list"),
    path("<int:pk>/roles/", views.people_role, name="role"),
    path("audit/", views.audit_log, name="audit"),
]

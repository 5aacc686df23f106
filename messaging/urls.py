from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.staff_messages, name="staff_list"),
    path("<int:pk>/", views.staff_message, name="staff_detail"),
    path("<int:pk>/retry/", views.staff_message_retry, name="staff_retry"),
]

from django.urls import path

from . import privacy_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("privacy/", privacy_views.privacy, name="privacy"),
    path("privacy/export.json", privacy_views.privacy_export, name="privacy_export"),
    path("privacy/erase/", privacy_views.privacy_erase, name="privacy_erase"),
]

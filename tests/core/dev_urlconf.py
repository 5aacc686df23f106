"""The project's URLs plus the DEBUG-only demo pages, for testing those pages with DEBUG off."""

from django.urls import include, path

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("dev/", include("core.dev_urls"))]

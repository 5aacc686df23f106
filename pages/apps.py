from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site's own pages: the home page, the health check and the error pages."""

    name = "pages"
    verbose_name = "Site pages"

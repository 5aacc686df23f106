from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site's own pages: the home page and the health check."""

    name = "pages"
    verbose_name = "Site pages"

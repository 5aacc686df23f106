from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The site's own pages: the home page, the health check and the error pages."""

    name = "pages"
    verbose_name = _("Site pages")

    def ready(self):
        from core.public_cache import watch  # noqa: PLC0415

        from . import models  # noqa: PLC0415

        # The pages staff write and the directory (pages/services/content.py also says so itself).
        watch(models.Page, "pages")
        watch(models.PartnerService, "pages")

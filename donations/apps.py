from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self):
        from accounts.privacy import privacy_part_register  # noqa: PLC0415  (apps load before models)

        from . import privacy  # noqa: PLC0415

        privacy_part_register(privacy.PART)

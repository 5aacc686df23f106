from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers and shifts"

    def ready(self):
        from accounts.privacy import privacy_part_register  # noqa: PLC0415  (apps load before models)

        from . import privacy  # noqa: PLC0415

        privacy_part_register(privacy.PART)

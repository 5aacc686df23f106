from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers and shifts"

    def ready(self):
        # Imported here: app configs load before models.
        from accounts.privacy import privacy_part_register  # noqa: PLC0415

        from . import notices, privacy  # noqa: PLC0415

        privacy_part_register(privacy.PART)
        notices.register()

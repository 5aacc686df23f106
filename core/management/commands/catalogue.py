"""`manage.py catalogue update`: the .po files from the code; `manage.py catalogue check`: fail when
they are out of date, untranslated or fuzzy; `manage.py catalogue compile`: the .mo files
(core/catalogue.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import catalogue


class Command(BaseCommand):
    help = "Update the translation catalogues from the code, or check them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "check", "compile"])

    def handle(self, *args, action, **options):
        if action == "compile":
            catalogue.compile_catalogues()
            return
        if action == "update":
            catalogue.makemessages(settings.BASE_DIR)
            self.stdout.write("Updated locale/: translate the new entries, then run compilemessages.")
            return
        found = catalogue.problems()
        if found:
            raise CommandError("The translation catalogues need work:\n" + "\n".join(found))
        self.stdout.write("Catalogues up to date and complete.")

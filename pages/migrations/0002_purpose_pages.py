"""Seeds the home page and the other pages with a purpose, so a fresh install has their words."""

from django.db import migrations
from django.utils import timezone

from pages.content import purpose_pages_ensure


def seed(apps, schema_editor):
    purpose_pages_ensure(apps.get_model("pages", "Page"), now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

from django.db import migrations


def create_general_fund(apps, schema_editor):
    Fund = apps.get_model("campaigns", "Fund")
    Fund.objects.get_or_create(is_general=True, defaults={"name": "General fund", "slug": "general"})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(create_general_fund, migrations.RunPython.noop)]

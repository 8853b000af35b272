"""The one row that numbers certificates."""

from django.db import migrations


def create_counter(apps, schema_editor):
    SerialCounter = apps.get_model("certificates", "SerialCounter")
    SerialCounter.objects.get_or_create(pk=1, defaults={"last_number": 0})


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_certificates")]

    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]

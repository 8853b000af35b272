"""HR manages assignment rules and assignments."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("assignment", "assignmentrule")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    hr = Group.objects.filter(name="HR").first()
    if hr is None:
        return
    for model in MODELS:
        for action in ("add", "change", "delete", "view"):
            hr.permissions.add(
                Permission.objects.get(content_type__app_label="learning", codename=f"{action}_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [("learning", "0004_assignments_and_progress")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

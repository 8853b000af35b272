"""HR sees the compliance reports and anyone's training record; nobody else does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    learning = apps.get_app_config("learning")
    learning.models_module = True
    create_permissions(learning, apps=apps, verbosity=0)
    learning.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    hr = Group.objects.filter(name="HR").first()
    if hr is not None:
        hr.permissions.add(
            Permission.objects.get(content_type__app_label="learning", codename="view_compliance")
        )


class Migration(migrations.Migration):
    dependencies = [("learning", "0013_reminders")]

    operations = [
        migrations.AlterModelOptions(
            name="employee",
            options={
                "ordering": ["user__last_name", "user__first_name", "employee_number"],
                "permissions": [
                    ("import_staff", "Can import staff from a CSV file"),
                    (
                        "view_compliance",
                        "Can see compliance reports and anyone's training record",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]

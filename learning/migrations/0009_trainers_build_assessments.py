"""Trainers build assessments and grade essays; HR may read assessments and attempts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRAINERS = [
    "add_assessment",
    "change_assessment",
    "delete_assessment",
    "view_assessment",
    "change_attempt",
    "view_attempt",
]
HR = ["view_assessment", "view_attempt"]


def grant(apps, schema_editor):
    assessments = apps.get_app_config("assessments")
    assessments.models_module = True
    create_permissions(assessments, apps=apps, verbosity=0)
    assessments.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    by_codename = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="assessments")
    }
    for name, codenames in (("Trainers", TRAINERS), ("HR", HR)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*(by_codename[codename] for codename in codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0008_trainers_write_questions"),
        ("assessments", "0004_assessments_and_attempts"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Trainers keep the list of competencies; HR may read it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


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
    trainers = Group.objects.filter(name="Trainers").first()
    if trainers is not None:
        for action in ("add", "change", "delete", "view"):
            trainers.permissions.add(by_codename[f"{action}_competency"])
    hr = Group.objects.filter(name="HR").first()
    if hr is not None:
        hr.permissions.add(by_codename["view_competency"])


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0006_scenario_runs"),
        ("assessments", "0002_starting_competencies"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Trainers write questions and keep question banks; HR may read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("question", "questionbank")


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
    hr = Group.objects.filter(name="HR").first()
    for model in MODELS:
        if trainers is not None:
            for action in ("add", "change", "delete", "view"):
                trainers.permissions.add(by_codename[f"{action}_{model}"])
        if hr is not None:
            hr.permissions.add(by_codename[f"view_{model}"])


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0007_trainers_manage_competencies"),
        ("assessments", "0003_question_bank"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

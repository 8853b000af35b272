"""HR keeps the certificate templates; trainers may look at them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    certificates = apps.get_app_config("certificates")
    certificates.models_module = True
    create_permissions(certificates, apps=apps, verbosity=0)
    certificates.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    by_codename = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="certificates")
    }
    grants = {
        "HR": [f"{action}_certificatetemplate" for action in ("add", "change", "delete", "view")],
        "Trainers": ["view_certificatetemplate"],
    }
    for name, codenames in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*(by_codename[codename] for codename in codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0009_trainers_build_assessments"),
        ("certificates", "0003_certificate_templates"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

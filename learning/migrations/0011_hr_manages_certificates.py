"""HR looks after issued certificates: lists them, downloads anyone's PDF, revokes and
reissues. Nobody else gets these permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HR_CODENAMES = (
    "view_certificate",
    "download_certificate",
    "revoke_certificate",
    "reissue_certificate",
)


def grant(apps, schema_editor):
    certificates = apps.get_app_config("certificates")
    certificates.models_module = True
    create_permissions(certificates, apps=apps, verbosity=0)
    certificates.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    hr = Group.objects.filter(name="HR").first()
    if hr is not None:
        hr.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="certificates", codename__in=HR_CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0010_hr_keeps_certificate_templates"),
        ("certificates", "0004_certificate_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

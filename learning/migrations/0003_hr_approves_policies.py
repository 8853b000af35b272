"""HR edits and publishes policies, so it can approve them in the compliance review."""

from django.db import migrations

HR_POLICY_PERMISSIONS = ("change_page", "publish_page")


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    PolicyIndexPage = apps.get_model("cms.PolicyIndexPage")
    hr = Group.objects.filter(name="HR").first()
    index = PolicyIndexPage.objects.first()
    if hr is None or index is None:
        return
    for codename in HR_POLICY_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=hr,
            page_id=index.pk,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_role_groups"),
        ("cms", "0004_policy_index"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

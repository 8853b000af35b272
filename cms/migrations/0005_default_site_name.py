"""The default Site is named after the organisation, so the admin home is not titled with
its hostname ("localhost")."""

from django.conf import settings
from django.db import migrations


def name_default_site(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Site.objects.filter(is_default_site=True, site_name="").update(
        site_name=settings.WAGTAIL_SITE_NAME
    )


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_policy_index")]

    operations = [migrations.RunPython(name_default_site, migrations.RunPython.noop)]

"""Every installation has its policy library at /policies/."""

from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def child_path(parent_path: str, position: int) -> str:
    segment = ""
    while position:
        position, digit = divmod(position, len(ALPHABET))
        segment = ALPHABET[digit] + segment
    return parent_path + segment.rjust(4, "0")


def create_policy_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("cms.HomePage")
    PolicyIndexPage = apps.get_model("cms.PolicyIndexPage")

    home = HomePage.objects.first()
    if home is None:
        return
    index = PolicyIndexPage.objects.first()
    if index is None:
        last_child = (
            Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
            .order_by("-path")
            .first()
        )
        position = int(last_child.path[-4:], 36) + 1 if last_child else 1
        content_type, _ = ContentType.objects.get_or_create(
            app_label="cms", model="policyindexpage"
        )
        index = PolicyIndexPage.objects.create(
            title="Policies",
            draft_title="Policies",
            slug="policies",
            content_type=content_type,
            path=child_path(home.path, position),
            depth=home.depth + 1,
            numchild=0,
            url_path=f"{home.url_path}policies/",
            locale_id=home.locale_id,
            live=True,
            intro=(
                "The customer-service policies every member of staff works to, each with its "
                "full version history."
            ),
        )
        Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_policy_library"),
    ]

    operations = [migrations.RunPython(create_policy_index, migrations.RunPython.noop)]

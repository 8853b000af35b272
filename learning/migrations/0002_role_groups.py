"""The four role groups with their permissions: Learners, Trainers, HR, Managers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORG_MODELS = ("employee", "department", "jobrole", "location")
TRAINER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
TRAINER_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def ensure_permissions_exist(apps):
    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    ensure_permissions_exist(apps)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    access_admin = permission("wagtailadmin", "access_admin")

    Group.objects.get_or_create(name="Learners")
    Group.objects.get_or_create(name="Managers")

    hr, _ = Group.objects.get_or_create(name="HR")
    hr.permissions.add(access_admin, permission("learning", "import_staff"))
    for model in ORG_MODELS:
        for action in ("add", "change", "delete", "view"):
            hr.permissions.add(permission("learning", f"{action}_{model}"))

    trainers, _ = Group.objects.get_or_create(name="Trainers")
    trainers.permissions.add(access_admin)
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        for codename in TRAINER_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=trainers, page=root_page, permission=permission("wagtailcore", codename)
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codename in TRAINER_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=trainers,
                collection=root_collection,
                permission=permission(app_label, codename),
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(
        name__in=["Learners", "Trainers", "HR", "Managers"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

"""Every installation has a course catalogue for trainers to add courses to."""

from django.db import migrations

from cms.page_tree import add_child_page


def create_catalogue(apps, schema_editor):
    HomePage = apps.get_model("cms.HomePage")
    CourseIndexPage = apps.get_model("courses.CourseIndexPage")
    home = HomePage.objects.first()
    if home is None or CourseIndexPage.objects.exists():
        return
    add_child_page(
        apps,
        parent=home,
        app_label="courses",
        model_name="CourseIndexPage",
        title="Courses",
        slug="courses",
        intro="Every course staff can be assigned, with its modules.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("cms", "0004_policy_index"),
    ]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]

from django.db import migrations, models
from django.utils import timezone


def open_what_was_open(apps, schema_editor):
    """A recertification made before this field was already open unless its course was
    still on an older major version of the policy it names (or that version had not yet
    taken effect): record it as open since it was assigned, or since the course was
    pinned to the new version when that came later."""
    Assignment = apps.get_model("learning", "Assignment")
    CoursePolicyPin = apps.get_model("courses", "CoursePolicyPin")
    now = timezone.now()
    pins = {}
    for course_id, policy_id, major, pinned_at in CoursePolicyPin.objects.values_list(
        "course_id", "version__policy_id", "version__major", "pinned_at"
    ):
        pins[(course_id, policy_id)] = (major, pinned_at)
    for (
        pk,
        course_id,
        policy_id,
        major,
        effective_at,
        assigned_at,
        completed_at,
    ) in Assignment.objects.filter(policy_version__isnull=False).values_list(
        "pk",
        "course_id",
        "policy_version__policy_id",
        "policy_version__major",
        "policy_version__effective_at",
        "assigned_at",
        "completed_at",
    ):
        taught = pins.get((course_id, policy_id))
        if completed_at is None and (
            (taught is not None and taught[0] < major) or effective_at > now
        ):
            continue  # still waiting
        opened = max(assigned_at, effective_at)
        if taught is not None and taught[1] > opened and completed_at is None:
            opened = taught[1]
        Assignment.objects.filter(pk=pk).update(opened_at=opened)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("learning", "0017_recertification_wording"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="opened_at",
            field=models.DateTimeField(
                blank=True,
                help_text="For a recertification after a policy change: when it opened, its "
                "course then teaching the new version and the version in effect. Empty while "
                "it waits.",
                null=True,
            ),
        ),
        migrations.RunPython(open_what_was_open, migrations.RunPython.noop),
    ]

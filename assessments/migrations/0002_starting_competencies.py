"""The competencies a new installation starts with; trainers edit the list afterwards."""

from django.db import migrations

STARTING = [
    ("communication", "Communication", "Clear, polite, plain-language conversation."),
    ("de_escalation", "De-escalation", "Calming an upset customer and keeping control."),
    ("complaint_handling", "Complaint handling", "Recognising, logging and resolving complaints."),
    ("policy_knowledge", "Policy knowledge", "Knowing and applying what our policies say."),
    ("privacy", "Privacy", "Protecting customers' personal data in every contact."),
]


def create(apps, schema_editor):
    Competency = apps.get_model("assessments", "Competency")
    for order, (key, name, description) in enumerate(STARTING):
        Competency.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

"""Accounts made by HR, the staff import, the demo or an administrator have no record of
their sign-in address in allauth, which single sign-on reads as unverified (and then makes
the password unusable). Record each such address as verified: whoever made the account
vouched for it. Addresses a person registered themselves keep the record they have."""

from django.db import migrations


def record_vouched_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    recorded = {
        (user_id, email.lower())
        for user_id, email in EmailAddress.objects.values_list("user_id", "email")
    }
    verified_elsewhere = {
        email.lower()
        for email in EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
    }
    for user in User.objects.exclude(email="").only("pk", "email").iterator():
        email = user.email.lower()
        if (user.pk, email) in recorded or email in verified_elsewhere:
            continue
        EmailAddress.objects.filter(user_id=user.pk, primary=True).update(primary=False)
        EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(record_vouched_addresses, migrations.RunPython.noop)]

"""Whose word an account's address stands on: HR's (employee form, staff import,
migration for older accounts) or the person's own (self-registration, until confirmed)."""

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from learning.models import Employee
from learning.services import staff_import
from tests.learning.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "employee_number,first_name,last_name,email,active"
NEW_HIRE = "N-1,Nia,Cole,nia.cole@harbourside.example,yes"
A_PASSWORD = "a-long-pass-99"


def csv_bytes(*rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def addresses(user) -> list[tuple[str, bool, bool]]:
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))


def test_an_account_hr_adds_has_its_address_verified(client, hr_user):
    client.force_login(hr_user)
    response = client.post(
        reverse("employees:add"),
        {
            "first_name": "Nia",
            "last_name": "Cole",
            "email": "Nia.Cole@harbourside.example",
            "employee_number": "N-1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    user = Employee.objects.get(employee_number="N-1").user
    assert addresses(user) == [("nia.cole@harbourside.example", True, True)]


def test_the_import_verifies_addresses_and_a_changed_one_replaces_the_old():
    staff_import(data=csv_bytes(NEW_HIRE))
    user = User.objects.get(email="nia.cole@harbourside.example")
    assert addresses(user) == [("nia.cole@harbourside.example", True, True)]

    staff_import(data=csv_bytes("N-1,Nia,Cole,nia.hart@harbourside.example,yes"))

    # The old address no longer leads to the account, by password or by single sign-on.
    assert addresses(user) == [("nia.hart@harbourside.example", True, True)]


@pytest.fixture
def self_registered(client, settings):
    """Someone registered the new hire's address before HR added them."""
    settings.SELF_REGISTRATION_DOMAINS = ["harbourside.example"]
    client.post(
        reverse("account_signup"),
        {"email": "nia.cole@harbourside.example", "password1": A_PASSWORD, "password2": A_PASSWORD},
    )
    client.post(reverse("account_logout"))
    user = User.objects.get(email="nia.cole@harbourside.example")
    assert addresses(user) == [("nia.cole@harbourside.example", False, True)]
    return user


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_import_does_not_link_a_self_registered_unconfirmed_account(
    self_registered, dry_run, make_user
):
    superuser = make_user(is_superuser=True, is_staff=True)

    result = staff_import(data=csv_bytes(NEW_HIRE), dry_run=dry_run, actor=superuser)

    assert [(error.line, error.message) for error in result.errors] == [
        (
            2,
            "nia.cole@harbourside.example is an account its holder registered themselves "
            "and has not confirmed the address of, so it cannot be linked to an employee. "
            "Ask them to confirm it (the link sent from Email addresses in their account), "
            "then try again.",
        )
    ]
    assert not Employee.objects.exists()
    assert addresses(self_registered) == [("nia.cole@harbourside.example", False, True)]


def test_hr_cannot_link_it_from_the_employee_form_either(client, self_registered, hr_user):
    client.force_login(hr_user)
    response = client.post(
        reverse("employees:add"),
        {
            "first_name": "Nia",
            "last_name": "Cole",
            "email": "nia.cole@harbourside.example",
            "employee_number": "N-1",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "has not confirmed the address" in response.content.decode().replace("&#x27;", "'")
    assert not Employee.objects.exists()


def test_once_its_holder_confirms_the_address_the_import_links_it(client, self_registered):
    client.post(
        reverse("account_login"), {"login": "nia.cole@harbourside.example", "password": A_PASSWORD}
    )
    client.post(
        reverse("account_email"), {"email": "nia.cole@harbourside.example", "action_send": ""}
    )
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[-1].body)
    client.post(link.group(1))
    assert addresses(self_registered) == [("nia.cole@harbourside.example", True, True)]

    result = staff_import(data=csv_bytes(NEW_HIRE))

    assert not result.errors
    assert Employee.objects.get(employee_number="N-1").user == self_registered


def test_the_migration_vouches_for_accounts_without_a_record_only():
    made_by_an_administrator = UserFactory(email="old.hand@harbourside.example")
    registered = UserFactory(email="walk.in@harbourside.example")
    EmailAddress.objects.create(user=registered, email=registered.email, primary=True)
    EmployeeFactory(user=made_by_an_administrator)
    migration = importlib.import_module("accounts.migrations.0002_sign_in_addresses_verified")

    migration.record_vouched_addresses(apps, None)

    assert addresses(made_by_an_administrator) == [("old.hand@harbourside.example", True, True)]
    assert addresses(registered) == [("walk.in@harbourside.example", False, True)]


def test_every_demo_account_has_its_address_verified():
    call_command("seed_demo", verbosity=0)

    people = User.objects.filter(employee__isnull=False)
    assert people.count() >= 20
    verified = EmailAddress.objects.filter(
        user__in=people, verified=True, primary=True
    ).values_list("user__email", "email")
    assert sorted(verified) == sorted(
        (email, email) for email in people.values_list("email", flat=True)
    )

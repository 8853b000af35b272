"""Signing in, rate limits, password reset, closed sign-up and the admin's side doors."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGIN_URL = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def test_staff_sign_in_with_email_and_password(client, learner, password):
    response = sign_in(client, "Learner@Example.com", password)
    assert response.status_code == 302
    assert client.get("/").context["user"] == learner


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, learner):
    response = sign_in(client, learner.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_many_wrong_passwords_lock_the_account_out_for_a_while(client, learner, password):
    for _ in range(5):
        sign_in(client, learner.email, "guess-again")
    response = sign_in(client, learner.email, password)
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_inactive_account_cannot_sign_in(client, learner, password):
    learner.is_active = False
    learner.save()
    sign_in(client, learner.email, password)
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_answers_the_same_for_unknown_and_known_email(client, learner):
    known = client.post(reverse("account_reset_password"), {"email": learner.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    reset_mail = [m for m in mail.outbox if learner.email in m.to]
    assert len(reset_mail) == 1
    assert "/accounts/password/reset/key/" in reset_mail[0].body


def test_public_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.com",
            "password1": "a-long-pass-99",
            "password2": "a-long-pass-99",
        },
    )
    page = response.content.decode()
    assert "Ask HR for your account" in page
    assert "ask them to add you" in page
    assert not User.objects.filter(email="walk-in@example.com").exists()


def test_sign_up_allowed_only_for_listed_domains(client, settings):
    settings.SELF_REGISTRATION_DOMAINS = ["harbourside.example"]
    data = {"password1": "a-long-pass-99", "password2": "a-long-pass-99"}
    refused = client.post(reverse("account_signup"), {**data, "email": "x@elsewhere.example"})
    assert "created by your HR team" in refused.content.decode()
    assert not User.objects.filter(email="x@elsewhere.example").exists()

    client.post(reverse("account_signup"), {**data, "email": "new@harbourside.example"})
    assert User.objects.filter(email="new@harbourside.example").exists()


def test_wagtail_login_page_sends_people_to_the_one_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_requires_sign_in_through_allauth(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_there_is_no_django_admin_side_door(client):
    assert client.get("/django-admin/").status_code == 404
    assert client.get("/admin/login/", follow=True).redirect_chain[-1][0].startswith(LOGIN_URL)


class TestTwoFactorForStaff:
    def test_hr_must_set_up_two_factor_when_required(self, client, settings, hr_user, password):
        settings.MFA_REQUIRED_FOR_STAFF = True
        sign_in(client, hr_user.email, password)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
        # allauth asks for the password once more before showing the set-up page.
        setup = client.get(reverse("mfa_activate_totp"), follow=True)
        assert setup.status_code == 200
        assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))

    def test_superuser_must_set_up_two_factor_when_required(self, client, settings):
        settings.MFA_REQUIRED_FOR_STAFF = True
        admin = User.objects.create_superuser("root@example.com", "a-long-pass-99")
        client.force_login(admin)
        assert client.get("/").status_code == 302

    def test_hr_with_totp_goes_straight_through(self, client, settings, hr_user):
        settings.MFA_REQUIRED_FOR_STAFF = True
        TOTP.activate(hr_user, generate_totp_secret())
        client.force_login(hr_user)
        assert client.get("/admin/").status_code == 200

    def test_learners_are_not_asked(self, client, settings, learner):
        settings.MFA_REQUIRED_FOR_STAFF = True
        client.force_login(learner)
        assert client.get("/").status_code == 200

    def test_nobody_is_asked_when_the_setting_is_off(self, client, settings, hr_user):
        settings.MFA_REQUIRED_FOR_STAFF = False
        client.force_login(hr_user)
        assert client.get("/admin/").status_code == 200

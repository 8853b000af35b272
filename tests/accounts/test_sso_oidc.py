"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) run as a
local server: the browser's part is played by Django's test client and ``requests``."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from learning.models import Employee
from learning.services import employee_save

pytestmark = pytest.mark.django_db
User = get_user_model()

LOGIN_START = "/accounts/oidc/sso/login/"
A_PASSWORD = "tide-chart-lantern-42"


@pytest.fixture(scope="module")
def provider_url():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(autouse=True)
def sso_app(provider_url):
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="sso",
        name="Harbourside sign-in",
        client_id="policy-certify",
        secret="not-a-real-secret",
        settings={"server_url": provider_url},
    )


def provider_says(provider_url: str, sub: str, **claims) -> None:
    """The provider's record of this person: the claims it will send for them."""
    requests.put(f"{provider_url}/users/{sub}", json=claims, timeout=10).raise_for_status()


def start_sign_in(client) -> str:
    """Press the provider's button; return the address the browser is sent to."""
    response = client.post(LOGIN_START)
    assert response.status_code == 302
    return response["Location"]


def authorize(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider; return the callback address it sends them to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    callback = urlsplit(response.headers["Location"])
    assert callback.path == "/accounts/oidc/sso/login/callback/"
    return f"{callback.path}?{callback.query}"


def sso_sign_in(client, sub: str, **follow):
    return client.get(authorize(start_sign_in(client), sub), **follow)


def hr_made_account(email: str, number: str, *groups: str):
    """An account as HR's employee form makes it."""
    employee = employee_save(
        employee=Employee(employee_number=number), email=email, first_name="Ada", last_name="Ng"
    )
    user = employee.user
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    return user


def signed_in_user(client):
    return client.get("/").wsgi_request.user


def current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_the_sign_in_page_shows_the_provider_as_a_button(client):
    html = client.get(reverse("account_login")).content.decode()
    assert f'<form class="sso-providers__provider" method="post" action="{LOGIN_START}' in html
    assert "Sign in with Harbourside sign-in</button>" in html
    assert "<li>" not in html.split("sso-providers")[1]


def test_the_sign_in_asks_for_pkce(client):
    query = parse_qs(urlsplit(start_sign_in(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0]


class TestLinkingAnExistingAccount:
    def test_an_account_hr_made_keeps_its_password(self, client, provider_url):
        user = hr_made_account("ada.ng@harbourside.example", "E900")
        user.set_password(A_PASSWORD)
        user.save()
        provider_says(
            provider_url, "ada-1", email="Ada.Ng@harbourside.example", email_verified=True
        )

        response = sso_sign_in(client, "ada-1")

        assert response.status_code == 302
        assert signed_in_user(client) == user
        assert SocialAccount.objects.filter(user=user, uid="ada-1").exists()
        user.refresh_from_db()
        assert user.has_usable_password() and user.check_password(A_PASSWORD)
        # ... and the password still signs them in.
        client.post(reverse("account_logout"))
        client.post(
            reverse("account_login"),
            {"login": "ada.ng@harbourside.example", "password": A_PASSWORD},
        )
        assert signed_in_user(client) == user

    def test_an_account_an_administrator_made_keeps_its_password(self, client, provider_url):
        admin = User.objects.create_superuser("root@harbourside.example", A_PASSWORD)
        provider_says(provider_url, "root-1", email="root@harbourside.example", email_verified=True)

        sso_sign_in(client, "root-1")

        assert signed_in_user(client) == admin
        admin.refresh_from_db()
        assert admin.check_password(A_PASSWORD)
        assert EmailAddress.objects.filter(user=admin, verified=True, primary=True).exists()

    def test_an_address_the_provider_does_not_verify_signs_no_one_in(self, client, provider_url):
        user = hr_made_account("bo.li@harbourside.example", "E901")
        user.set_password(A_PASSWORD)
        user.save()
        provider_says(provider_url, "bo-1", email="bo.li@harbourside.example", email_verified=False)

        response = sso_sign_in(client, "bo-1")

        assert response.status_code == 403
        assert "did not confirm" in response.content.decode()
        assert "Ask HR" in response.content.decode() or "ask them" in response.content.decode()
        assert not signed_in_user(client).is_authenticated
        assert not SocialAccount.objects.filter(user=user).exists()
        user.refresh_from_db()
        assert user.check_password(A_PASSWORD)

    def test_an_old_address_still_on_record_does_not_lead_to_the_account(
        self, client, provider_url
    ):
        user = hr_made_account("dee.fox@harbourside.example", "E907")
        # An administrator changed the address in Wagtail's user pages, which leave
        # allauth's record of the old one behind.
        user.email = "dee.moss@harbourside.example"
        user.save()
        assert EmailAddress.objects.filter(email="dee.fox@harbourside.example").exists()
        provider_says(
            provider_url, "dee-1", email="dee.fox@harbourside.example", email_verified=True
        )

        response = sso_sign_in(client, "dee-1")

        assert "Ask HR for your account" in response.content.decode()
        assert not signed_in_user(client).is_authenticated
        assert not SocialAccount.objects.filter(user=user).exists()


class TestTwoFactorForHR:
    def test_hr_signing_in_by_sso_sets_up_and_then_uses_totp(self, client, settings, provider_url):
        settings.MFA_REQUIRED_FOR_STAFF = True
        hr = hr_made_account("hr.lead@harbourside.example", "E902", "HR")
        assert not hr.has_usable_password()  # HR signs in only through the provider
        provider_says(
            provider_url, "hr-1", email="hr.lead@harbourside.example", email_verified=True
        )

        response = sso_sign_in(client, "hr-1", follow=True)

        assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
        assert response.status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        activated = client.post(reverse("mfa_activate_totp"), {"code": current_totp(secret)})
        assert activated.status_code == 302
        assert Authenticator.objects.filter(user=hr, type=Authenticator.Type.TOTP).exists()
        assert client.get("/admin/").status_code == 200

        # The next sign-in through the provider asks for the code before letting them in.
        client.post(reverse("account_logout"))
        asked = sso_sign_in(client, "hr-1")
        assert asked["Location"] == reverse("mfa_authenticate")
        assert not signed_in_user(client).is_authenticated
        client.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})
        assert signed_in_user(client) == hr
        assert client.get("/admin/").status_code == 200

    def test_an_old_sso_sign_in_offers_the_provider_again_not_a_403(
        self, client, settings, provider_url
    ):
        settings.MFA_REQUIRED_FOR_STAFF = True
        settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
        hr_made_account("hr.two@harbourside.example", "E903", "HR")
        provider_says(provider_url, "hr-2", email="hr.two@harbourside.example", email_verified=True)
        sso_sign_in(client, "hr-2")

        response = client.get(reverse("mfa_activate_totp"))

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_START)
        # Signing in there again leads back to the set-up page, which now opens.
        settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
        assert client.get(response["Location"]).status_code == 200
        again = client.post(response["Location"])
        assert again.status_code == 302
        back = client.get(authorize(again["Location"], "hr-2"), follow=True)
        assert back.redirect_chain[-1][0] == reverse("mfa_activate_totp")
        assert back.status_code == 200
        assert "code" in back.context["form"].fields


class TestSigningUpThroughTheProvider:
    @pytest.fixture(autouse=True)
    def _company_domain_may_self_register(self, settings):
        settings.SELF_REGISTRATION_DOMAINS = ["harbourside.example"]

    def test_a_verified_address_in_the_domain_makes_an_account_with_it(self, client, provider_url):
        provider_says(
            provider_url, "new-1", email="new.hire@harbourside.example", email_verified=True
        )

        sso_sign_in(client, "new-1")

        user = User.objects.get(email="new.hire@harbourside.example")
        assert signed_in_user(client) == user
        assert EmailAddress.objects.get(user=user).verified

    def test_someone_who_registered_another_persons_address_loses_the_account_to_them(
        self, client, provider_url
    ):
        # Someone registers the address with a password before its owner ever signs in.
        client.post(
            reverse("account_signup"),
            {
                "email": "owner@harbourside.example",
                "password1": A_PASSWORD,
                "password2": A_PASSWORD,
            },
        )
        client.post(reverse("account_logout"))
        provider_says(provider_url, "owner", email="owner@harbourside.example", email_verified=True)

        sso_sign_in(client, "owner")

        # The owner is in, through the provider; the password typed by whoever got there
        # first no longer opens the account.
        account = User.objects.get(email="owner@harbourside.example")
        assert signed_in_user(client) == account
        assert not account.has_usable_password()
        client.post(reverse("account_logout"))
        client.post(
            reverse("account_login"),
            {"login": "owner@harbourside.example", "password": A_PASSWORD},
        )
        assert not signed_in_user(client).is_authenticated

    def test_an_unverified_address_is_refused_and_told_to_ask_hr(self, client, provider_url):
        provider_says(provider_url, "walk-in", email="walk.in@harbourside.example")

        response = sso_sign_in(client, "walk-in")

        assert response.status_code == 403
        page = response.content.decode()
        assert "did not confirm <strong>walk.in@harbourside.example</strong>" in page
        assert "ask them to add you" in page
        assert "Sign Up Closed" not in page
        assert not User.objects.filter(email__endswith="@harbourside.example").exists()
        # Nothing waits at the sign-up form either.
        assert client.get(reverse("socialaccount_signup"))["Location"].startswith(
            reverse("account_login")
        )

    def test_the_sign_up_form_takes_only_the_verified_address(self, client, settings, provider_url):
        settings.SOCIALACCOUNT_AUTO_SIGNUP = False  # show the form, as allauth does at times
        provider_says(provider_url, "form-1", email="cara@harbourside.example", email_verified=True)
        assert sso_sign_in(client, "form-1")["Location"] == reverse("socialaccount_signup")

        form = client.get(reverse("socialaccount_signup"))
        assert form.context["form"].fields["email"].disabled
        client.post(reverse("socialaccount_signup"), {"email": "someone.else@harbourside.example"})

        assert not User.objects.filter(email="someone.else@harbourside.example").exists()
        assert signed_in_user(client).email == "cara@harbourside.example"

    def test_a_verified_address_outside_the_domains_is_told_to_ask_hr(self, client, provider_url):
        provider_says(provider_url, "out-1", email="guest@elsewhere.example", email_verified=True)

        page = sso_sign_in(client, "out-1").content.decode()

        assert "Ask HR for your account" in page
        assert not User.objects.filter(email="guest@elsewhere.example").exists()


class TestHostileCallbacks:
    def test_a_tampered_state_is_refused(self, client, provider_url):
        provider_says(provider_url, "eve-1", email="eve@harbourside.example", email_verified=True)
        hr_made_account("eve@harbourside.example", "E904")
        callback = authorize(start_sign_in(client), "eve-1")
        path, query = callback.split("?")
        params = parse_qs(query)
        params["state"] = ["x" + params["state"][0][1:]]

        response = client.get(path, {k: v[0] for k, v in params.items()})

        assert 400 <= response.status_code < 500
        assert not signed_in_user(client).is_authenticated

    def test_a_replayed_callback_is_refused(self, client, provider_url):
        provider_says(provider_url, "eve-2", email="eve2@harbourside.example", email_verified=True)
        user = hr_made_account("eve2@harbourside.example", "E905")
        callback = authorize(start_sign_in(client), "eve-2")
        assert client.get(callback).status_code == 302
        assert signed_in_user(client) == user
        client.post(reverse("account_logout"))

        replayed = client.get(callback)

        assert 400 <= replayed.status_code < 500
        assert not signed_in_user(client).is_authenticated

    def test_a_callback_in_another_browser_is_refused(self, client, provider_url):
        from django.test import Client

        provider_says(provider_url, "eve-3", email="eve3@harbourside.example", email_verified=True)
        hr_made_account("eve3@harbourside.example", "E906")
        callback = authorize(start_sign_in(client), "eve-3")

        other = Client()
        response = other.get(callback)

        assert 400 <= response.status_code < 500
        assert not signed_in_user(other).is_authenticated

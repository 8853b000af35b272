"""allauth adapters: accounts are created by HR, not by whoever finds the sign-up page,
single sign-on trusts only the addresses the provider verifies, and each role lands
where its work is after signing in."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from accounts.addresses import account_email_set_verified
from cms.client_address import client_ip

TEAM_NAV_SESSION_KEY = "leads_a_team"


def email_domain_may_self_register(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower()
    return bool(domain) and domain in settings.SELF_REGISTRATION_DOMAINS


def landing_url(user) -> str:
    """Where a role's work is: HR, trainers and superusers in the admin, managers on
    their team's page, everyone else on their own training."""
    if user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return reverse("wagtailadmin_home")
    if user.leads_a_team:
        return reverse("learning:team")
    return reverse("learning:dashboard")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SELF_REGISTRATION_DOMAINS)

    def login(self, request, user) -> None:
        super().login(request, user)
        # The navigation offers "My team" from this, so pages pay no query for it; it is
        # worked out again at each sign-in.
        request.session[TEAM_NAV_SESSION_KEY] = user.leads_a_team

    def get_client_ip(self, request) -> str:
        # Sign-in rate limits count by the same client address as /verify/, so they hold
        # behind the proxies named in TRUSTED_PROXIES and a forged header counts for nothing.
        return client_ip(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A sign-in through the company's provider a moment ago is as recent an
        # authentication as typing a password: someone who signs in only that way (HR
        # under MFA_REQUIRED_FOR_STAFF, sent straight to two-factor setup) could not
        # otherwise give the re-authentication that setup asks for.
        required = super().is_reauthentication_required(app=app, **kwargs)
        return required and not signed_in_by_sso_recently(context.request)

    def get_reauthentication_methods(self, user) -> list[dict]:
        # Someone who signs in through the company's provider can re-authenticate there;
        # for someone without a password it is the way offered first.
        methods = super().get_reauthentication_methods(user)
        request = context.request
        if request is None or not user.is_authenticated:
            return methods
        by_provider = []
        for account in SocialAccount.objects.filter(user=user):
            provider = account.get_provider(request)
            by_provider.append(
                {
                    "id": f"socialaccount_{provider.id}",
                    "description": f"Sign in again with {provider.name}",
                    "url": provider.get_login_url(request),
                }
            )
        if user.has_usable_password():
            return methods + by_provider
        return by_provider + methods

    def get_login_redirect_url(self, request) -> str:
        # allauth asks this only when there is no ``next`` it considers safe (same host,
        # allowed scheme); a ``next`` pointing elsewhere falls through to here.
        return landing_url(request.user)


def signed_in_by_sso_recently(request) -> bool:
    """Whether the person signed in through a single sign-on provider in this session
    within ACCOUNT_REAUTHENTICATION_TIMEOUT seconds."""
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    times = [record.get("at", 0) for record in records if record.get("method") == "socialaccount"]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


def provider_verified_email(sociallogin) -> str | None:
    """The address the provider says is the person's and has verified, or None."""
    for address in sociallogin.email_addresses:
        if address.verified and address.email:
            return address.email.strip().lower()
    return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        # allauth has matched an account on the provider's verified address and will make
        # its password unusable unless the account's own record of that address is
        # verified. An account with no record of its address at all was made by HR or an
        # administrator (self-registration always records the address), so the address
        # is vouched for: record it as such, and the person keeps their password.
        user = sociallogin.user
        email = provider_verified_email(sociallogin)
        if (
            user is not None
            and user.pk is not None
            and sociallogin.account.pk is None
            and email
            and email == user.email.lower()
            and not EmailAddress.objects.filter(user=user, email__iexact=email).exists()
        ):
            account_email_set_verified(user=user)

    def authenticate_by_email(self, sociallogin):
        # Only on the account's sign-in address: an old address still on record (one an
        # administrator has since changed) must not lead to the account.
        found = super().authenticate_by_email(sociallogin)
        if found and found[1].strip().lower() != found[0].email.lower():
            return None
        return found

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Single sign-on connects to an existing account on a verified address (allauth
        # does that before asking). It creates a new account only for an address the
        # provider verified, in one of the allowed domains; anything else is HR's to do.
        email = provider_verified_email(sociallogin)
        if email is None:
            claimed = next((a.email for a in sociallogin.email_addresses if a.email), "")
            raise ImmediateHttpResponse(
                render(
                    request,
                    "account/signup_closed.html",
                    {"sso_email": claimed, "sso_unverified": True},
                    status=403,
                )
            )
        return email_domain_may_self_register(email)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # A new account takes the provider's verified address, never a typed one.
        user.email = provider_verified_email(sociallogin) or ""
        return user

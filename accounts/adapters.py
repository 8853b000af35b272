"""allauth adapters: accounts are created by HR, not by whoever finds the sign-up page,
and each role lands where its work is after signing in."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.urls import reverse

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

    def get_login_redirect_url(self, request) -> str:
        # allauth asks this only when there is no ``next`` it considers safe (same host,
        # allowed scheme); a ``next`` pointing elsewhere falls through to here.
        return landing_url(request.user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Single sign-on may connect to an existing account by email (allauth does that
        # before asking), but creates new ones only for the allowed domains.
        return email_domain_may_self_register(sociallogin.user.email or "")

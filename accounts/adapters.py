"""allauth adapters: accounts are created by HR, not by whoever finds the sign-up page."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


def email_domain_may_self_register(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower()
    return bool(domain) and domain in settings.SELF_REGISTRATION_DOMAINS


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SELF_REGISTRATION_DOMAINS)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Single sign-on may connect to an existing account by email (allauth does that
        # before asking), but creates new ones only for the allowed domains.
        return email_domain_may_self_register(sociallogin.user.email or "")

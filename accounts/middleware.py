"""Sends HR staff and superusers to set up two-factor sign-in before anything else."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

# Pages a user must still reach while setting up two-factor sign-in.
ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "healthz",
    # Signing in again through the company's provider re-authenticates too.
    "openid_connect_login",
    "openid_connect_callback",
)


def user_requires_mfa(user) -> bool:
    if not settings.MFA_REQUIRED_FOR_STAFF or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.MFA_REQUIRED_GROUPS).exists()


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireStaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_mfa(self, request) -> bool:
        if request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return False
        if not user_requires_mfa(request.user) or user_has_mfa(request.user):
            return False
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return True
        return view_name not in ALLOWED_URL_NAMES

"""What happens when a sign-in address changes, by whatever path: HR's employee form,
the staff import, Wagtail's user and account pages, allauth's email page."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms.site_address import site_base_url

logger = logging.getLogger(__name__)

EMAIL_CHANGE_ACTION = "accounts.email_change"


def user_email_change_record(*, user, old_email: str, actor=None) -> None:
    """Record that ``user``'s sign-in address changed from ``old_email`` and tell that
    old address, once the change has committed.

    Who made the change is ``actor``, or else whoever the admin request belongs to
    (Wagtail's log context). The person's sessions end by themselves: the session hash
    covers the address (``User.get_session_auth_hash``), so every browser signed in
    under the old address is signed out at its next request.
    """
    changed_at = timezone.now()
    log(
        instance=user,
        action=EMAIL_CHANGE_ACTION,
        user=actor,
        data={"old_email": old_email, "new_email": user.email},
    )
    context = {
        "name": user.get_full_name() or old_email,
        "old_email": old_email,
        "new_email": user.email,
        "changed_at": timezone.localtime(changed_at),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "sign_in_url": site_base_url() + reverse("account_login"),
    }
    transaction.on_commit(lambda: _tell_old_address(old_email, context))


def _tell_old_address(old_email: str, context: dict) -> None:
    subject = " ".join(
        render_to_string("accounts/email/email_changed_subject.txt", context).split()
    )
    body = render_to_string("accounts/email/email_changed_body.txt", context)
    try:
        EmailMessage(subject, body, to=[old_email]).send()
    except Exception:
        # The change stands and is logged; a mail server that is down must not undo it
        # or turn the page that made it into an error.
        logger.exception("Could not tell %s that its sign-in address changed", old_email)

"""Accounts' subscriptions: a sign-in address changed, whichever page or command saved it."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.services import user_email_change_record


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.email_change")
def record_email_change(sender, instance, created, **kwargs):
    # A signal, not a call in each view: Wagtail's user and account pages and allauth's
    # email page change addresses too, and none of them is ours to edit.
    old_email = getattr(instance, "email_changed_from", None)
    if old_email and not created:
        instance.email_changed_from = None
        user_email_change_record(user=instance, old_email=old_email)

"""Receivers of Wagtail's page events; each calls one service."""

from cms.services import policy_version_record


def record_policy_version(sender, instance, revision=None, **kwargs):
    policy_version_record(page=instance, revision=revision)

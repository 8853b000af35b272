"""Receivers of Wagtail's page events; each calls one service."""

from courses.services import course_pin_policies


def pin_course_policies(sender, instance, **kwargs):
    course_pin_policies(course=instance)

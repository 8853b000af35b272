"""Receivers of Wagtail's page events and of policy versions; each calls one service."""

from wagtail.log_actions import get_active_log_context

from courses.scripts import scenario_script_current
from courses.services import course_pin_policies
from courses.update_list_services import (
    course_update_items_close_deleted,
    course_update_items_close_on_publish,
    course_update_items_record,
)


def pin_course_policies(sender, instance, **kwargs):
    course_pin_policies(course=instance)


def close_course_update_list(sender, instance, revision=None, **kwargs):
    # Wagtail's publish action runs inside a log context naming whoever published.
    user = get_active_log_context().user or getattr(revision, "user", None)
    course_update_items_close_on_publish(course=instance, user=user)


def record_course_update_items(sender, version, **kwargs):
    course_update_items_record(version=version)


def close_update_items_of_deleted_page(sender, instance, **kwargs):
    course_update_items_close_deleted(page_id=instance.pk)


def close_update_items_of_deleted_question(sender, instance, **kwargs):
    course_update_items_close_deleted(question_id=instance.pk)


def record_scenario_script(sender, instance, **kwargs):
    scenario_script_current(scenario=instance)

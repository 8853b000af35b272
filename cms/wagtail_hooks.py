"""Admin wiring for the policy library: its audit-log actions; the editor's rich text
fields named for screen readers."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_editor_js")
def name_rich_text_editors():
    return format_html('<script src="{}"></script>', static("js/admin-rich-text-names.js"))


@hooks.register("register_log_actions")
def register_policy_log_actions(actions):
    actions.register_action(
        "cms.policy_version", "Record policy version", "Policy version recorded"
    )
    actions.register_action(
        "cms.policy_acknowledge", "Acknowledge policy", "Policy version acknowledged"
    )

"""Admin wiring for the policy library: its audit-log actions; the editor's rich text
fields named for screen readers; moving a page asks first whether the person may."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from cms.admin_access import forbidden_response


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


@hooks.register("before_move_page")
def refuse_move_without_permission(request, page, destination):
    """Wagtail checks the move itself only when it is confirmed; someone who may not move
    the page there is refused at the confirmation page already."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        return forbidden_response(request)
    return None

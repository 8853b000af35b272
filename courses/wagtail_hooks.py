"""Admin wiring for courses: the update list's pages, the Courses to update report and
their log actions."""

from wagtail import hooks


@hooks.register("register_log_actions")
def register_course_log_actions(actions):
    actions.register_action(
        "courses.update_item_confirm",
        "Confirm an update list item",
        "Update list item confirmed still correct",
    )
    actions.register_action(
        "courses.published_with_open_items",
        "Publish with update list items open",
        "Published with update list items open",
    )

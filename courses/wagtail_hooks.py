"""Admin wiring for courses: the update list's pages, the Courses to update report and
their log actions."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses import admin_views


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


@hooks.register("register_admin_urls")
def register_update_list_urls():
    return [
        path(
            "reports/courses-to-update/",
            admin_views.courses_to_update_view,
            name="courses_to_update",
        ),
        path(
            "courses/<int:course_id>/update-list/",
            admin_views.course_update_list_view,
            name="courses_update_list",
        ),
        path(
            "courses/update-items/<int:item_id>/confirm/",
            admin_views.course_update_item_confirm_view,
            name="courses_update_item_confirm",
        ),
    ]


class CoursesToUpdateMenuItem(MenuItem):
    def is_shown(self, request):
        # Asked for each menu the admin draws on a page; the answer holds for the request.
        if not hasattr(request, "_can_edit_courses"):
            request._can_edit_courses = admin_views.user_can_edit_courses(request.user)
        return request._can_edit_courses


@hooks.register("register_reports_menu_item")
def register_courses_to_update_menu_item():
    return CoursesToUpdateMenuItem(
        "Courses to update",
        reverse("courses_to_update"),
        icon_name="doc-full-inverse",
        order=690,
    )

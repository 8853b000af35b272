"""The trainers' update lists in the admin: the Courses to update report, one course's
list, and the "Still correct" confirmation. Access follows page permissions: a trainer
sees and works the lists of the courses they may edit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.admin_access import forbidden_response
from courses.choices import UpdateItemKind
from courses.models import CourseIndexPage, CoursePage, CourseUpdateItem
from courses.update_list import course_update_list, courses_to_update
from courses.update_list_services import UpdateItemError, course_update_item_confirm


def courses_user_can_edit(user):
    """The courses whose pages ``user`` may edit."""
    pages = PagePermissionPolicy().instances_user_has_any_permission_for(user, {"change"})
    return CoursePage.objects.filter(pk__in=pages.values("pk"))


def user_can_edit_courses(user) -> bool:
    """Whether ``user`` may edit the course catalogue or any course in it."""
    pages = PagePermissionPolicy().instances_user_has_any_permission_for(user, {"change"})
    return pages.type(CourseIndexPage, CoursePage).exists()


def user_can_edit_course(user, course: Page) -> bool:
    return course.permissions_for_user(user).can_edit()


def courses_to_update_view(request):
    if not user_can_edit_courses(request.user):
        return forbidden_response(request)
    return TemplateResponse(
        request,
        "courses/admin/courses_to_update.html",
        {
            "page_title": "Courses to update",
            "lists": courses_to_update(courses=courses_user_can_edit(request.user)),
        },
    )


def course_update_list_view(request, course_id: int):
    course = get_object_or_404(CoursePage, pk=course_id)
    if not user_can_edit_course(request.user, course):
        return forbidden_response(request)
    return TemplateResponse(
        request,
        "courses/admin/course_update_list.html",
        {
            "page_title": f"Update list: {course.title}",
            "update_list": course_update_list(course=course),
        },
    )


@require_POST
def course_update_item_confirm_view(request, item_id: int):
    item = get_object_or_404(CourseUpdateItem.objects.select_related("course"), pk=item_id)
    if not user_can_edit_course(request.user, item.course):
        return forbidden_response(request)
    if item.kind == UpdateItemKind.QUESTION and not request.user.has_perm(
        "assessments.change_question"
    ):
        # Confirming a question saves a new revision of it: only for those who may edit it.
        return forbidden_response(request)
    try:
        course_update_item_confirm(item=item, user=request.user)
    except UpdateItemError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{item.title}” confirmed still correct.")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("courses_update_list", args=[item.course_id])
    return redirect(target)

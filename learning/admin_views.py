"""HR's admin pages that are not plain model listings: the staff CSV upload, and
assigning or withdrawing a course for many people at once."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cms.admin_access import forbidden_response
from learning.forms import AssignCourseForm, CourseForPeopleForm, StaffImportForm
from learning.services import (
    StaffFileError,
    assignments_create,
    assignments_withdraw,
    staff_import,
    staff_import_template,
)


def staff_import_view(request):
    if not request.user.has_perm("learning.import_staff"):
        return forbidden_response(request)
    result = None
    if request.method == "POST":
        form = StaffImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = staff_import(
                    data=form.cleaned_data["file"].read(),
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
                )
            except StaffFileError as exc:
                form.add_error("file", str(exc))
            else:
                if result.ok and not result.dry_run:
                    message = (
                        f"Staff import applied. {result.summary()} {result.assignments_summary()}"
                    )
                    if result.overdue:
                        messages.warning(request, message)
                    else:
                        messages.success(request, message)
                    return redirect("learning_staff_import")
    else:
        form = StaffImportForm()
    return TemplateResponse(
        request,
        "learning/admin/staff_import.html",
        {"form": form, "result": result, "page_title": "Import staff"},
    )


def staff_import_template_view(request):
    """A CSV with every column the import reads and one example row, to start from."""
    if not request.user.has_perm("learning.import_staff"):
        return forbidden_response(request)
    response = HttpResponse(staff_import_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-import-template.csv"'
    return response


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def assign_course_view(request):
    if not request.user.has_perm("learning.add_assignment"):
        return forbidden_response(request)
    form = AssignCourseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        chosen = form.selected_employees()
        course = form.cleaned_data["course"]
        created = assignments_create(
            employees=chosen,
            course=course,
            due_date=form.cleaned_data["due_date"],
            actor=request.user,
        )
        skipped = len(chosen) - len(created)
        message = f"{course.title} assigned to {_people(len(created))}."
        if skipped:
            message += f" {_people(skipped).capitalize()} already had it open."
        messages.success(request, message)
        return redirect("learning_assignments:index")
    return TemplateResponse(
        request,
        "learning/admin/course_for_people.html",
        {
            "form": form,
            "page_title": "Assign a course",
            "intro": (
                "Give a course to named people, to everyone in a group, or both. People "
                "who already have the course open keep their existing due date."
            ),
            "submit_label": "Assign",
        },
    )


def withdraw_course_view(request):
    if not request.user.has_perm("learning.delete_assignment"):
        return forbidden_response(request)
    form = CourseForPeopleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        course = form.cleaned_data["course"]
        count = assignments_withdraw(
            employees=form.selected_employees(), course=course, actor=request.user
        )
        messages.success(request, f"{course.title} withdrawn from {_people(count)}.")
        return redirect("learning_assignments:index")
    return TemplateResponse(
        request,
        "learning/admin/course_for_people.html",
        {
            "form": form,
            "page_title": "Withdraw a course",
            "intro": (
                "Take a course away from named people or from a whole group. Completed "
                "training stays in each person's record; only open assignments are removed."
            ),
            "submit_label": "Withdraw",
        },
    )

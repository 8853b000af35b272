"""Admin view for HR's staff CSV upload: check first, then apply."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cms.admin_access import forbidden_response
from learning.forms import StaffImportForm
from learning.services import StaffFileError, staff_import


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
                    messages.success(request, f"Staff import applied. {result.summary()}")
                    return redirect("learning_staff_import")
    else:
        form = StaffImportForm()
    return TemplateResponse(
        request,
        "learning/admin/staff_import.html",
        {"form": form, "result": result, "page_title": "Import staff"},
    )

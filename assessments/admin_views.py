"""The question bank's admin pages beyond plain listings: import (upload, preview,
confirm), export, and grading essays."""

import base64
import secrets

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from wagtail.log_actions import log

from assessments.choices import AttemptStatus
from assessments.exporting import export_gift, export_moodle_xml
from assessments.forms import EssayGradeForm, QuestionExportForm, QuestionImportForm
from assessments.gift import QuestionFileError
from assessments.models import Attempt, Question
from assessments.services import (
    QUESTION_FILE_FORMATS,
    AttemptConflict,
    attempt_grade_essays,
    question_file_read,
    questions_import,
    served_items,
)
from cms.admin_access import forbidden_response

_PENDING = "assessments.pending_import"


def question_import_view(request):
    """Step one uploads and previews (nothing saved); step two confirms with a token that
    names the upload kept in the session."""
    if not request.user.has_perm("assessments.add_question"):
        return forbidden_response(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)
    preview = token = None
    posted = request.method == "POST"
    form = QuestionImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            preview = question_file_read(
                data=data,
                file_format=form.cleaned_data["file_format"],
                bank_name=form.cleaned_data["bank"],
            )
        except QuestionFileError as exc:
            form.add_error("file", f"Nothing was imported: {exc}")
        else:
            token = secrets.token_urlsafe(16)
            request.session[_PENDING] = {
                "token": token,
                "data": base64.b64encode(data).decode(),
                "file_format": preview.file_format,
                "bank": preview.bank_name,
                "name": form.cleaned_data["file"].name,
            }
    return TemplateResponse(
        request,
        "assessments/admin/question_import.html",
        {"form": form, "preview": preview, "token": token, "formats": QUESTION_FILE_FORMATS},
    )


def _confirm_import(request):
    pending = request.session.get(_PENDING)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, "That preview has expired or was replaced; upload the file again.")
        return redirect("assessments_question_import")
    try:
        result = questions_import(
            data=base64.b64decode(pending["data"]),
            file_format=pending["file_format"],
            bank_name=pending["bank"],
            actor=request.user,
        )
    except QuestionFileError as exc:
        messages.error(request, f"Nothing was imported: {exc}")
        return redirect("assessments_question_import")
    del request.session[_PENDING]
    messages.success(request, f"{pending['name']} into {pending['bank']}: {result.summary}")
    return redirect("wagtailsnippets_assessments_question:list")


def question_export_view(request):
    if not request.user.has_perm("assessments.view_question"):
        return forbidden_response(request)
    form = QuestionExportForm(request.GET or None)
    if request.GET and not form.is_valid():
        return TemplateResponse(
            request, "assessments/admin/question_export.html", {"form": form}, status=400
        )
    if request.GET:
        bank = form.cleaned_data["bank"]
        questions = (
            Question.objects.filter(bank=bank)
            .select_related("bank")
            .prefetch_related("competencies")
            .order_by("category", "title")
        )
        if form.cleaned_data["file_format"] == "gift":
            content, extension, mime = export_gift(questions), "gift.txt", "text/plain"
        else:
            content, extension, mime = export_moodle_xml(questions), "xml", "application/xml"
        log(instance=bank, action="assessments.export", user=request.user)
        response = HttpResponse(content, content_type=f"{mime}; charset=utf-8")
        filename = f"{slugify(bank.name) or 'questions'}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return TemplateResponse(request, "assessments/admin/question_export.html", {"form": form})


def essay_queue_view(request):
    if not request.user.has_perm("assessments.change_attempt"):
        return forbidden_response(request)
    waiting = (
        Attempt.objects.filter(status=AttemptStatus.AWAITING_GRADING)
        .select_related("user", "assessment")
        .order_by("submitted_at")
    )
    return TemplateResponse(request, "assessments/admin/essay_queue.html", {"attempts": waiting})


def essay_grade_view(request, public_id):
    if not request.user.has_perm("assessments.change_attempt"):
        return forbidden_response(request)
    attempt = get_object_or_404(
        Attempt.objects.select_related("user", "assessment"), public_id=public_id
    )
    if attempt.status != AttemptStatus.AWAITING_GRADING:
        raise Http404("This attempt is not waiting for grading.")
    essays = [item for item in served_items(attempt) if item.kind == "essay"]
    forms = [
        (
            item,
            EssayGradeForm(
                request.POST if request.method == "POST" else None,
                rubric=item.block["rubric"],
                prefix=f"item{item.position}",
            ),
        )
        for item in essays
    ]
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        try:
            attempt = attempt_grade_essays(
                attempt=attempt,
                points={item.position: form.points() for item, form in forms},
                grader=request.user,
            )
        except (AttemptConflict, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Graded: {attempt.user} scored {attempt.percent:.0f}%.")
            return redirect("assessments_essay_queue")
    return TemplateResponse(
        request,
        "assessments/admin/essay_grade.html",
        {"attempt": attempt, "forms": forms},
        status=400 if request.method == "POST" else 200,
    )

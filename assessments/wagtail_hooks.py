"""Admin wiring for assessments: the question bank's viewsets, import and export, the
essay queue, item analysis, and their log actions."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from assessments import admin_views
from assessments.reports import ItemAnalysisView, SectionAnalysisView
from assessments.viewsets import QuestionBankViewSetGroup

register_snippet(QuestionBankViewSetGroup)


@hooks.register("register_admin_urls")
def register_question_bank_urls():
    return [
        path(
            "question-bank/import/",
            admin_views.question_import_view,
            name="assessments_question_import",
        ),
        path(
            "question-bank/export/",
            admin_views.question_export_view,
            name="assessments_question_export",
        ),
        path("question-bank/essays/", admin_views.essay_queue_view, name="assessments_essay_queue"),
        path(
            "reports/item-analysis/", ItemAnalysisView.as_view(), name="assessments_item_analysis"
        ),
        path(
            "reports/item-analysis/results/",
            ItemAnalysisView.as_view(results_only=True),
            name="assessments_item_analysis_results",
        ),
        path(
            "reports/section-analysis/",
            SectionAnalysisView.as_view(),
            name="assessments_section_analysis",
        ),
        path(
            "reports/section-analysis/results/",
            SectionAnalysisView.as_view(results_only=True),
            name="assessments_section_analysis_results",
        ),
        path(
            "question-bank/essays/<uuid:public_id>/",
            admin_views.essay_grade_view,
            name="assessments_essay_grade",
        ),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_question_import_menu_item():
    return PermissionMenuItem(
        "Import questions",
        reverse("assessments_question_import"),
        icon_name="upload",
        order=301,
        permission="assessments.add_question",
    )


@hooks.register("register_admin_menu_item")
def register_question_export_menu_item():
    return PermissionMenuItem(
        "Export questions",
        reverse("assessments_question_export"),
        icon_name="download",
        order=302,
        permission="assessments.view_question",
    )


@hooks.register("register_admin_menu_item")
def register_essay_queue_menu_item():
    return PermissionMenuItem(
        "Essays to grade",
        reverse("assessments_essay_queue"),
        icon_name="doc-full",
        order=303,
        permission="assessments.change_attempt",
    )


class ReportMenuItem(PermissionMenuItem):
    pass


@hooks.register("register_reports_menu_item")
def register_item_analysis_menu_item():
    return ReportMenuItem(
        "Item analysis",
        reverse("assessments_item_analysis"),
        icon_name="table",
        order=700,
        permission="assessments.change_question",
    )


@hooks.register("register_reports_menu_item")
def register_section_analysis_menu_item():
    return ReportMenuItem(
        "Results by policy section",
        reverse("assessments_section_analysis"),
        icon_name="table",
        order=701,
        permission="assessments.change_question",
    )


@hooks.register("register_log_actions")
def register_assessment_log_actions(actions):
    actions.register_action("assessments.export", "Export questions", "Questions exported")
    actions.register_action("assessments.grade", "Grade essays", "Essays graded")
    actions.register_action(
        "assessments.question_confirm",
        "Confirm for a policy version",
        "Confirmed still correct for the current policy version",
    )

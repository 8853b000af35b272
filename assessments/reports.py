"""Trainers' item analysis in the admin, per question and per policy section, exportable
as CSV or XLSX through Wagtail's report views."""

from dataclasses import dataclass

from django.urls import reverse
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from assessments.analysis import AnswerRow, item_statistics, section_statistics
from assessments.choices import AttemptStatus
from assessments.models import QUESTION_KINDS, AttemptItem, Question
from cms.admin_access import ForbiddenOnDenyMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from cms.models import PolicyPage

CHOICE_KINDS = {"single_choice", "multiple_response"}


@dataclass
class ItemRow:
    pk: int
    title: str
    kind: str
    attempts: int
    facility: str
    discrimination: str
    picks: str
    flags: str


@dataclass
class SectionRow:
    policy: str
    section_key: str
    questions: int
    answers: int
    facility: str


NOTHING = "\u2013"  # an en dash for an empty cell


def _percent(value) -> str:
    return NOTHING if value is None else f"{value:.0f}"


def _graded_rows():
    return AttemptItem.objects.filter(attempt__status=AttemptStatus.GRADED).values_list(
        "attempt_id", "question_id", "fraction", "answer", "kind", "policy_id", "section_keys"
    )


def item_analysis_rows() -> list[ItemRow]:
    """One row per question answered in a graded attempt; three queries in all."""
    raw = list(_graded_rows())
    rows = [AnswerRow(a, q, f or 0.0, answer, kind) for a, q, f, answer, kind, _, _ in raw]
    questions = Question.objects.in_bulk({row.question_id for row in rows})
    labels, wrong = {}, {}
    for pk, question in questions.items():
        if question.kind in CHOICE_KINDS:
            options = question.answer[0].value["options"]
            labels[pk] = [option["text"] for option in options]
            wrong[pk] = {i: o["text"] for i, o in enumerate(options) if o["credit"] <= 0}
        elif question.kind == "true_false":
            labels[pk] = ["False", "True"]
    result = []
    for stats in item_statistics(rows, wrong):
        question = questions.get(stats.question_id)
        names = labels.get(stats.question_id, [])
        picks = " · ".join(
            f"{name}: {stats.picks.get(index, 0)}" for index, name in enumerate(names)
        )
        result.append(
            ItemRow(
                pk=stats.question_id,
                title=question.title if question else "(deleted question)",
                kind=QUESTION_KINDS.get(stats.kind, stats.kind),
                attempts=stats.count,
                facility=_percent(stats.facility),
                discrimination=_percent(stats.discrimination),
                picks=picks or NOTHING,
                flags=" ".join(stats.flags) or NOTHING,
            )
        )
    return result


def section_analysis_rows() -> list[SectionRow]:
    raw = _graded_rows()
    stats = section_statistics(
        (policy_id, keys, question_id, fraction or 0.0)
        for _, question_id, fraction, _, _, policy_id, keys in raw
    )
    titles = dict(
        PolicyPage.objects.filter(pk__in={s.policy_id for s in stats}).values_list("pk", "title")
    )
    return [
        SectionRow(
            policy=titles.get(s.policy_id, "(deleted policy)"),
            section_key=s.section_key,
            questions=s.questions,
            answers=s.count,
            facility=_percent(s.facility),
        )
        for s in stats
    ]


class _AnalysisView(ForbiddenOnDenyMixin, FormulaSafeExportMixin, ReportView):
    header_icon = "table"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        # Answer keys and learners' answers: the people who write the questions.
        if not request.user.has_perm("assessments.change_question"):
            return forbidden_response(request)
        return super().dispatch(request, *args, **kwargs)


class ItemAnalysisView(_AnalysisView):
    page_title = "Item analysis"
    index_url_name = "assessments_item_analysis"
    index_results_url_name = "assessments_item_analysis_results"
    columns = [
        TitleColumn(
            "title",
            label="Question",
            get_url=lambda row: reverse("wagtailsnippets_assessments_question:edit", args=[row.pk]),
        ),
        Column("kind", label="Kind"),
        Column("attempts", label="Answers"),
        Column("facility", label="Facility %"),
        Column("discrimination", label="Discrimination"),
        Column("picks", label="Options picked"),
        Column("flags", label="Looks broken?"),
    ]
    list_export = ["title", "kind", "attempts", "facility", "discrimination", "picks", "flags"]
    export_headings = {
        "title": "Question",
        "kind": "Kind",
        "discrimination": "Discrimination",
        "attempts": "Answers",
        "facility": "Facility %",
        "picks": "Options picked",
        "flags": "Looks broken?",
    }

    def get_queryset(self):
        return item_analysis_rows()


class SectionAnalysisView(_AnalysisView):
    page_title = "Results by policy section"
    index_url_name = "assessments_section_analysis"
    index_results_url_name = "assessments_section_analysis_results"
    columns = [
        Column("policy", label="Policy"),
        Column("section_key", label="Section"),
        Column("questions", label="Questions"),
        Column("answers", label="Answers"),
        Column("facility", label="Facility %"),
    ]
    list_export = ["policy", "section_key", "questions", "answers", "facility"]
    export_headings = {"section_key": "Section", "facility": "Facility %"}

    def get_queryset(self):
        return section_analysis_rows()

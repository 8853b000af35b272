"""The question bank in the admin: assessments, questions, banks and competencies."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments.models import QUESTION_KINDS, Assessment, Competency, Question, QuestionBank
from cms.admin_access import ForbiddenOnDenyViewSetMixin


class QuestionFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(choices=list(QUESTION_KINDS.items()))

    class Meta:
        model = Question
        fields = ["bank", "kind", "competencies"]


class QuestionViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = "Questions"
    # "kind" shows through Question.get_kind_display: the editor's names, not block names.
    list_display = ["title", "bank", "category", "kind", "updated_at"]
    filterset_class = QuestionFilterSet
    search_fields = ["title", "category"]
    ordering = ["bank__name", "category", "title"]


class QuestionBankViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = "Banks"
    list_display = ["name", "description"]
    search_fields = ["name"]


class CompetencyViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = Competency
    icon = "tasks"
    menu_label = "Competencies"
    list_display = ["name", "key", "description"]
    search_fields = ["name", "key"]
    ordering = ["sort_order", "name"]


class AssessmentViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = Assessment
    icon = "form"
    menu_label = "Assessments"
    list_display = ["title", "mode", "pass_percent", "time_limit_minutes", "updated_at"]
    list_filter = ["mode"]
    search_fields = ["title"]


class QuestionBankViewSetGroup(SnippetViewSetGroup):
    menu_label = "Question bank"
    menu_icon = "help"
    menu_order = 300
    items = (AssessmentViewSet, QuestionViewSet, QuestionBankViewSet, CompetencyViewSet)

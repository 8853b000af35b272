"""The competency list in the admin, under Training content."""

from wagtail.snippets.views.snippets import SnippetViewSet

from assessments.models import Competency
from cms.admin_access import ForbiddenOnDenyViewSetMixin


class CompetencyViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = Competency
    icon = "tasks"
    menu_label = "Competencies"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "key", "description"]
    search_fields = ["name", "key"]
    ordering = ["sort_order", "name"]

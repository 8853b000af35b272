"""Admin wiring for assessments."""

from wagtail.snippets.models import register_snippet

from assessments.viewsets import CompetencyViewSet

register_snippet(CompetencyViewSet)

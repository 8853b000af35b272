"""Admin wiring for assessments."""

from wagtail.snippets.models import register_snippet

from assessments.viewsets import QuestionBankViewSetGroup

register_snippet(QuestionBankViewSetGroup)

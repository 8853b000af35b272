"""Editor panels that tell trainers what has changed under their course."""

from wagtail.admin.panels import HelpPanel

from courses.selectors import course_stale_quotes


class StaleQuotesPanel(HelpPanel):
    """Lists modules quoting policy sections that changed since the course was published."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/stale_quotes_panel.html")
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return "policy_changes"

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.stale = course_stale_quotes(course=self.instance) if self.instance.pk else []

        def is_shown(self):
            return bool(self.stale)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["stale"] = self.stale
            return context

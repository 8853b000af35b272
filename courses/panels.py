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


class UpdateListPanel(HelpPanel):
    """The course's update list after a material policy version: what to revise or
    confirm, with a "Still correct" button on each open item, and the box to tick to
    publish with items still open."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/update_list_panel.html")
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return "update_list"

    def get_form_options(self):
        # The form (CoursePageForm) declares the field; the panel renders it.
        return {"fields": ["publish_with_open_items"]}

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Imported here: courses.models builds this panel while it loads.
            from courses.update_list import course_update_list

            self.update_list = (
                course_update_list(course=self.instance) if self.instance.pk else None
            )

        def is_shown(self):
            return bool(
                self.update_list
                and (self.update_list.items or self.update_list.last_published_open)
            )

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["update_list"] = self.update_list
            context["publish_anyway"] = self.form["publish_with_open_items"]
            return context

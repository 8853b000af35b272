"""The policy editor's impact preview: what publishing the last saved draft would set in
motion. cms compares the draft with the current version itself; the apps above it say
what the change means for their records through the ``describe_policy_change`` hook."""

from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.panels import Panel
from wagtail.models import Revision

from cms.comparison import SectionStatus, policy_version_compare
from cms.versioning import policy_draft

# Each function registered for this hook is called as
#   fn(request=..., policy=<the PolicyPage as last saved>, current=<its current
#      PolicyVersion>, draft=<cms.versioning.PolicyDraft>, comparison=<PolicyComparison
#      of current and draft>)
# and returns HTML for the preview (a SafeString, already escaped), or None. It is only
# called for a policy with a published version whose draft differs from it.
DESCRIBE_POLICY_CHANGE = "describe_policy_change"


class PolicyImpactPanel(Panel):
    """Shown in the editor of a policy that has a published version: the sections the
    draft adds, removes and rewords, and what apps above cms report about the change."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Impact of this change")
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return "impact_preview"

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/policy_impact_panel.html"

        class Media:
            css = {"all": ["css/policy_impact.css"]}

        @cached_property
        def current(self):
            if not self.instance.pk:
                return None
            return self.instance.versions.newest_first().first()

        @cached_property
        def saved(self):
            """The draft as last saved. After a refused save the form has put the refused
            values on the instance; the preview never describes words nobody saved."""
            if self.form.is_bound:
                return self.instance.get_latest_revision_as_object()
            return self.instance

        def is_shown(self):
            return self.current is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page, current = self.saved, self.current
            draft = policy_draft(page=page, current=current)
            comparison = policy_version_compare(old=current, new=draft)
            same = draft.content_hash == current.content_hash
            touched = [change for change in comparison.sections if change.touched]
            context.update(
                current=current,
                draft=draft,
                comparison=comparison,
                same_content=same,
                added=[c for c in touched if c.status == SectionStatus.ADDED],
                removed=[c for c in touched if c.status == SectionStatus.REMOVED],
                reworded=[c for c in touched if c.status == SectionStatus.CHANGED],
                renamed_or_moved=[c for c in touched if c.status == SectionStatus.UNCHANGED],
                rewords_nothing=not comparison.changed_keys,
                revision=Revision.objects.select_related("user")
                .filter(pk=page.latest_revision_id)
                .first(),
                descriptions=[] if same else self._descriptions(page, current, draft, comparison),
            )
            return context

        def _descriptions(self, page, current, draft, comparison) -> list:
            described = (
                describe(
                    request=self.request,
                    policy=page,
                    current=current,
                    draft=draft,
                    comparison=comparison,
                )
                for describe in hooks.get_hooks(DESCRIBE_POLICY_CHANGE)
            )
            return [html for html in described if html]

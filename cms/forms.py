"""The policy editor's form: every publish says what kind of change it is."""

from wagtail.admin.forms import WagtailAdminPageForm

from cms.choices import ChangeKind

INTENT_FIELDS = ("change_kind", "change_summary", "recertification_days")


class PolicyPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk and page.live and not page.has_unpublished_changes:
            # The last publish's kind and summary describe that change, not the next one.
            for name in INTENT_FIELDS:
                self.initial[name] = None

    @property
    def is_publishing(self) -> bool:
        return "action-publish" in self.data or "action-submit" in self.data

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("change_kind")
        has_versions = bool(self.instance.pk) and self.instance.versions.exists()
        if self.is_publishing and has_versions and not kind:
            self.add_error(
                "change_kind",
                "Say whether this is an editorial change (wording only) or a material change "
                "(obligations changed) before publishing.",
            )
        if kind == ChangeKind.MATERIAL:
            if not (cleaned.get("change_summary") or "").strip():
                self.add_error(
                    "change_summary",
                    "A material change needs a summary: staff read it when they recertify.",
                )
            days = cleaned.get("recertification_days")
            if days is None or days < 1:
                self.add_error(
                    "recertification_days",
                    "A material change needs a recertification window of at least one day.",
                )
        return cleaned

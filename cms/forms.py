"""The policy editor's form: every publish says what kind of change it is."""

from django.utils import timezone
from django.utils.dateformat import format as date_format
from wagtail.admin.forms import WagtailAdminPageForm

from cms.choices import ChangeKind

# What a trainer says about the next publish. The last publish's answers describe that
# change, not the next one, so the editor opens with them blank once it is live.
INTENT_FIELDS = ("change_kind", "change_summary", "recertification_days", "effective_on")


class PolicyPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk and page.live and not page.has_unpublished_changes:
            for name in INTENT_FIELDS:
                self.initial[name] = None
        self._drop_a_passed_date()

    def _drop_a_passed_date(self):
        # A draft saved with a day that has since passed would otherwise be refused on
        # every publish until someone noticed the date; show it, and start from blank.
        saved = self.initial.get("effective_on")
        if saved and not self.is_bound and saved < timezone.localdate():
            self.initial["effective_on"] = None
            field = self.fields["effective_on"]
            field.help_text = (
                f"This draft was saved to take effect on {date_format(saved, 'j M Y')}, "
                f"which has passed. {field.help_text}"
            )

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
        self._clean_effective_on(cleaned, kind)
        return cleaned

    def _clean_effective_on(self, cleaned, kind):
        effective_on = cleaned.get("effective_on")
        if effective_on is None:
            return
        today = timezone.localdate()
        if effective_on < today:
            self.add_error(
                "effective_on",
                f"{date_format(effective_on, 'j M Y')} has passed: a change cannot take "
                "effect in the past. Choose today or a later day, or leave it blank for the "
                "day it is published.",
            )
        elif kind == ChangeKind.EDITORIAL and effective_on > today:
            self.add_error(
                "effective_on",
                "An editorial change takes effect when it is published. Leave the date "
                "blank, or make this a material change to set a later day.",
            )

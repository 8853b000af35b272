"""The rich text editor every editor in the admin uses: Wagtail's Draftail, refusing a
posted value that is not the editor's own content format instead of failing on it."""

from wagtail.admin.rich_text import DraftailRichTextArea


class CheckedDraftailRichTextArea(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, KeyError, AttributeError):
            # Not Draftail's JSON (no browser of ours sends that): read as blank, so a
            # required field says so and an optional one stays empty.
            return None

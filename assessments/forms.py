"""Forms behind the question bank's admin pages."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from assessments.models import QuestionBank
from assessments.services import QUESTION_FILE_FORMATS


def _format_choices():
    return [(key, label) for key, (label, _) in QUESTION_FILE_FORMATS.items()]


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label="Question file",
        help_text="A GIFT (.txt, .gift) or Moodle XML (.xml) export, in UTF-8.",
    )
    file_format = forms.ChoiceField(label="Format", choices=_format_choices)
    bank = forms.CharField(
        label="Into the bank",
        max_length=120,
        help_text="An existing bank's name, or a new name to create one.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.QUESTION_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.QUESTION_IMPORT_MAX_BYTES)}."
            )
        # No question file holds a NUL byte, and no database text column takes one.
        if b"\x00" in upload.read():
            raise forms.ValidationError(
                "The file holds a NUL character, so it is not a GIFT or XML text file."
            )
        upload.seek(0)
        return upload

    def clean_bank(self):
        name = self.cleaned_data["bank"].strip()
        if not name:
            raise forms.ValidationError("Name the bank the questions go into.")
        return name


class QuestionExportForm(forms.Form):
    bank = forms.ModelChoiceField(queryset=QuestionBank.objects.all(), label="Bank")
    file_format = forms.ChoiceField(label="Format", choices=_format_choices)


class EssayGradeForm(forms.Form):
    """Points for each rubric criterion of one essay answer."""

    def __init__(self, *args, rubric, prefix, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        for index, criterion in enumerate(rubric):
            self.fields[f"criterion_{index}"] = forms.IntegerField(
                label=f"{criterion['criterion']} (out of {criterion['points']})",
                min_value=0,
                max_value=criterion["points"],
            )

    def points(self) -> list[int]:
        return [self.cleaned_data[name] for name in self.fields]

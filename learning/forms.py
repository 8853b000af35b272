"""Forms for HR: editing an employee with their account, and uploading a staff CSV."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from wagtail.admin.forms import WagtailAdminModelForm

from learning.models import Employee

User = get_user_model()


class EmployeeForm(WagtailAdminModelForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="Staff sign in with this address.")

    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "email",
            "employee_number",
            "department",
            "job_role",
            "location",
            "manager",
            "hire_date",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            user = self.instance.user
            self.initial.update(
                first_name=user.first_name, last_name=user.last_name, email=user.email
            )
            self.fields["manager"].queryset = Employee.objects.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = self.fields["manager"].queryset.select_related("user")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        clash = Employee.objects.filter(user__email=email)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another employee already uses this email address.")
        if self.instance.pk:
            other_user = User.objects.filter(email=email).exclude(pk=self.instance.user_id)
            if other_user.exists():
                raise forms.ValidationError("Another account already uses this email address.")
        return email


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Staff CSV file",
        help_text=(
            "Columns: employee_number, first_name, last_name, email, and optionally department, "
            "job_role, location, manager_employee_number, hire_date (YYYY-MM-DD), active (yes/no)."
        ),
    )
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Check only (write nothing)",
        help_text="Untick to apply the changes once the check passes.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.STAFF_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.STAFF_IMPORT_MAX_BYTES)}."
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Upload a .csv file exported from your HR system.")
        return upload

"""Forms for HR: employees and their accounts, the staff CSV upload, assignments."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from courses.models import CoursePage
from learning.account_guard import employee_account_refusal
from learning.models import Assignment, AssignmentRule, Department, Employee, JobRole, Location

User = get_user_model()


class EmployeeForm(WagtailAdminModelForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(
        max_length=User._meta.get_field("email").max_length,
        help_text="Staff sign in with this address.",
    )

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

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and "active" in cleaned:
            refusal = employee_account_refusal(
                actor=self.for_user,
                employee=self.instance,
                email=cleaned["email"],
                active=cleaned["active"],
            )
            if refusal:
                kept = self.instance.pk and cleaned["email"] == self.instance.user.email
                self.add_error("active" if kept else "email", refusal)
        return cleaned


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


class AssignmentRuleForm(WagtailAdminModelForm):
    class Meta:
        model = AssignmentRule
        fields = ["course", "department", "job_role", "location"]
        help_texts = {
            "department": "Leave all three empty to assign the course to every active employee.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        if course is None:
            return cleaned
        same = AssignmentRule.objects.filter(
            course=course,
            department=cleaned.get("department"),
            job_role=cleaned.get("job_role"),
            location=cleaned.get("location"),
        )
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError("An identical rule for this course already exists.")
        return cleaned


def _not_in_past(due):
    if due is not None and due < timezone.localdate():
        raise forms.ValidationError("The due date cannot be in the past.")
    return due


class AssignmentDueDateForm(WagtailAdminModelForm):
    class Meta:
        model = Assignment
        fields = ["due_date"]

    def clean_due_date(self):
        return _not_in_past(self.cleaned_data["due_date"])


class CourseForPeopleForm(forms.Form):
    """A course and the people it concerns: named people, whole groups, or both."""

    course = forms.ModelChoiceField(queryset=CoursePage.objects.none())
    employees = forms.ModelMultipleChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        label="People",
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="Hold Ctrl (Cmd on a Mac) to pick several people.",
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, label="Everyone in department"
    )
    job_role = forms.ModelChoiceField(
        queryset=JobRole.objects.all(), required=False, label="Everyone with job role"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.all(), required=False, label="Everyone at location"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["employees"].queryset = (
            Employee.objects.active()
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("employees")
            or cleaned.get("department")
            or cleaned.get("job_role")
            or cleaned.get("location")
        ):
            raise forms.ValidationError(
                "Pick at least one person, department, job role or location."
            )
        return cleaned

    def selected_employees(self) -> list[Employee]:
        """The named people plus everyone matching all of the group fields filled in."""
        data = self.cleaned_data
        chosen = {e.pk: e for e in data["employees"]}
        group = {key: data[key] for key in ("department", "job_role", "location") if data.get(key)}
        if group:
            for employee in Employee.objects.active().select_related("user").filter(**group):
                chosen.setdefault(employee.pk, employee)
        return list(chosen.values())


class AssignCourseForm(CourseForPeopleForm):
    due_date = forms.DateField(
        required=False,
        widget=AdminDateInput,
        help_text="Leave empty to use the course's own due period.",
    )

    def clean_due_date(self):
        return _not_in_past(self.cleaned_data["due_date"])


class CertificateReasonForm(forms.Form):
    """Why HR revokes or reissues a certificate."""

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the certificate and in its history; only HR sees it.",
    )

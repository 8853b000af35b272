"""HR's compliance reports in the Wagtail admin: the compliance matrix (people by
required courses), its totals, its twelve-month chart and its exports."""

import hashlib

import django_filters
from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.reports import ReportView

from cms.admin_access import ForbiddenOnDenyMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from cms.models import PolicyPage
from courses.models import CoursePage
from learning.charts import line_chart
from learning.choices import ComplianceStatus
from learning.compliance import (
    EXPIRING_WITHIN_DAYS,
    compliance_history,
    compliance_totals,
    employees_with_status,
    matrix_columns,
    matrix_rows,
    team_member_ids,
)
from learning.models import Department, Employee, JobRole, Location
from learning.report_mixins import (
    LoggedExportMixin,
    UnknownFiltersIgnoredMixin,
    filter_by_person_words,
)

SUMMARY_CACHE_SECONDS = 5 * 60
PERMISSION = "learning.view_compliance"

STATUS_HELP = {
    ComplianceStatus.CURRENT: "Certified on the versions the course teaches now.",
    ComplianceStatus.EXPIRING: f"Certified, but the certificate expires within "
    f"{EXPIRING_WITHIN_DAYS} days.",
    ComplianceStatus.OLDER_VERSION: "Certified on an older policy version; recertification "
    "is due by the date shown. Still valid until then.",
    ComplianceStatus.OVERDUE: "Assigned and past its due date without a valid certificate.",
    ComplianceStatus.EXPIRED: "The certificate lapsed and has not been renewed.",
    ComplianceStatus.IN_PROGRESS: "Assigned, started and not yet due.",
    ComplianceStatus.REVOKED: "A certificate was revoked and the course has not been assigned "
    "again; revoking assigns nothing, so HR assigns it again if it is still needed.",
    ComplianceStatus.NOT_STARTED: "Assigned and not started.",
    ComplianceStatus.NOT_REQUIRED: "Never assigned to this person.",
}


def managers_queryset():
    return (
        Employee.objects.filter(reports__isnull=False)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name")
    )


class ComplianceFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())
    location = django_filters.ModelChoiceFilter(queryset=Location.objects.all())
    job_role = django_filters.ModelChoiceFilter(queryset=JobRole.objects.all(), label="Job role")
    manager = django_filters.ModelChoiceFilter(
        queryset=managers_queryset(),
        method="filter_manager",
        label="Manager (whole team)",
    )
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.live().order_by("title"), method="keep", label="Course"
    )
    policy = django_filters.ModelChoiceFilter(
        queryset=PolicyPage.objects.live().order_by("title"), method="keep", label="Policy"
    )
    status = django_filters.ChoiceFilter(
        choices=ComplianceStatus.choices, method="keep", label="Has a course in status"
    )

    class Meta:
        model = Employee
        fields = ["department", "location", "job_role", "manager"]

    def filter_manager(self, queryset, name, value):
        return queryset.filter(pk__in=team_member_ids(value))

    def keep(self, queryset, name, value):
        """Course, policy and status choose columns and cells; the view applies them."""
        return queryset


class ComplianceReportView(
    ForbiddenOnDenyMixin,
    UnknownFiltersIgnoredMixin,
    LoggedExportMixin,
    FormulaSafeExportMixin,
    ReportView,
):
    page_title = "Compliance"
    header_icon = "tasks"
    index_url_name = "learning_compliance"
    index_results_url_name = "learning_compliance_results"
    template_name = "learning/reports/compliance.html"
    results_template_name = "learning/reports/compliance_results.html"
    filterset_class = ComplianceFilterSet
    is_searchable = True
    search_backend_name = None
    paginate_by = 50
    export_filename = "compliance"
    export_log_name = "compliance"
    columns = []

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return forbidden_response(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def course_columns(self):
        course, policy = self.chosen("course"), self.chosen("policy")
        return matrix_columns(
            course_id=course.pk if course else None, policy_id=policy.pk if policy else None
        )

    def get_base_queryset(self):
        return (
            Employee.objects.active()
            .with_org()
            .order_by("user__last_name", "user__first_name", "employee_number")
        )

    def search_queryset(self, queryset):
        """Every word must match the first name, last name, email or employee number."""
        if not self.is_searching:
            return queryset
        return filter_by_person_words(queryset, self.search_query, employee="")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.chosen("status")
        if status:
            queryset = employees_with_status(
                queryset,
                status=status,
                course_ids=[column.pk for column in self.course_columns],
                today=self.today,
            )
        return queryset

    # --- page -----------------------------------------------------------------------

    def decorate_paginated_queryset(self, object_list):
        return matrix_rows(list(object_list), self.course_columns, today=self.today)

    def _summary(self, employees, course_ids):
        """Totals and the chart's twelve month-ends. Both read every filtered person, so
        they are cached for a few minutes per filter choice: a page of the matrix costs
        the same for 500 people as for 5,000."""
        params = sorted(
            (k, v) for k, v in self.request.GET.items() if k not in ("p", "export", "ordering")
        )
        digest = hashlib.sha256(repr((self.today, course_ids, params)).encode()).hexdigest()
        key = f"compliance-summary:{digest}"
        summary = cache.get(key)
        if summary is None:
            summary = (
                compliance_totals(employees, course_ids=course_ids, today=self.today),
                compliance_history(employees, course_ids=course_ids, today=self.today),
                timezone.localtime(),
            )
            cache.set(key, summary, SUMMARY_CACHE_SECONDS)
        return summary

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        course_ids = [column.pk for column in self.course_columns]
        context["course_columns"] = self.course_columns
        context["today"] = self.today
        context["legend"] = [(status, STATUS_HELP[status]) for status in ComplianceStatus]
        totals, (days, series), computed_at = self._summary(self.object_list, course_ids)
        context["totals"] = totals
        context["totals_as_of"] = computed_at
        context["summary_minutes"] = SUMMARY_CACHE_SECONDS // 60
        context["column_totals"] = [totals.by_course[pk] for pk in course_ids]
        context["chart"] = line_chart(
            days=days, series=series, title="Compliance by department, last 12 months"
        )
        context["chart_rows"] = list(series.items())
        context["chart_days"] = days
        return context

    # --- export ---------------------------------------------------------------------

    PEOPLE_FIELDS = {
        "employee_number": "Employee number",
        "name": "Name",
        "email": "Email",
        "department": "Department",
        "location": "Location",
        "job_role": "Job role",
        "manager": "Manager",
    }

    @property
    def list_export(self):
        return [*self.PEOPLE_FIELDS, *(f"course_{c.pk}" for c in self.course_columns)]

    @property
    def export_headings(self):
        return {
            **self.PEOPLE_FIELDS,
            **{f"course_{c.pk}": c.course.title for c in self.course_columns},
        }

    def to_row_dict(self, item):
        employee = item.employee
        row = {
            "employee_number": employee.employee_number,
            "name": employee.full_name,
            "email": employee.email,
            "department": str(employee.department or ""),
            "location": str(employee.location or ""),
            "job_role": str(employee.job_role or ""),
            "manager": employee.manager.full_name if employee.manager else "",
        }
        for column, cell in zip(self.course_columns, item.cells, strict=True):
            row[f"course_{column.pk}"] = cell.text
        return row

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.export(request.GET["export"])
        return super().get(request, *args, **kwargs)

    def export(self, spreadsheet_format):
        """Every row of the filtered, searched matrix, a chunk of people at a time."""
        self.export_ids = list(self.get_queryset().values_list("pk", flat=True))
        return self.as_spreadsheet(self._rows_for(self.export_ids), spreadsheet_format)

    def export_log_data(self) -> dict:
        return {"people": len(self.export_ids)}

    def _rows_for(self, ids, chunk=500):
        for start in range(0, len(ids), chunk):
            batch = Employee.objects.with_org().in_bulk(ids[start : start + chunk])
            yield from matrix_rows(
                [batch[pk] for pk in ids[start : start + chunk]],
                self.course_columns,
                today=self.today,
            )

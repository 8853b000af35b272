"""Wagtail admin viewsets through which HR manages people, the organisation and who
has which training."""

import django_filters
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import Button, HeaderButton, ListingButton

from cms.admin_access import ForbiddenOnDenyViewSetMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from learning import admin_views
from learning.certificate_admin import URL_PREFIX, CertificateViewSet
from learning.choices import AssignmentStatus
from learning.forms import AssignmentDueDateForm, AssignmentRuleForm, EmployeeForm
from learning.models import Assignment, AssignmentRule, Department, Employee, JobRole, Location
from learning.report_mixins import LoggedExportMixin
from learning.selectors import rule_match_counts
from learning.services import assignment_delete, assignment_rule_save, employee_save

# Who may open an employee's training record (HR); see learning/evidence_admin.py.
RECORD_PERMISSION = "learning.view_compliance"


class EmployeeSaveMixin:
    def save_instance(self):
        data = self.form.cleaned_data
        return employee_save(
            employee=self.form.instance,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            actor=self.request.user,
        )


class EmployeeCreateView(EmployeeSaveMixin, generic.CreateView):
    pass


class EmployeeEditView(EmployeeSaveMixin, generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.request.user.has_perm(RECORD_PERMISSION):
            buttons.append(
                Button(
                    "Training record",
                    url=reverse("learning_employee_record", args=[self.object.pk]),
                    icon_name="doc-full",
                    priority=5,
                )
            )
        return buttons


class EmployeeIndexView(LoggedExportMixin, FormulaSafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().with_org()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm(RECORD_PERMISSION):
            buttons.append(
                ListingButton(
                    "Training record",
                    url=reverse("learning_employee_record", args=[instance.pk]),
                    icon_name="doc-full",
                    priority=15,
                )
            )
        return buttons


class EmployeeViewSet(ForbiddenOnDenyViewSetMixin, ModelViewSet):
    model = Employee
    icon = "user"
    menu_label = "Employees"
    add_to_admin_menu = False
    index_view_class = EmployeeIndexView
    add_view_class = EmployeeCreateView
    edit_view_class = EmployeeEditView
    search_fields = ["employee_number", "user__first_name", "user__last_name", "user__email"]
    search_backend_name = None
    list_filter = ["department", "job_role", "location", "active"]
    list_display = [
        "full_name",
        "employee_number",
        Column("department", label="Department"),
        Column("job_role", label="Job role"),
        Column("location", label="Location"),
        Column("manager", label="Manager"),
        "active",
    ]
    list_export = [
        "employee_number",
        "full_name",
        "email",
        "department",
        "job_role",
        "location",
        "manager",
        "hire_date",
        "active",
    ]
    export_filename = "employees"
    ordering = ["user__last_name", "user__first_name"]

    def get_form_class(self, for_update=False):
        return EmployeeForm


class OrgUnitIndexView(LoggedExportMixin, FormulaSafeExportMixin, generic.IndexView):
    pass


class OrgUnitViewSet(ForbiddenOnDenyViewSetMixin, ModelViewSet):
    index_view_class = OrgUnitIndexView
    form_fields = ["name"]
    search_fields = ["name"]
    search_backend_name = None
    list_display = ["name"]
    list_export = ["name"]
    add_to_admin_menu = False


class PeopleViewSetGroup(ModelViewSetGroup):
    menu_label = "People"
    menu_icon = "group"
    menu_order = 300
    items = (
        EmployeeViewSet("employees"),
        OrgUnitViewSet("departments", model=Department, icon="folder-open-inverse"),
        OrgUnitViewSet("job_roles", model=JobRole, icon="tag"),
        OrgUnitViewSet("locations", model=Location, icon="site"),
    )


# --- training: assignment rules and assignments ----------------------------------------


class AssignmentRuleSaveMixin:
    """Saving a rule assigns its course straight away; the message says to how many."""

    def save_instance(self):
        self.assigned_count = assignment_rule_save(rule=self.form.instance, actor=self.request.user)
        return self.form.instance

    def get_success_message(self, *args):
        rule = self.form.instance
        matched = rule.matching_employees().count()
        people = "person" if matched == 1 else "people"
        return (
            f"Rule “{rule}” saved. It matches {matched} active {people}; "
            f"{self.assigned_count} new assignment{'' if self.assigned_count == 1 else 's'}."
        )


class AssignmentRuleCreateView(AssignmentRuleSaveMixin, generic.CreateView):
    pass


class AssignmentRuleEditView(AssignmentRuleSaveMixin, generic.EditView):
    pass


class AssignmentRuleIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("course", "department", "job_role", "location")
        )

    def get_table(self, object_list):
        rules = list(object_list)
        counts = rule_match_counts(rules)
        for rule in rules:
            rule.matched_count = counts[rule.pk]
        return super().get_table(rules)


class AssignmentRuleViewSet(ForbiddenOnDenyViewSetMixin, ModelViewSet):
    model = AssignmentRule
    icon = "list-ul"
    menu_label = "Assignment rules"
    add_to_admin_menu = False
    form_class = AssignmentRuleForm
    index_view_class = AssignmentRuleIndexView
    add_view_class = AssignmentRuleCreateView
    edit_view_class = AssignmentRuleEditView
    list_display = [
        Column("course", label="Course"),
        Column("department", label="Department"),
        Column("job_role", label="Job role"),
        Column("location", label="Location"),
        Column("matched_count", label="Active people matched"),
    ]
    list_filter = ["course"]

    def get_form_class(self, for_update=False):
        return AssignmentRuleForm


class AssignmentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=AssignmentStatus.choices, method="filter_status", label="Status"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), field_name="employee__department", label="Department"
    )

    class Meta:
        model = Assignment
        fields = ["course", "reason"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value, today=timezone.localdate())


class AssignmentIndexView(LoggedExportMixin, FormulaSafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("employee__user", "course")

    @cached_property
    def header_buttons(self):
        buttons = []
        if self.request.user.has_perm("learning.add_assignment"):
            buttons.append(
                HeaderButton(
                    "Assign a course", url=reverse("learning_assignments:add"), icon_name="plus"
                )
            )
        if self.request.user.has_perm("learning.delete_assignment"):
            buttons.append(
                HeaderButton(
                    "Withdraw a course",
                    url=reverse("learning_assignments:withdraw"),
                    icon_name="minus",
                )
            )
        return buttons


class AssignmentDeleteView(generic.DeleteView):
    def delete_action(self):
        assignment_delete(assignment=self.object, actor=self.request.user)

    def get_success_message(self):
        return f"{self.object.course.title} withdrawn from {self.object.employee.full_name}."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("learning.delete_assignment"):
            return forbidden_response(request)
        self.object = self.get_object()
        if self.object.completed_at:
            messages.error(
                request, "A completed assignment is part of the training record and stays."
            )
            return redirect("learning_assignments:index")
        return super().dispatch(request, *args, **kwargs)


class AssignmentViewSet(ForbiddenOnDenyViewSetMixin, ModelViewSet):
    model = Assignment
    icon = "calendar-check"
    menu_label = "Assignments"
    add_to_admin_menu = False
    index_view_class = AssignmentIndexView
    delete_view_class = AssignmentDeleteView
    filterset_class = AssignmentFilterSet
    search_fields = ["employee__user__first_name", "employee__user__last_name", "course__title"]
    search_backend_name = None
    list_display = [
        Column("employee", label="Employee"),
        Column("course", label="Course"),
        Column("get_reason_display", label="Reason"),
        Column("due_date", label="Due"),
        Column("status_label", label="Status"),
    ]
    list_export = [
        "employee",
        "course",
        "get_reason_display",
        "assigned_at",
        "due_date",
        "started_at",
        "completed_at",
        "status_label",
    ]
    export_headings = {"get_reason_display": "Reason", "status_label": "Status"}
    export_filename = "assignments"

    def get_form_class(self, for_update=False):
        return AssignmentDueDateForm

    @property
    def add_view(self):
        # Adding is HR's assign form: one course for named people and whole groups.
        return admin_views.assign_course_view

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("withdraw/", admin_views.withdraw_course_view, name="withdraw"),
        ]


class TrainingViewSetGroup(ModelViewSetGroup):
    menu_label = "Training"
    menu_icon = "calendar-check"
    menu_order = 310
    items = (
        AssignmentViewSet("learning_assignments"),
        AssignmentRuleViewSet("learning_assignment_rules"),
        CertificateViewSet(URL_PREFIX),
    )

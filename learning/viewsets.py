"""Wagtail admin viewsets through which HR manages people and the organisation."""

from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from cms.admin_access import ForbiddenOnDenyViewSetMixin
from cms.exports import FormulaSafeExportMixin
from learning.forms import EmployeeForm
from learning.models import Department, Employee, JobRole, Location
from learning.services import employee_save


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
    pass


class EmployeeIndexView(FormulaSafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().with_org()


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


class OrgUnitIndexView(FormulaSafeExportMixin, generic.IndexView):
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

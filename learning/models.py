"""People and the organisation: employees, departments, job roles and locations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


class NamedOrgUnit(models.Model):
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [
            models.UniqueConstraint(Lower("name"), name="department_name_unique_ci"),
        ]


class JobRole(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        verbose_name = "job role"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="jobrole_name_unique_ci"),
        ]


class Location(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [
            models.UniqueConstraint(Lower("name"), name="location_name_unique_ci"),
        ]


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_org(self):
        return self.select_related("user", "department", "job_role", "location", "manager__user")


class Employee(models.Model):
    """A member of staff: the HR side of a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee"
    )
    employee_number = models.CharField(
        max_length=40,
        unique=True,
        help_text="The identifier from your HR system; imports match people on it.",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    job_role = models.ForeignKey(
        JobRole, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hire_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(
        default=True,
        help_text="Inactive staff cannot sign in and are left out of assignments and reports.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "employee_number"]
        permissions = [("import_staff", "Can import staff from a CSV file")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def email(self) -> str:
        return self.user.email

    def clean(self):
        if self.manager_id and self.manager_id == self.pk:
            raise ValidationError({"manager": "Someone cannot be their own manager."})
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError(
                    {"manager": "This manager would create a loop in the reporting line."}
                )
            seen.add(boss.pk)
            boss = boss.manager

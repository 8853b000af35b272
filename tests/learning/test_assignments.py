"""Assignments: rules, onboarding, HR assigning and withdrawing, and who may do it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from learning.choices import AssignmentReason
from learning.models import Assignment, AssignmentRule, Employee
from learning.services import (
    assignment_rule_save,
    assignments_apply_rules,
    employee_save,
    staff_import,
)
from tests.courses.factories import make_course
from tests.learning.factories import (
    DepartmentFactory,
    EmployeeFactory,
    JobRoleFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def new_person(number, *, hired_days_ago=None, **org):
    employee = Employee(
        employee_number=number,
        hire_date=today() - datetime.timedelta(days=hired_days_ago)
        if hired_days_ago is not None
        else None,
        **org,
    )
    return employee_save(
        employee=employee, email=f"{number.lower()}@example.com", first_name="Sam", last_name=number
    )


def courses_of(employee):
    return sorted((a.course.title, a.reason) for a in Assignment.objects.filter(employee=employee))


@pytest.fixture
def agents():
    return JobRoleFactory(name="Customer Service Agent")


@pytest.fixture
def complaints():
    return make_course("Complaint Handling", default_due_days=21)


def test_a_rule_assigns_its_course_to_everyone_it_matches_once(agents, complaints):
    matching = [EmployeeFactory(job_role=agents) for _ in range(3)]
    other = EmployeeFactory()
    inactive = EmployeeFactory(job_role=agents, active=False)

    created = assignment_rule_save(rule=AssignmentRule(course=complaints, job_role=agents))
    assert created == 3
    assert assignments_apply_rules() == 0, "applying the rules again creates nothing"
    assert assignment_rule_save(rule=AssignmentRule.objects.get()) == 0

    assigned = set(Assignment.objects.values_list("employee_id", flat=True))
    assert assigned == {e.pk for e in matching}
    assert other.pk not in assigned and inactive.pk not in assigned
    assignment = Assignment.objects.first()
    assert assignment.reason == AssignmentReason.RULE
    assert assignment.due_date == today() + datetime.timedelta(days=21)


def test_rules_match_on_every_criterion_they_name(agents, complaints):
    support = DepartmentFactory(name="Support")
    both = EmployeeFactory(job_role=agents, department=support)
    EmployeeFactory(job_role=agents)
    EmployeeFactory(department=support)
    assignment_rule_save(
        rule=AssignmentRule(course=complaints, job_role=agents, department=support)
    )
    assert list(Assignment.objects.values_list("employee_id", flat=True)) == [both.pk]


def test_a_new_hire_gets_onboarding_due_from_their_hire_date():
    essentials = make_course("Essentials", is_onboarding=True, onboarding_due_days=14)
    hire = new_person("N-1", hired_days_ago=3)
    veteran = new_person("N-2", hired_days_ago=900)
    unknown = new_person("N-3")

    assignment = Assignment.objects.get(employee=hire)
    assert (assignment.course_id, assignment.reason) == (essentials.pk, "onboarding")
    assert assignment.due_date == hire.hire_date + datetime.timedelta(days=14)
    assert courses_of(veteran) == [] and courses_of(unknown) == []


def test_moving_to_another_role_applies_that_roles_rules(agents, complaints):
    assignment_rule_save(rule=AssignmentRule(course=complaints, job_role=agents))
    person = new_person("M-1", hired_days_ago=400)
    assert courses_of(person) == []

    person.job_role = agents
    employee_save(employee=person, email=person.user.email, first_name="Sam", last_name="M-1")
    assert courses_of(person) == [("Complaint Handling", "rule")]


def test_imported_staff_get_their_rules_and_onboarding(agents, complaints):
    make_course("Essentials", is_onboarding=True)
    assignment_rule_save(rule=AssignmentRule(course=complaints, job_role=agents))
    hired = today().isoformat()
    data = (
        "employee_number,first_name,last_name,email,job_role,hire_date\n"
        f"I-1,Ada,Quinn,ada@example.com,Customer Service Agent,{hired}\n"
        "I-2,Ben,Rowe,ben@example.com,Warehouse,2019-01-07\n"
    ).encode()
    assert staff_import(data=data).ok
    assert courses_of(Employee.objects.get(employee_number="I-1")) == [
        ("Complaint Handling", "rule"),
        ("Essentials", "onboarding"),
    ]
    assert courses_of(Employee.objects.get(employee_number="I-2")) == []
    assert staff_import(data=data).ok
    assert Assignment.objects.count() == 2


def test_rules_running_again_never_hand_back_a_finished_course(agents, complaints):
    """Renewal is recertification's job (on expiry or a policy change); an import or a
    rule saved later must not put everyone who finished back through the course."""
    person = EmployeeFactory(job_role=agents)
    assignment_rule_save(rule=AssignmentRule(course=complaints, job_role=agents))
    Assignment.objects.filter(employee=person).update(completed_at=timezone.now())
    assert assignments_apply_rules() == 0
    assert Assignment.objects.filter(employee=person).count() == 1


# --- the admin --------------------------------------------------------------------------


def test_hr_saves_a_rule_that_matches_nobody_and_is_told_so(client, hr_user, complaints):
    nobody = JobRoleFactory(name="Night shift")
    client.force_login(hr_user)
    response = client.post(
        reverse("learning_assignment_rules:add"),
        {"course": complaints.pk, "job_role": nobody.pk},
        follow=True,
    )
    assert AssignmentRule.objects.filter(job_role=nobody).exists()
    assert "It matches 0 active people; 0 new assignments." in response.content.decode()
    listing = client.get(reverse("learning_assignment_rules:index")).content.decode()
    assert "Night shift" in listing


def test_hr_cannot_save_the_same_rule_twice(client, hr_user, agents, complaints):
    AssignmentRule.objects.create(course=complaints, job_role=agents)
    client.force_login(hr_user)
    response = client.post(
        reverse("learning_assignment_rules:add"), {"course": complaints.pk, "job_role": agents.pk}
    )
    assert response.status_code == 200
    assert "An identical rule for this course already exists." in response.content.decode()
    assert AssignmentRule.objects.count() == 1


def test_hr_assigns_a_course_to_a_whole_department_and_a_named_person(client, hr_user, complaints):
    support = DepartmentFactory(name="Support")
    team = [EmployeeFactory(department=support) for _ in range(3)]
    outsider = EmployeeFactory()
    due = today() + datetime.timedelta(days=10)
    client.force_login(hr_user)
    response = client.post(
        reverse("learning_assignments:add"),
        {
            "course": complaints.pk,
            "department": support.pk,
            "employees": [outsider.pk, team[0].pk],
            "due_date": due.isoformat(),
        },
        follow=True,
    )
    assert "Complaint Handling assigned to 4 people." in response.content.decode()
    assigned = Assignment.objects.filter(course=complaints)
    assert {a.employee_id for a in assigned} == {e.pk for e in [*team, outsider]}
    assert {(a.reason, a.due_date, a.assigned_by) for a in assigned} == {("manual", due, hr_user)}
    assert ModelLogEntry.objects.filter(action="learning.assign", user=hr_user).count() == 4

    again = client.post(
        reverse("learning_assignments:add"),
        {"course": complaints.pk, "department": support.pk},
        follow=True,
    )
    assert "assigned to 0 people. 3 people already had it open." in again.content.decode()
    assert Assignment.objects.count() == 4


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Pick at least one person, department, job role or location."),
        ({"due_date": "2020-01-01", "all": True}, "The due date cannot be in the past."),
        ({"course": 999999, "all": True}, "Select a valid choice."),
    ],
)
def test_a_bad_assign_form_changes_nothing(client, hr_user, complaints, data, error):
    person = EmployeeFactory()
    form = {"course": complaints.pk}
    if data.pop("all", False):
        form["employees"] = [person.pk]
    form.update(data)
    client.force_login(hr_user)
    response = client.post(reverse("learning_assignments:add"), form)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Assignment.objects.exists()


def test_hr_withdraws_a_course_and_completed_training_stays(client, hr_user, complaints):
    support = DepartmentFactory(name="Support")
    finished, pending = EmployeeFactory(department=support), EmployeeFactory(department=support)
    for person in (finished, pending):
        Assignment.objects.create(
            employee=person,
            course=complaints,
            reason="manual",
            assigned_at=timezone.now(),
            due_date=today(),
        )
    Assignment.objects.filter(employee=finished).update(completed_at=timezone.now())
    client.force_login(hr_user)
    response = client.post(
        reverse("learning_assignments:withdraw"),
        {"course": complaints.pk, "department": support.pk},
        follow=True,
    )
    assert "Complaint Handling withdrawn from 1 person." in response.content.decode()
    assert list(Assignment.objects.values_list("employee_id", flat=True)) == [finished.pk]
    assert ModelLogEntry.objects.filter(action="learning.unassign").count() == 1


def test_a_completed_assignment_cannot_be_deleted_one_by_one(client, hr_user, complaints):
    assignment = Assignment.objects.create(
        employee=EmployeeFactory(),
        course=complaints,
        reason="manual",
        assigned_at=timezone.now(),
        due_date=today(),
        completed_at=timezone.now(),
    )
    client.force_login(hr_user)
    url = reverse("learning_assignments:delete", args=[assignment.pk])
    response = client.post(url, follow=True)
    assert "part of the training record" in response.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_hr_filters_overdue_assignments_and_exports_them(client, hr_user, complaints):
    late, on_time = EmployeeFactory(), EmployeeFactory()
    for person, due in ((late, today() - datetime.timedelta(days=3)), (on_time, today())):
        Assignment.objects.create(
            employee=person,
            course=complaints,
            reason="rule",
            assigned_at=timezone.now(),
            due_date=due,
        )
    client.force_login(hr_user)
    url = reverse("learning_assignments:index")
    response = client.get(url, {"status": "overdue", "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert late.full_name in body and on_time.full_name not in body
    assert "Overdue" in body


ADMIN_URLS = [
    "learning_assignments:index",
    "learning_assignments:add",
    "learning_assignments:withdraw",
    "learning_assignment_rules:index",
    "learning_assignment_rules:add",
]


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
@pytest.mark.parametrize("url_name", ADMIN_URLS)
def test_only_hr_manages_assignments(client, request, role, url_name, complaints):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse(url_name), {"course": complaints.pk}).status_code == 403
    assert not Assignment.objects.exists() and not AssignmentRule.objects.exists()


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
def test_only_hr_withdraws_a_single_assignment(client, request, role, complaints):
    assignment = Assignment.objects.create(
        employee=EmployeeFactory(),
        course=complaints,
        reason="manual",
        assigned_at=timezone.now(),
        due_date=today(),
    )
    client.force_login(request.getfixturevalue(role))
    url = reverse("learning_assignments:delete", args=[assignment.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_hr_withdraws_a_single_open_assignment(client, hr_user, complaints):
    assignment = Assignment.objects.create(
        employee=EmployeeFactory(),
        course=complaints,
        reason="manual",
        assigned_at=timezone.now(),
        due_date=today(),
    )
    client.force_login(hr_user)
    response = client.post(reverse("learning_assignments:delete", args=[assignment.pk]))
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert ModelLogEntry.objects.filter(action="learning.unassign", user=hr_user).count() == 1


def test_hr_moves_a_due_date_but_not_into_the_past(client, hr_user, complaints):
    assignment = Assignment.objects.create(
        employee=EmployeeFactory(),
        course=complaints,
        reason="manual",
        assigned_at=timezone.now(),
        due_date=today(),
    )
    client.force_login(hr_user)
    url = reverse("learning_assignments:edit", args=[assignment.pk])
    refused = client.post(url, {"due_date": "2020-01-01"})
    assert refused.status_code == 200
    assert "The due date cannot be in the past." in refused.content.decode()
    later = today() + datetime.timedelta(days=7)
    assert client.post(url, {"due_date": later.isoformat()}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_date == later

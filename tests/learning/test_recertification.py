"""A material policy version puts the people certified on older versions back through
training: certificates marked, assignments made once, in batches that can be resumed."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageLogEntry

from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import certificate_issue
from cms.choices import ChangeKind
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee, ModuleProgress
from learning.recertification import recertification_fan_out, recertification_sweep
from learning.services import course_requirements_met, knowledge_check_answer, module_complete
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.cms.test_policy_editor import editor_data
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

NEW_WINDOW = section("returns-window", "The returns window", "Customers may return within 45 days.")


@pytest.fixture
def course_and_policy():
    return refunds_course(certificate_validity_months=12)


def certified(course, count=1, **employee):
    people = [EmployeeFactory(**employee) for _ in range(count)]
    for person in people:
        certificate_issue(user=person.user, course=course)
    return people


def material(policy, days=30):
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Returns window extended to 45 days.",
        days=days,
        sections=[NEW_WINDOW, *DEFAULT_SECTIONS[1:]],
    )
    return policy.versions.newest_first().first()


def test_a_material_version_marks_certificates_and_assigns_the_delta(course_and_policy):
    course, policy = course_and_policy
    (person,) = certified(course)
    version = material(policy, days=30)

    progress = recertification_fan_out(version_id=version.pk)

    assert (progress.certificates, progress.assignments, progress.finished) == (1, 1, True)
    certificate = Certificate.objects.get(user=person.user)
    due = version.effective_at.date() + datetime.timedelta(days=30)
    assert certificate.status == CertificateStatus.RECERTIFICATION_DUE
    assert certificate.recertification_due_on == due
    assignment = Assignment.objects.get(employee=person, reason=AssignmentReason.RECERTIFICATION)
    assert assignment.due_date == due
    assert assignment.policy_version == version
    assert assignment.changed_sections == ["returns-window"]  # only what changed
    assert PageLogEntry.objects.filter(action="learning.recertification").count() == 1


def test_an_editorial_version_changes_nothing(course_and_policy):
    course, policy = course_and_policy
    certified(course, 2)
    revise(policy, kind=ChangeKind.EDITORIAL, sections=[*DEFAULT_SECTIONS[:2]])
    version = policy.versions.newest_first().first()
    assert recertification_fan_out(version_id=version.pk).certificates == 0
    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.VALID}
    assert not Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION).exists()


def test_running_twice_handles_everyone_once(course_and_policy):
    course, policy = course_and_policy
    certified(course, 3)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    again = recertification_fan_out(version_id=version.pk)
    assert (again.certificates, again.assignments) == (0, 0)
    assert Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION).count() == 3


def test_stopped_half_way_and_resumed_everyone_is_handled_exactly_once(course_and_policy):
    course, policy = course_and_policy
    certified(course, 5)
    version = material(policy)
    first = recertification_fan_out(version_id=version.pk, batch_size=2, max_batches=1)
    assert (first.certificates, first.finished) == (2, False)
    rest = recertification_fan_out(version_id=version.pk, batch_size=2)
    assert (rest.certificates, rest.finished) == (3, True)
    recertifications = Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION)
    assert recertifications.count() == 5
    assert len(set(recertifications.values_list("employee_id", flat=True))) == 5


def test_deactivated_people_are_skipped(course_and_policy):
    course, policy = course_and_policy
    active, gone = certified(course, 2)
    gone.active = False
    gone.save()
    version = material(policy)
    progress = recertification_fan_out(version_id=version.pk)
    assert (progress.certificates, progress.assignments) == (2, 1)
    assert Assignment.objects.get(reason=AssignmentReason.RECERTIFICATION).employee == active


def test_someone_with_the_course_already_open_keeps_that_assignment_due_sooner(
    course_and_policy,
):
    course, policy = course_and_policy
    (person,) = certified(course)
    Assignment.objects.create(
        employee=person,
        course=course,
        reason=AssignmentReason.MANUAL,
        assigned_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        due_date=datetime.date(2030, 1, 1),
    )
    version = material(policy)
    assert recertification_fan_out(version_id=version.pk).assignments == 0
    assignment = Assignment.objects.get(employee=person)
    assert assignment.reason == AssignmentReason.MANUAL
    assert assignment.due_date == version.effective_at.date() + datetime.timedelta(days=30)
    assert (assignment.policy_version, assignment.changed_sections) == (
        version,
        ["returns-window"],
    )


def test_an_expired_certificate_is_not_recertified_by_the_change(course_and_policy):
    course, policy = course_and_policy
    (person,) = certified(course)
    Certificate.objects.update(expires_on=datetime.date(2020, 1, 1))
    version = material(policy)
    progress = recertification_fan_out(version_id=version.pk)
    # Stored as valid but past its date: it lapses, and its holder gets the full course.
    assert progress.assignments == 1
    assert Assignment.objects.get(employee=person).changed_sections == []
    assert Certificate.objects.get().status == CertificateStatus.EXPIRED


def test_publishing_a_material_version_starts_the_fan_out_after_commit(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    (person,) = certified(course)
    with django_capture_on_commit_callbacks(execute=True):
        material(policy)
    assert Certificate.objects.get(user=person.user).status == (
        CertificateStatus.RECERTIFICATION_DUE
    )
    assert Assignment.objects.filter(employee=person).count() == 1


def test_earning_the_course_on_the_new_version_supersedes_the_old_certificate(
    course_and_policy,
):
    course, policy = course_and_policy
    (person,) = certified(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    course.save_revision().publish()  # the course now teaches 2.0
    new = certificate_issue(user=person.user, course=course)
    old = Certificate.objects.exclude(pk=new.pk).get()
    assert [str(v) for v in new.versions.all()] == ["Refunds 2.0"]
    assert old.status == CertificateStatus.SUPERSEDED
    assert old.superseded_by == new


@pytest.mark.parametrize("people", [10, 60])
def test_statements_do_not_grow_with_the_people_affected(course_and_policy, people):
    course, policy = course_and_policy
    certified(course, people)
    version = material(policy)
    with CaptureQueriesContext(connection) as queries:
        progress = recertification_fan_out(version_id=version.pk, batch_size=500)
    assert progress.certificates == people
    assert len(queries) <= 20


# --- expiry ------------------------------------------------------------------------


@pytest.fixture
def expiring(course_and_policy):
    """One person whose certificate, issued 1 March 2025 for 12 months, expires 1 March
    2026; the course opens its recertification window 30 days before."""
    course, _ = course_and_policy
    person = EmployeeFactory()
    certificate = certificate_issue(
        user=person.user, course=course, today=datetime.date(2025, 3, 1)
    )
    return course, person, certificate


@pytest.mark.parametrize(
    ("today", "status", "assigned"),
    [
        (datetime.date(2026, 1, 29), CertificateStatus.VALID, False),  # window not open
        (datetime.date(2026, 1, 30), CertificateStatus.VALID, True),  # 30 days before
        (datetime.date(2026, 3, 1), CertificateStatus.VALID, True),  # the last valid day
        (datetime.date(2026, 3, 2), CertificateStatus.EXPIRED, False),  # lapsed
    ],
)
def test_expiry_window_and_lapse(expiring, today, status, assigned):
    _, person, certificate = expiring
    recertification_sweep(today=today)
    certificate.refresh_from_db()
    assert certificate.status == status
    assignments = Assignment.objects.filter(
        employee=person, reason=AssignmentReason.RECERTIFICATION
    )
    assert assignments.exists() == assigned
    if assigned:
        assert assignments.get().due_date == datetime.date(2026, 3, 1)
        assert assignments.get().changed_sections == []  # the full course
    recertification_sweep(today=today)  # a second pass adds nothing
    assert assignments.count() == int(assigned)


def test_recertification_due_lapses_to_expired_after_its_due_date(course_and_policy):
    course, policy = course_and_policy
    (person,) = certified(course)
    version = material(policy, days=30)
    recertification_fan_out(version_id=version.pk)
    certificate = Certificate.objects.get(user=person.user)
    due = certificate.recertification_due_on
    assert certificate.status_on(due) == CertificateStatus.RECERTIFICATION_DUE
    assert certificate.status_on(due + datetime.timedelta(days=1)) == CertificateStatus.EXPIRED
    recertification_sweep(today=due + datetime.timedelta(days=1))
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED


@pytest.mark.parametrize(
    ("keeps", "expected"), [(True, datetime.date(2027, 3, 1)), (False, datetime.date(2027, 2, 10))]
)
def test_a_renewal_keeps_or_restarts_the_expiry_cycle(expiring, keeps, expected):
    course, person, certificate = expiring
    CoursePage.objects.filter(pk=course.pk).update(recertification_keeps_cycle=keeps)
    course.refresh_from_db()
    Certificate.objects.filter(pk=certificate.pk).update(version_set="older")
    renewed = certificate_issue(user=person.user, course=course, today=datetime.date(2026, 2, 10))
    assert renewed.expires_on == expected
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED


def test_completing_again_on_the_old_versions_earns_nothing_new(course_and_policy):
    course, policy = course_and_policy
    (person,) = certified(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    # The course has not been republished on 2.0 yet.
    again = certificate_issue(user=person.user, course=course)
    assert Certificate.objects.count() == 1
    assert again.status == CertificateStatus.RECERTIFICATION_DUE


def test_the_dashboard_says_which_policy_changed_and_how_much(client, course_and_policy):
    course, policy = course_and_policy
    (person,) = certified(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    client.force_login(person.user)
    html = client.get(reverse("learning:dashboard")).content.decode()
    day = version.effective_at.date()
    assert f"Refunds changed on {day.day} {day:%b %Y}: 1 section (The returns window)." in html
    assert "Re-certification" in html


# --- completing a recertification --------------------------------------------------


def trained(course) -> Employee:
    """Someone who worked through every module of the course and so was certified."""
    person = EmployeeFactory()
    assign(person.user, course)
    for module in course.get_modules():
        answer_checks(person.user, module)
        module_complete(user=person.user, course=course, module=module)
    assert Certificate.objects.filter(user=person.user).exists()
    return person


def answer_checks(user, module) -> None:
    for block in module.body:
        if block.block_type == "knowledge_check":
            right = next(n for n, o in enumerate(block.value["options"]) if o["correct"])
            knowledge_check_answer(user=user, module=module, block_id=block.id, option=str(right))


def test_old_progress_cannot_complete_a_delta_recertification(course_and_policy):
    course, policy = course_and_policy
    person = trained(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    course.save_revision().publish()  # the course moves to 2.0
    window, check = course.get_modules()
    done = dict(
        ModuleProgress.objects.filter(user=person.user).values_list("module_id", "completed_at")
    )
    assert done[window.pk] is None  # quotes the changed section: to do again
    assert done[check.pk] is not None  # untouched by the change: still done
    assert not course_requirements_met(user=person.user, course=course)

    assert module_complete(user=person.user, course=course, module=window) is True
    new = Certificate.objects.get(user=person.user, status=CertificateStatus.VALID)
    assert [str(v) for v in new.versions.all()] == ["Refunds 2.0"]
    recertification = Assignment.objects.get(
        employee=person, reason=AssignmentReason.RECERTIFICATION
    )
    assert recertification.completed_at is not None


def test_an_opened_window_asks_for_every_module_again(course_and_policy):
    course, _ = course_and_policy
    person = trained(course)
    expires_on = Certificate.objects.get(user=person.user).expires_on
    recertification_sweep(today=expires_on - datetime.timedelta(days=5))
    assert not ModuleProgress.objects.filter(user=person.user, completed_at__isnull=False).exists()
    assert not course_requirements_met(user=person.user, course=course)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so the fan-outs cannot overlap there",
)
def test_two_fan_outs_at_once_handle_everyone_once():
    course, policy = refunds_course(certificate_validity_months=12)
    version = material(policy)  # its own fan-out finds nobody yet
    people = certified(course, 12)  # the course is still pinned to 1.0
    barrier = threading.Barrier(2)
    results = []

    def fan_out():
        try:
            barrier.wait()
            results.append(recertification_fan_out(version_id=version.pk, batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=fan_out) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.certificates for result in results) == len(people)
    recertifications = Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION)
    assert recertifications.count() == len(people)
    assert set(Certificate.objects.values_list("status", flat=True)) == {
        CertificateStatus.RECERTIFICATION_DUE
    }


def _publish_material_in_the_editor(client, policy):
    data = editor_data(
        policy,
        change_kind="material",
        change_summary="Window is 45 days.",
        recertification_days="30",
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[policy.pk]), data, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_a_policy_no_course_teaches_is_published_and_the_trainer_told(client, trainer):
    policy = publish_policy(title="Unlinked", slug="unlinked")
    client.force_login(trainer)
    said = _publish_material_in_the_editor(client, policy)
    assert policy.versions.newest_first().first().label == "2.0"
    assert any("No course teaches Unlinked" in message for message in said)
    assert not Assignment.objects.exists()


def test_the_trainer_is_told_recertification_is_under_way(client, trainer, course_and_policy):
    course, policy = course_and_policy
    certified(course)
    client.force_login(trainer)
    said = _publish_material_in_the_editor(client, policy)
    assert any("is being assigned recertification, due in 30 days" in m for m in said)


def test_finishing_before_the_course_teaches_the_new_version_does_not_complete_it(
    course_and_policy,
):
    course, policy = course_and_policy
    person = trained(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    window = course.get_modules()[0]
    module_complete(user=person.user, course=course, module=window)  # not republished yet
    recertification = Assignment.objects.get(
        employee=person, reason=AssignmentReason.RECERTIFICATION
    )
    assert recertification.completed_at is None
    assert Certificate.objects.get(user=person.user).status == (
        CertificateStatus.RECERTIFICATION_DUE
    )


def test_completing_again_once_the_expiry_window_opens_renews_the_certificate(expiring):
    course, person, certificate = expiring
    CoursePage.objects.filter(pk=course.pk).update(recertification_keeps_cycle=True)
    course.refresh_from_db()
    before_window = certificate_issue(
        user=person.user, course=course, today=datetime.date(2026, 1, 10)
    )
    assert before_window == certificate  # too early: nothing new
    renewed = certificate_issue(user=person.user, course=course, today=datetime.date(2026, 2, 10))
    assert renewed.pk != certificate.pk
    assert renewed.expires_on == datetime.date(2027, 3, 1)  # the cycle kept
    certificate.refresh_from_db()
    assert (certificate.status, certificate.superseded_by) == (
        CertificateStatus.SUPERSEDED,
        renewed,
    )

"""What holds a completion back is said in words, republishing releases it, and nothing
records a policy version as assessed before it took effect."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt
from assessments.services import (
    AttemptRefused,
    attempt_save,
    attempt_start,
    attempt_submit,
    served_items,
)
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import CertificateIssueRefused, certificate_issue
from cms.models import PolicyVersion
from courses.models import CoursePage, CoursePolicyPin
from learning.choices import AssignmentReason
from learning.evidence import employee_record
from learning.models import Assignment, ModuleProgress
from learning.recertification import (
    delta_assessment_for,
    recertification_fan_out,
    recertification_since,
    recertification_sweep,
)
from learning.selectors import learner_dashboard
from learning.services import course_requirements_met, module_complete
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory
from tests.learning.test_course_player import assign
from tests.learning.test_recertification import (
    answer_checks,
    certified_by_the_final,
    material,
    sit,
    with_final,
)

pytestmark = pytest.mark.django_db

WAITING = (
    "Your course is waiting for its trainer to update it to Refunds 2.0. You have done "
    "everything it asks: you will be certified as soon as they do, with nothing more to do."
)


@pytest.fixture
def course_and_policy():
    return refunds_course(certificate_validity_months=12)


def submitted(attempt):
    items = served_items(attempt)
    answered = [(item, SAMPLES[item.kind][1]) for item in items]
    attempt_save(
        attempt=attempt, sequence=0, data=form(*answered), positions=[i.position for i in items]
    )
    return attempt_submit(attempt=attempt)


@pytest.fixture
def passed_before_republish(course_and_policy):
    """Certified on Refunds 1.0; 2.0 comes out and the holder did all of the delta
    recertification (module and short assessment) before the course was republished, as
    an installation allowed before refreshers waited for their course: stored as it was."""
    course, policy = course_and_policy
    window, _ = with_final(course, policy, attempts_allowed=2)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    recertification_fan_out(version_id=material(policy).pk)
    for question in window:
        question.save_revision()
    ModuleProgress.objects.filter(user=person.user).update(completed_at=timezone.now())
    assignment = recertification_of(person)
    attempt = attempt_start(
        user=person.user,
        assessment=course.assessment,
        policy_versions=CoursePolicyPin.objects.versions_by_policy(course).values(),
        scope=delta_assessment_for(assignment=assignment, course=course).scope,
        counted_since=recertification_since(assignment),
    )
    assert submitted(attempt).passed
    return course, person


def recertification_of(person):
    return Assignment.objects.get(employee=person, reason=AssignmentReason.RECERTIFICATION)


def test_work_done_before_it_waited_is_said_to_need_only_the_update(
    client, passed_before_republish
):
    course, person = passed_before_republish
    assert recertification_of(person).completed_at is None
    client.force_login(person.user)
    page = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert WAITING in page
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    assert WAITING in dashboard


def test_hrs_record_says_it_waits_for_the_trainer(course_and_policy, hr_user, client):
    course, policy = course_and_policy
    with_final(course, policy)
    person = certified_by_the_final(CoursePage.objects.get(pk=course.pk))
    recertification_fan_out(version_id=material(policy).pk)
    (entry,) = [a for a in employee_record(employee=person).assignments if not a.completed_at]
    assert entry.held_back == (
        "Waiting for a trainer to republish the course on Refunds 2.0 (it still teaches "
        "Refunds 1.0). The refresher opens then, due 30 days later."
    )
    client.force_login(hr_user)
    html = client.get(reverse("learning_employee_record", args=[person.pk])).content.decode()
    assert "Waiting for a trainer to republish the course on Refunds 2.0" in html


def test_hrs_record_says_when_work_done_before_needs_only_the_update(passed_before_republish):
    _, person = passed_before_republish
    (entry,) = [a for a in employee_record(employee=person).assignments if not a.completed_at]
    assert entry.held_back == (
        "Waiting for a trainer to republish the course on Refunds 2.0 (it still teaches "
        "Refunds 1.0). Everything else is done: it completes by itself once the course is "
        "republished."
    )


def test_republishing_the_course_completes_the_waiting_recertification(
    passed_before_republish, client, django_capture_on_commit_callbacks
):
    course, person = passed_before_republish
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()
    assert recertification_of(person).completed_at is not None
    new = Certificate.objects.get(user=person.user, status=CertificateStatus.VALID)
    assert [str(v) for v in new.versions.all()] == ["Refunds 2.0"]
    assert new.attempt.is_scoped
    client.force_login(person.user)
    page = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "waiting for its trainer" not in page


# --- nothing is assessed on a version before it took effect ---------------------------


def later(version: PolicyVersion, days: int) -> PolicyVersion:
    PolicyVersion.objects.filter(pk=version.pk).update(
        effective_at=timezone.now() + datetime.timedelta(days=days)
    )
    return PolicyVersion.objects.get(pk=version.pk)


def test_an_attempt_cannot_start_on_a_version_not_yet_in_effect(course_and_policy):
    course, policy = course_and_policy
    with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = EmployeeFactory()
    version = later(policy.current_version, days=3)
    with pytest.raises(AttemptRefused, match=r"Refunds 1\.0 takes effect on .* not in effect"):
        attempt_start(user=person.user, assessment=course.assessment, policy_versions=[version])
    assert not Attempt.objects.exists()


def test_a_certificate_naming_a_version_that_took_effect_after_the_attempt_is_refused(
    course_and_policy,
):
    course, policy = course_and_policy
    with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    before = Certificate.objects.count()
    attempt = Attempt.objects.get(user=person.user)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=policy.current_version.effective_at - datetime.timedelta(days=1)
    )
    with pytest.raises(CertificateIssueRefused) as refused:
        certificate_issue(
            user=person.user,
            course=course,
            today=timezone.localdate() + datetime.timedelta(days=400),
        )
    assert "before Refunds 1.0 (in effect from" in str(refused.value)
    assert "names only the policy versions in effect when its assessment began" in str(
        refused.value
    )
    assert Certificate.objects.count() == before


def test_a_pass_from_before_the_course_moved_to_a_new_version_does_not_complete_it(
    course_and_policy,
):
    course, policy = course_and_policy
    with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = EmployeeFactory()
    assign(person.user, course)
    assert sit(person.user, course).passed  # on 1.0, before any module
    material(policy)
    course.save_revision().publish()  # the course now teaches 2.0
    for module in course.get_modules():
        answer_checks(person.user, module)
        module_complete(user=person.user, course=course, module=module)
    assert not course_requirements_met(user=person.user, course=course)
    assert not Certificate.objects.filter(user=person.user).exists()
    assert sit(person.user, course).passed  # on 2.0
    assert [str(v) for v in Certificate.objects.get(user=person.user).versions.all()] == [
        "Refunds 2.0"
    ]


def test_an_attempt_started_the_moment_a_version_takes_effect_is_on_it(course_and_policy):
    course, policy = course_and_policy
    with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    version = later(policy.current_version, days=3)
    attempt = Attempt.objects.get(user=person.user)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=version.effective_at)
    certificate = certificate_issue(
        user=person.user, course=course, today=timezone.localdate() + datetime.timedelta(days=400)
    )
    assert certificate.attempt_id == attempt.pk
    assert (
        attempt_start(
            user=EmployeeFactory().user,
            assessment=course.assessment,
            policy_versions=[version],
            now=version.effective_at,
        ).started_at
        == version.effective_at
    )


def grade_later(attempt, than) -> None:
    """The attempt's grade lands after ``than``'s: a written answer marked late."""
    Attempt.objects.filter(pk=attempt.pk).update(
        graded_at=than.graded_at + datetime.timedelta(hours=1)
    )


def test_a_pass_graded_late_on_an_old_version_does_not_stop_the_course_finishing(
    course_and_policy,
):
    course, policy = course_and_policy
    with_final(course, policy, attempts_allowed=2)
    course = CoursePage.objects.get(pk=course.pk)
    person = EmployeeFactory()
    assign(person.user, course)
    on_old = sit(person.user, course)  # on 1.0, before any module
    assert on_old.passed
    material(policy)
    course.save_revision().publish()  # the course now teaches 2.0
    on_new = sit(person.user, course)
    assert on_new.passed
    grade_later(on_old, than=on_new)
    *first, last = course.get_modules()
    for module in first:
        answer_checks(person.user, module)
        module_complete(user=person.user, course=course, module=module)
    answer_checks(person.user, last)

    assert module_complete(user=person.user, course=course, module=last) is True

    certificate = Certificate.objects.get(user=person.user)
    assert certificate.attempt_id == on_new.pk
    assert [str(v) for v in certificate.versions.all()] == ["Refunds 2.0"]
    assert Assignment.objects.get(employee=person).completed_at is not None


# --- why a recertification asks again --------------------------------------------------


def test_an_expired_certificate_says_it_expired_and_when(course_and_policy, client):
    course, _ = course_and_policy
    person = EmployeeFactory()
    certificate = certificate_issue(
        user=person.user, course=course, today=timezone.localdate() - datetime.timedelta(days=380)
    )
    expires = certificate.expires_on
    recertification_sweep(today=expires - datetime.timedelta(days=10))  # the window opens
    recertification_sweep(today=timezone.localdate())  # and it lapses
    rows = learner_dashboard(user=person.user, today=timezone.localdate())["sections"]
    (row,) = [r for _, _, group in rows for r in group]
    valid_until = f"{expires.day} {expires:%b %Y}"
    assert (
        row.why == f"Your certificate expired (valid until {valid_until}): the whole course again."
    )
    client.force_login(person.user)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert row.why in html
    assert "changed on" not in html

"""A recertification after a policy change is made at publish but opens only when its
course teaches the new version: it waits closed, opens by itself when the course is
republished, with its due date counted from then, and completes on the new version."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.models import PolicyVersion
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.models import Assignment, ModuleProgress, Reminder
from learning.recertification import (
    RefresherNotOpen,
    recertification_fan_out,
    recertification_sweep,
    recertifications_open,
)
from learning.reminders import NudgeRefused, assignment_nudge, reminders_claim
from learning.services import module_complete, module_open
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

TODAY = timezone.localdate()
WAITS = (
    "Your refresher opens when your course is updated to Refunds 2.0; until then it still "
    "teaches 1.0, so there is nothing to do yet. You will then have 30 days to complete it."
)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def waiting(course_and_policy):
    """Certified on Refunds 1.0 by the final assessment; 2.0 (a 30-day window) comes out
    and the holder's refresher waits for the course."""
    course, policy = course_and_policy
    window, _ = with_final(course, policy, attempts_allowed=2)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    for question in window:  # the trainer revises the questions on the changed section
        question.save_revision()
    return course, person, version


@pytest.fixture
def course_and_policy():
    from tests.courses.factories import refunds_course

    return refunds_course(certificate_validity_months=12)


def refresher(person) -> Assignment:
    return Assignment.objects.get(employee=person, reason=AssignmentReason.RECERTIFICATION)


def republish(course, capture):
    with capture(execute=True):
        course.save_revision().publish()


def took_effect(version, days_ago: int) -> PolicyVersion:
    PolicyVersion.objects.filter(pk=version.pk).update(
        effective_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return PolicyVersion.objects.get(pk=version.pk)


def test_the_dashboard_says_what_changed_and_that_the_refresher_opens_with_the_update(
    client, waiting
):
    course, person, _ = waiting
    client.force_login(person.user)
    page = client.get(reverse("learning:dashboard")).content.decode()
    section = page.split('id="section-waiting"')[1].split("</section>")[0]
    assert "Opens when the course is updated" in page
    assert course.title in section
    assert (
        f"Refunds changed on {TODAY.day} {TODAY:%b %Y}: 1 section (The returns window)." in section
    )
    assert WAITS in section
    assert "Waiting for course update" in section
    assert "due 30 days after it opens" in section
    # Nothing to start: no link into a module.
    assert reverse("learning:module", args=[course.slug, course.get_modules()[0].slug]) not in (
        section
    )


def test_the_course_page_names_what_holds_completion_back(client, waiting):
    course, person, _ = waiting
    client.force_login(person.user)
    page = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    holds = page.split('id="holds"')[1].split("</div>")[0]
    assert "The course is being updated to Refunds 2.0" in holds
    assert "The module \u201cThe window\u201d is not finished yet" in holds
    assert "The recertification assessment is not yet passed" in holds
    assert WAITS in page
    assert "30 days after the refresher opens" in page
    for module in course.get_modules():
        assert reverse("learning:module", args=[course.slug, module.slug]) not in page
    assert reverse("learning:assessment", args=[course.slug, "final"]) not in page


def test_nothing_in_the_course_can_be_started_while_it_waits(client, waiting):
    course, person, _ = waiting
    window = course.get_modules()[0]
    attempts = Attempt.objects.count()
    client.force_login(person.user)
    for response in (
        client.get(reverse("learning:module", args=[course.slug, window.slug])),
        client.post(reverse("learning:module_complete", args=[course.slug, window.slug])),
        client.post(reverse("learning:knowledge_check", args=[course.slug, window.slug, "x"])),
        client.get(reverse("learning:assessment", args=[course.slug, "final"])),
        client.post(reverse("learning:assessment_start", args=[course.slug, "final"])),
    ):
        assert response.status_code == 403
        assert "Your refresher has not opened yet" in response.content.decode()
        assert WAITS in response.content.decode()
    assert Attempt.objects.count() == attempts
    assert refresher(person).started_at is None
    assert not ModuleProgress.objects.filter(
        user=person.user, module=window, completed_at__isnull=False
    ).exists()
    with pytest.raises(RefresherNotOpen):
        module_open(user=person.user, course=course, module=window)


def test_republishing_opens_it_by_itself_and_it_completes_on_the_new_version(
    client, waiting, django_capture_on_commit_callbacks
):
    course, person, _ = waiting
    assert refresher(person).opened_at is None
    republish(course, django_capture_on_commit_callbacks)
    opened = refresher(person)
    assert opened.opened_at is not None
    assert opened.due_date == days(30)
    client.force_login(person.user)
    page = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "being updated" not in page and "has not opened" not in page
    window = course.get_modules()[0]
    assert client.get(reverse("learning:module", args=[course.slug, window.slug])).status_code == (
        200
    )
    answer_checks(person.user, window)
    module_complete(user=person.user, course=course, module=window)
    assert sit(person.user, course).passed
    assert refresher(person).completed_at is not None
    new = Certificate.objects.get(user=person.user, status=CertificateStatus.VALID)
    assert [str(v) for v in new.versions.all()] == ["Refunds 2.0"]
    assert Certificate.objects.get(user=person.user, superseded_by=new)


def test_the_due_date_counts_from_the_day_the_course_is_ready(
    waiting, django_capture_on_commit_callbacks
):
    """2.0 took effect twelve days ago; the course is ready today: due in 30 days, not 18,
    and the old certificate does not lapse meanwhile."""
    course, person, version = waiting
    version = took_effect(version, days_ago=12)
    Assignment.objects.filter(employee=person).update(due_date=days(18))
    Certificate.objects.filter(user=person.user).update(recertification_due_on=days(18))
    republish(course, django_capture_on_commit_callbacks)
    assert refresher(person).due_date == days(30)
    certificate = Certificate.objects.get(user=person.user)
    assert (certificate.status, certificate.recertification_due_on) == (
        CertificateStatus.RECERTIFICATION_DUE,
        days(30),
    )


def test_an_overdue_refresher_stays_overdue_and_a_later_date_is_kept(
    waiting, django_capture_on_commit_callbacks
):
    course, person, _ = waiting
    other = certified_by_the_final(course)
    # The second holder's certificate was reached by the first fan-out too.
    recertification_fan_out(version_id=refresher(person).policy_version_id)
    Assignment.objects.filter(employee=person).update(due_date=days(-1))
    Assignment.objects.filter(employee=other).update(due_date=days(45))
    republish(course, django_capture_on_commit_callbacks)
    assert refresher(person).due_date == days(-1)
    assert refresher(person).opened_at is not None
    assert refresher(other).due_date == days(45)


def test_while_it_waits_the_hourly_sweep_keeps_it_from_falling_due(waiting):
    _, person, _ = waiting
    recertification_sweep(today=days(10))
    assert refresher(person).due_date == days(40)
    certificate = Certificate.objects.get(user=person.user)
    assert certificate.recertification_due_on == days(40)
    assert certificate.status == CertificateStatus.RECERTIFICATION_DUE


def test_a_version_taking_effect_later_opens_on_that_day(
    client, course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    person = certified_by_the_final_course(course, policy)
    version = material(policy)
    PolicyVersion.objects.filter(pk=version.pk).update(
        effective_at=timezone.now() + datetime.timedelta(days=10)
    )
    recertification_fan_out(version_id=version.pk)
    assert refresher(person).due_date == days(40)
    republish(course, django_capture_on_commit_callbacks)
    assert refresher(person).opened_at is None  # the course is ready, the change is not
    client.force_login(person.user)
    effective = days(10)
    page = client.get(reverse("learning:dashboard")).content.decode()
    assert f"Refunds changes on {effective.day} {effective:%b %Y}" in page
    assert f"Your refresher opens on {effective.day} {effective:%b %Y}, when Refunds 2.0" in page
    assert f"Opens on {effective.day} {effective:%b %Y}" in page
    progress = recertifications_open(now=timezone.now() + datetime.timedelta(days=10, hours=1))
    assert progress.opened == 1
    assert refresher(person).due_date == days(40)


def certified_by_the_final_course(course, policy):
    with_final(course, policy, attempts_allowed=2)
    return certified_by_the_final(CoursePage.objects.get(pk=course.pk))


def test_someone_with_the_course_open_keeps_that_assignment_and_it_waits_and_opens(
    client, course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    person = certified_by_the_final_course(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    kept = assign(person.user, course, due_in=60)  # HR asked them to take it again
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    (only,) = Assignment.objects.filter(employee=person, completed_at__isnull=True)
    assert only.pk == kept.pk and only.policy_version == version
    client.force_login(person.user)
    window = course.get_modules()[0]
    url = reverse("learning:module", args=[course.slug, window.slug])
    assert client.get(url).status_code == 403
    republish(course, django_capture_on_commit_callbacks)
    assert client.get(url).status_code == 200
    assert Assignment.objects.get(pk=kept.pk).opened_at is not None


def test_a_new_hire_part_way_through_the_course_keeps_it_open(
    client, waiting, django_capture_on_commit_callbacks
):
    course, _, _ = waiting
    newcomer = EmployeeFactory()
    assign(newcomer.user, course)
    client.force_login(newcomer.user)
    window = course.get_modules()[0]
    assert client.get(reverse("learning:module", args=[course.slug, window.slug])).status_code == (
        200
    )
    page = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "being updated" not in page


@override_settings(REMINDER_DAYS_BEFORE=[30, 7])
def test_no_reminder_for_a_refresher_that_has_not_opened(
    waiting, django_capture_on_commit_callbacks, manager_of
):
    course, person, _ = waiting
    reminders_claim(today=TODAY)
    assert not Reminder.objects.filter(assignment=refresher(person)).exists()
    boss = manager_of(person)
    with pytest.raises(NudgeRefused, match="has not opened yet"):
        assignment_nudge(assignment=refresher(person), actor=boss.user, today=TODAY)
    republish(course, django_capture_on_commit_callbacks)
    reminders_claim(today=TODAY)
    assert list(
        Reminder.objects.filter(assignment=refresher(person)).values_list("kind", flat=True)
    ) == ["due-30"]


@pytest.fixture
def manager_of():
    def make(person):
        boss = EmployeeFactory()
        person.manager = boss
        person.save(update_fields=["manager"])
        return boss

    return make

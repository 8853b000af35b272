"""A material policy version puts the people certified on older versions back through
training: certificates marked, assignments made once, in batches that can be resumed."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from assessments.models import Attempt, Question
from assessments.services import (
    attempt_save,
    attempt_submit,
    question_confirm_for_version,
    served_items,
)
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import certificate_issue
from cms.choices import ChangeKind
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee, ModuleProgress
from learning.recertification import (
    RECERTIFICATION_MIN_QUESTIONS,
    RefresherNotOpen,
    recertification_due_on,
    recertification_fan_out,
    recertification_sweep,
)
from learning.selectors import learner_dashboard
from learning.services import (
    course_attempt_start,
    course_requirements_met,
    knowledge_check_answer,
    module_complete,
    scenario_run_choose,
    scenario_run_start,
)
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.cms.test_policy_editor import editor_data
from tests.courses.factories import excerpt, make_course, make_scenario, refunds_course, text
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
    version = policy.versions.newest_first().first()
    # The trainer works the update list: the questions on the policy (their wording is
    # already 2.0's) are confirmed still correct, so attempts on 2.0 serve them.
    for question in Question.objects.filter(policy=policy).order_by("pk"):
        question_confirm_for_version(question=question, version=version)
    return version


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
    assert len(queries) <= 23  # the same at 10 and 60 people


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
    assert "Recertification" in html


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
    assert any("is being given a refresher" in m and "30 days to complete it" in m for m in said)


def test_the_trainer_is_told_which_courses_to_republish_even_when_none_quotes_a_change(
    client, trainer, course_and_policy
):
    course, policy = course_and_policy
    plain = make_course("Service Basics", policies=[policy], modules=[("Hi", [text("<p>Hi.</p>")])])
    unrelated = make_course("Unrelated", modules=[("Hi", [text("<p>Hi.</p>")])])
    certified(plain)
    client.force_login(trainer)
    said = " ".join(_publish_material_in_the_editor(client, policy))
    assert f"Courses to update to {policy.title} 2.0:" in said
    for listed in (course, plain):
        assert listed.title in said
        assert reverse("courses_update_list", args=[listed.pk]) in said
    assert reverse("courses_update_list", args=[unrelated.pk]) not in said


def test_finishing_before_the_course_teaches_the_new_version_does_not_complete_it(
    course_and_policy,
):
    course, policy = course_and_policy
    person = trained(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    window = course.get_modules()[0]
    with pytest.raises(RefresherNotOpen):  # not republished yet: the refresher waits
        module_complete(user=person.user, course=course, module=window)
    recertification = Assignment.objects.get(
        employee=person, reason=AssignmentReason.RECERTIFICATION
    )
    assert recertification.completed_at is None
    assert not ModuleProgress.objects.filter(
        user=person.user, module=window, completed_at__isnull=False
    ).exists()
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


# --- the short recertification assessment ----------------------------------------------


def window_question(policy, n, key="returns-window"):
    return make_question(
        "single_choice",
        SAMPLES["single_choice"][0],
        title=f"{key} {n}",
        policy=policy,
        section_keys=key,
        competencies=["policy_knowledge"],
    )


def with_final(course, policy, *, on_window=3, **fields):
    """Give the course a final assessment: ``on_window`` questions on the returns window
    (which the material version changes), two on refunds and one on no policy."""
    window = [window_question(policy, n) for n in range(on_window)]
    others = [
        window_question(policy, 1, "refund-method"),
        window_question(policy, 2, "refund-method"),
        make_question("true_false", SAMPLES["true_false"][0], title="General"),
    ]
    assessment = make_assessment([*window, *others], **fields)
    course.assessment = assessment
    course.save_revision().publish()
    return window, others


def sit(user, course, *, right=True):
    """Start the course's final assessment as the learner would, answer and submit it."""
    attempt = course_attempt_start(user=user, course=course, assessment=course.assessment)
    items = served_items(attempt)
    answered = [(item, SAMPLES[item.kind][1 if right else 2]) for item in items]
    attempt_save(
        attempt=attempt, sequence=0, data=form(*answered), positions=[i.position for i in items]
    )
    return attempt_submit(attempt=attempt)


def certified_by_the_final(course) -> Employee:
    person = EmployeeFactory()
    assign(person.user, course)
    for module in course.get_modules():
        answer_checks(person.user, module)
        module_complete(user=person.user, course=course, module=module)
    assert sit(person.user, course).passed
    assert Certificate.objects.filter(user=person.user).count() == 1
    return person


@pytest.fixture
def delta_due(course_and_policy):
    """Someone certified on Refunds 1.0 by passing the final (which allows two attempts)
    at the first try; 2.0 changes the returns window and the course is republished on it."""
    course, policy = course_and_policy
    window, others = with_final(course, policy, attempts_allowed=2)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    course.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk), person, window, others


def test_a_delta_recertification_serves_only_the_questions_on_the_changed_sections(
    client, delta_due
):
    course, person, window, _ = delta_due
    client.force_login(person.user)
    overview = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "Recertification assessment" in overview
    assert "3 questions on the sections of Refunds that changed (The returns window)" in overview
    page = client.get(reverse("learning:assessment", args=[course.slug, "final"]))
    html = page.content.decode()
    assert (
        "This is the short version of the final assessment. Refunds changed in version 2.0, so you "
        "answer only the questions on the 1 section that changed (The returns window): "
        "3 questions in each attempt."
    ) in html
    assert "You have passed this assessment" not in html  # the pass on 1.0 no longer counts

    response = client.post(reverse("learning:assessment_start", args=[course.slug, "final"]))
    attempt = Attempt.objects.get(user=person.user, status="in_progress")
    assert response["Location"].endswith(f"{attempt.public_id}/")
    assert {item.question_id for item in attempt.items.all()} == {q.pk for q in window}
    assert (attempt.scope_version.label, attempt.scope_sections) == ("2.0", ["returns-window"])
    shown = client.get(response["Location"]).content.decode()
    # Every page of the sitting names it as the intro page does, not as the whole final.
    heading = f"<h1>{course.title}: recertification assessment</h1>"
    assert heading in html and heading in shown
    submit = reverse("learning:attempt_submit", args=[course.slug, "final", attempt.public_id])
    assert f"{course.title}: recertification assessment</a>" in client.get(submit).content.decode()
    assert "final assessment</h1>" not in html + shown
    for secret in ("Right: version 2.0 says 45 days.", "That was the old rule.", 'value="100"'):
        assert secret not in html + overview + shown


def test_the_dashboard_counts_only_work_done_for_the_recertification(client, delta_due):
    course, person, _, _ = delta_due
    client.force_login(person.user)

    def progress():
        rows = learner_dashboard(user=person.user, today=timezone.localdate())["sections"]
        (row,) = [r for _, _, group in rows for r in group if r.assignment.completed_at is None]
        return row.progress.completed, row.progress.total

    # The check module stands; the window module and the final passed on 1.0 do not.
    assert progress() == (1, 3)
    module_complete(user=person.user, course=course, module=course.get_modules()[0])
    assert progress() == (2, 3)
    assert sit(person.user, course).passed  # the short assessment completes it
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "Refunds changed on" not in html


def test_too_few_questions_on_the_changed_sections_means_the_whole_final(course_and_policy, client):
    course, policy = course_and_policy
    window, others = with_final(course, policy, on_window=RECERTIFICATION_MIN_QUESTIONS - 1)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    version = material(policy)
    recertification_fan_out(version_id=version.pk)
    for question in window:  # revised for 2.0
        question.save_revision()
    course.save_revision().publish()  # the refresher opens
    client.force_login(person.user)
    html = client.get(reverse("learning:assessment", args=[course.slug, "final"])).content.decode()
    assert "short recertification" not in html.lower()
    attempt = course_attempt_start(user=person.user, course=course, assessment=course.assessment)
    assert attempt.scope_version is None
    assert {item.question_id for item in attempt.items.all()} == {q.pk for q in [*window, *others]}


def test_questions_not_yet_written_for_the_new_version_do_not_make_a_short_assessment(
    course_and_policy, client
):
    # Three questions cite the changed section, but one was never revised or confirmed for
    # 2.0: it is left out of every sitting, so two remain and the learner sits the whole
    # final (less that one) rather than a short one of two questions.
    course, policy = course_and_policy
    window, _ = with_final(course, policy, on_window=RECERTIFICATION_MIN_QUESTIONS)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    for question in window:  # as written for 1.0
        question.save_revision()
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Returns window extended to 45 days.",
        days=30,
        sections=[NEW_WINDOW, *DEFAULT_SECTIONS[1:]],
    )
    version = policy.versions.newest_first().first()
    recertification_fan_out(version_id=version.pk)
    for question in window[1:]:  # confirmed for 2.0; the first is not
        question_confirm_for_version(question=question, version=version)
    course.save_revision().publish()  # the refresher opens
    client.force_login(person.user)
    html = client.get(reverse("learning:assessment", args=[course.slug, "final"])).content.decode()
    assert "short recertification" not in html.lower()
    attempt = course_attempt_start(user=person.user, course=course, assessment=course.assessment)
    assert attempt.scope_version is None
    served = {item.question_id for item in attempt.items.all()}
    assert window[0].pk not in served
    assert {q.pk for q in window[1:]} <= served


def test_passing_the_short_assessment_recertifies_on_the_new_version(delta_due, client):
    course, person, _, _ = delta_due
    window_module = course.get_modules()[0]
    module_complete(user=person.user, course=course, module=window_module)
    assert not course_requirements_met(user=person.user, course=course)  # not passed yet
    failed = sit(person.user, course, right=False)
    assert failed.is_scoped and not failed.passed
    assert not course_requirements_met(user=person.user, course=course)

    passed = sit(person.user, course)  # the third in all: the limit counts afresh

    assert passed.is_scoped and passed.passed
    new = Certificate.objects.get(user=person.user, status=CertificateStatus.VALID)
    assert [str(v) for v in new.versions.all()] == ["Refunds 2.0"]
    assert new.attempt == passed
    old = Certificate.objects.exclude(pk=new.pk).get(user=person.user)
    assert (old.status, old.superseded_by) == (CertificateStatus.SUPERSEDED, new)
    recertification = Assignment.objects.get(
        employee=person, reason=AssignmentReason.RECERTIFICATION
    )
    assert recertification.completed_at is not None
    # Anyone checking the old certificate is told it was replaced.
    public = client.get(reverse("certificates:verify", args=[old.code])).content.decode()
    assert "Not valid: superseded" in public and "A newer certificate replaced it" in public


def test_a_short_pass_does_not_count_for_a_whole_course_recertification(course_and_policy):
    course, policy = course_and_policy
    window, _ = with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    recertification_fan_out(version_id=material(policy).pk)
    for question in window:  # revised for 2.0
        question.save_revision()
    course.save_revision().publish()  # the refresher opens
    assert sit(person.user, course).is_scoped  # the short one, passed
    Assignment.objects.filter(employee=person, reason=AssignmentReason.RECERTIFICATION).update(
        changed_sections=[]  # now the whole course, say after a lapse
    )
    module_complete(user=person.user, course=course, module=course.get_modules()[0])
    assert not course_requirements_met(user=person.user, course=course)
    whole = sit(person.user, course)
    assert not whole.is_scoped and whole.passed
    assert Certificate.objects.filter(user=person.user, status=CertificateStatus.VALID).exists()


# --- a further material version while recertification is pending ------------------------

NEW_METHOD = section("refund-method", "How refunds are paid", "Refund within 5 working days.")


def third(policy, days):
    """Refunds 3.0: the refund method changes too; the returns window stays as in 2.0."""
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Refunds paid within 5 working days.",
        days=days,
        sections=[NEW_WINDOW, NEW_METHOD, DEFAULT_SECTIONS[2]],
    )
    return policy.versions.newest_first().first()


@pytest.mark.parametrize("days", [60, 10])
def test_a_pending_recertification_moves_onto_the_newest_version(course_and_policy, days):
    course, policy = course_and_policy
    (person,) = certified(course)
    two = material(policy, days=30)
    recertification_fan_out(version_id=two.pk)
    due_for_two = Assignment.objects.get(employee=person).due_date
    three = third(policy, days=days)

    progress = recertification_fan_out(version_id=three.pk)

    assert (progress.certificates, progress.assignments) == (1, 0)
    assignment = Assignment.objects.get(employee=person)  # the same one, moved on
    assert assignment.policy_version == three
    # Compared with 1.0, the version the certificate was earned on.
    assert assignment.changed_sections == ["returns-window", "refund-method"]
    # Never sooner than before: 3.0's date only when it is the later one.
    due = max(due_for_two, recertification_due_on(three))
    assert assignment.due_date == due
    certificate = Certificate.objects.get(user=person.user)
    assert (certificate.status, certificate.recertification_due_on) == (
        CertificateStatus.RECERTIFICATION_DUE,
        due,
    )
    again = recertification_fan_out(version_id=three.pk)
    assert (again.certificates, again.assignments) == (0, 0)


def test_moving_on_resumes_after_a_crash_and_asks_only_for_what_changed_since(
    course_and_policy,
):
    course, policy = course_and_policy
    first, second = trained(course), trained(course)
    two = material(policy)
    recertification_fan_out(version_id=two.pk)
    window = course.get_modules()[0]
    # Relearnt for 2.0 (the course taught it for a while).
    ModuleProgress.objects.filter(user=first.user, module=window).update(
        completed_at=timezone.now()
    )
    three = third(policy, days=30)

    half = recertification_fan_out(version_id=three.pk, batch_size=1, max_batches=1)
    rest = recertification_fan_out(version_id=three.pk, batch_size=1)

    assert (half.certificates, half.finished, rest.certificates, rest.finished) == (
        1,
        False,
        1,
        True,
    )
    assert Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION).count() == 2
    assert set(
        Assignment.objects.filter(reason=AssignmentReason.RECERTIFICATION).values_list(
            "policy_version", flat=True
        )
    ) == {three.pk}
    # No module quotes the refund method, so the window relearnt for 2.0 stands.
    done = set(
        ModuleProgress.objects.filter(completed_at__isnull=False).values_list(
            "user_id", "module_id"
        )
    )
    assert (first.user_id, window.pk) in done
    assert (second.user_id, window.pk) not in done


def test_a_pending_recertification_past_its_date_lapses_and_asks_for_the_whole_course(
    course_and_policy,
):
    course, policy = course_and_policy
    (person,) = certified(course)
    recertification_fan_out(version_id=material(policy).pk)
    overdue = datetime.date(2020, 1, 1)
    Certificate.objects.update(recertification_due_on=overdue)
    Assignment.objects.update(due_date=overdue)
    three = third(policy, days=30)
    recertification_fan_out(version_id=three.pk)
    assignment = Assignment.objects.get(employee=person)
    assert (assignment.policy_version, assignment.changed_sections) == (three, [])
    assert assignment.due_date == overdue  # still overdue
    assert Certificate.objects.get().status == CertificateStatus.EXPIRED


# --- a material version that rewords no section --------------------------------------


def test_a_material_version_rewording_no_section_asks_for_the_whole_course(
    client, course_and_policy
):
    course, policy = course_and_policy
    person = trained(course)
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Now covers returns.",
        days=30,
        title="Refunds and returns",
    )
    version = policy.versions.newest_first().first()
    assert version.label == "2.0"
    recertification_fan_out(version_id=version.pk)
    assignment = Assignment.objects.get(employee=person, reason=AssignmentReason.RECERTIFICATION)
    assert assignment.changed_sections == []
    assert not ModuleProgress.objects.filter(user=person.user, completed_at__isnull=False).exists()
    client.force_login(person.user)
    html = client.get(reverse("learning:dashboard")).content.decode()
    day = version.effective_at.date()
    assert f"Refunds and returns changed on {day.day} {day:%b %Y}: the whole course again." in html
    assert "0 sections" not in html


def test_an_attempt_begun_before_the_change_does_not_recertify(course_and_policy):
    course, policy = course_and_policy
    with_final(course, policy)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    early = course_attempt_start(user=person.user, course=course, assessment=course.assessment)
    recertification_fan_out(version_id=material(policy).pk)
    course.save_revision().publish()
    for module in course.get_modules():
        module_complete(user=person.user, course=course, module=module)
    items = served_items(early)
    answered = [(item, SAMPLES[item.kind][1]) for item in items]
    attempt_save(
        attempt=early, sequence=0, data=form(*answered), positions=[i.position for i in items]
    )
    assert attempt_submit(attempt=early).passed  # on the old questions, after the change
    assert not course_requirements_met(user=person.user, course=course)
    assert not Certificate.objects.filter(user=person.user, status=CertificateStatus.VALID)


def test_moving_onto_a_newer_version_gives_fresh_attempts(course_and_policy):
    course, policy = course_and_policy
    window, others = with_final(course, policy, attempts_allowed=2)
    course = CoursePage.objects.get(pk=course.pk)
    person = certified_by_the_final(course)
    recertification_fan_out(version_id=material(policy).pk)
    for question in window:  # revised for 2.0
        question.save_revision()
    course.save_revision().publish()  # the refresher opens
    assert not sit(person.user, course, right=False).passed
    assert not sit(person.user, course, right=False).passed  # both allowed attempts used
    recertification_fan_out(version_id=third(policy, days=30).pk)
    for question in [*window, *others]:  # revised for 3.0
        question.save_revision()
    course.save_revision().publish()

    fresh = course_attempt_start(user=person.user, course=course, assessment=course.assessment)

    assert fresh.status == "in_progress"


def test_two_changed_policies_in_one_course_handle_each_holder_once():
    refunds = publish_policy(title="Refunds")
    privacy = publish_policy(title="Privacy")
    course = make_course(
        "Both Policies",
        policies=[refunds, privacy],
        modules=[("Window", [excerpt(refunds, "returns-window")])],
        certificate_validity_months=12,
    )
    (person,) = certified(course)
    refunds_two = material(refunds)
    assert recertification_fan_out(version_id=refunds_two.pk).certificates == 1
    privacy_two = material(privacy)
    assert recertification_fan_out(version_id=privacy_two.pk).certificates == 1
    assignment = Assignment.objects.get(employee=person, completed_at__isnull=True)
    assert (assignment.policy_version, assignment.changed_sections) == (privacy_two, [])

    # Running either again (a resumed task starts from the first certificate) finds
    # the holder already covered by the whole-course recertification.
    assert recertification_fan_out(version_id=refunds_two.pk).certificates == 0
    assert recertification_fan_out(version_id=privacy_two.pk).certificates == 0
    assignment.refresh_from_db()
    assert assignment.policy_version == privacy_two
    assert Assignment.objects.filter(employee=person).count() == 1


def test_a_later_version_still_reaches_a_whole_course_recertification(course_and_policy):
    course, policy = course_and_policy
    person = trained(course)
    revise(policy, kind=ChangeKind.MATERIAL, summary="Renamed.", days=30, title="Refunds+")
    two = policy.versions.newest_first().first()
    recertification_fan_out(version_id=two.pk)  # the whole course, naming 2.0
    three = third(policy, days=10)

    assert recertification_fan_out(version_id=three.pk).certificates == 1

    assignment = Assignment.objects.get(employee=person, completed_at__isnull=True)
    assert assignment.policy_version == three  # completing it needs the course on 3.0


def test_the_assessment_page_counts_a_recertifications_attempts_afresh(client, delta_due):
    course, person, _, _ = delta_due
    client.force_login(person.user)
    html = client.get(reverse("learning:assessment", args=[course.slug, "final"])).content
    assert "0 of 2 used." in html.decode()  # the pass on 1.0 was before the change
    sit(person.user, course, right=False)
    html = client.get(reverse("learning:assessment", args=[course.slug, "final"])).content
    assert "1 of 2 used." in html.decode()


def test_a_role_play_passed_before_a_whole_course_recertification_reads_not_passed(
    client, course_and_policy
):
    course, _ = course_and_policy
    scenario = make_scenario(course, "Angry caller")
    person = EmployeeFactory()
    assign(person.user, course)
    for module in course.get_modules():
        answer_checks(person.user, module)
        module_complete(user=person.user, course=course, module=module)
    run = scenario_run_start(user=person.user, course=course, scenario=scenario, mode="assessed")
    best = {step.key: choice for step, choice in run.script.graph.best_path() if choice}
    while not run.is_finished:
        step = run.script.graph.by_key[run.current_step]
        scenario_run_choose(run=run, step_key=step.key, turn=run.turn, choice_id=best[step.key].id)
    assert run.passed and Certificate.objects.filter(user=person.user).exists()
    scenario_url = reverse("learning:scenario", args=[course.slug, scenario.slug])
    client.force_login(person.user)
    assert "You have passed this role-play" in client.get(scenario_url).content.decode()
    Certificate.objects.filter(user=person.user).update(expires_on=timezone.localdate())
    recertification_sweep(today=timezone.localdate())  # the expiry window opens
    assert "You have passed this role-play" not in client.get(scenario_url).content.decode()

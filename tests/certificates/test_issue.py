"""Issuing certificates when a course is completed: once per person, course and policy
versions, numbered in order, with what they say copied in at issue."""

import datetime
import threading

import pytest
from django.db import connection
from wagtail.models import ModelLogEntry

from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import add_months, certificate_issue
from courses.models import CoursePage
from learning.services import course_complete_if_done, module_complete
from tests.cms.factories import publish_policy
from tests.courses.factories import excerpt, make_course, refunds_course, text
from tests.learning.test_course_player import assign


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 11, 23), 12, datetime.date(2027, 11, 23)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2026, 12, 15), 2, datetime.date(2027, 2, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.django_db
def test_completing_a_course_issues_one_certificate(learner):
    policy = publish_policy()
    course = make_course(
        policies=[policy],
        modules=[("The window", [text("<p>Thirty days.</p>"), excerpt(policy, "returns-window")])],
        certificate_validity_months=12,
    )
    assign(learner, course)
    for module in course.get_modules():
        module_complete(user=learner, course=course, module=module)

    certificate = Certificate.objects.get(user=learner)
    assert certificate.course == course
    assert certificate.status == CertificateStatus.VALID
    assert certificate.learner_name == learner.get_full_name()
    assert certificate.expires_on == add_months(certificate.issued_on, 12)
    assert [(v.policy_title, v.label) for v in certificate.versions.all()] == [
        (policy.title, "1.0")
    ]
    assert certificate.versions.get().content_hash == policy.current_version.content_hash
    assert len(certificate.code) >= 32  # 192 random bits, URL-safe
    assert ModelLogEntry.objects.filter(action="certificates.issue").count() == 1

    course_complete_if_done(user=learner, course=course)
    assert Certificate.objects.filter(user=learner).count() == 1


@pytest.mark.django_db
def test_serials_run_in_order(make_user, settings):
    settings.CERTIFICATE_SERIAL_PREFIX = "HHG"
    course, _ = refunds_course()
    serials = [certificate_issue(user=make_user(), course=course).serial for _ in range(3)]
    assert serials == ["HHG-000001", "HHG-000002", "HHG-000003"]


@pytest.mark.django_db
def test_later_name_changes_do_not_touch_an_issued_certificate(learner):
    course, _ = refunds_course()
    certificate = certificate_issue(user=learner, course=course)
    name, title = learner.get_full_name(), course.title
    learner.first_name = "Renamed"
    learner.save()
    CoursePage.objects.filter(pk=course.pk).update(title="Another title")
    again = certificate_issue(user=learner, course=CoursePage.objects.get(pk=course.pk))
    assert again.pk == certificate.pk
    assert (again.learner_name, again.course_title) == (name, title)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so the requests cannot overlap there",
)
def test_concurrent_issues_make_one_certificate(learner):
    course, _ = refunds_course()
    barrier = threading.Barrier(4)
    serials = []

    def issue():
        try:
            barrier.wait()
            serials.append(certificate_issue(user=learner, course=course).serial)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(serials)) == 1 and len(serials) == 4
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_completing_again_after_expiry_issues_a_new_certificate(learner):
    course, _ = refunds_course(certificate_validity_months=12)
    lapsed = certificate_issue(user=learner, course=course, today=datetime.date(2024, 3, 1))
    fresh = certificate_issue(user=learner, course=course, today=datetime.date(2026, 3, 1))
    assert fresh.pk != lapsed.pk
    assert fresh.expires_on == datetime.date(2027, 3, 1)
    lapsed.refresh_from_db()
    assert lapsed.status == CertificateStatus.EXPIRED
    assert certificate_issue(user=learner, course=course, today=datetime.date(2026, 3, 2)) == fresh

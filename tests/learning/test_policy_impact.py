"""The policy editor's impact preview: what publishing a draft would set in motion, and
the page naming the people whose certificates would fall due."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from certificates.choices import CertificateStatus
from certificates.models import Certificate, CertificateVersion
from cms.choices import ChangeKind
from cms.models import PolicyPage
from learning.models import Employee
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.cms.test_policy_editor import editor_data, post_edit
from tests.courses.factories import excerpt, make_course, make_scenario, refund_steps, text
from tests.learning.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

REWORDED_WINDOW = section("returns-window", "The returns window", "Returns within 45 days.")


def certify(users, course, version, *, status=CertificateStatus.VALID, start=0):
    """Valid certificates on ``version`` for each of ``users``, made in bulk."""
    today = timezone.localdate()
    certificates = Certificate.objects.bulk_create(
        (
            Certificate(
                serial=f"T-{course.pk}-{start + n:06d}",
                code=f"code-{course.pk}-{start + n:06d}",
                user=user,
                course=course,
                learner_name=user.email,
                course_title=course.title,
                version_set=str(version.pk),
                issued_on=today - datetime.timedelta(days=30),
                status=status,
            )
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    CertificateVersion.objects.bulk_create(
        (
            CertificateVersion(
                certificate=certificate,
                version=version,
                policy_title=version.title,
                label=version.label,
                content_hash=version.content_hash,
            )
            for certificate in certificates
        ),
        batch_size=2000,
    )


def staff(count, department, *, prefix):
    """``count`` active employees in ``department``, made in bulk; returns their users."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            email=f"{prefix}-{n}@example.com",
            first_name="Holder",
            last_name=f"{prefix.title()} {n:05d}",
            password=make_password(None),
        )
        for n in range(count)
    )
    Employee.objects.bulk_create(
        Employee(user=user, employee_number=f"{prefix.upper()}-{n:05d}", department=department)
        for n, user in enumerate(users)
    )
    return users


def save_draft(policy, *, kind=ChangeKind.MATERIAL, sections=None, effective_on=None):
    page = PolicyPage.objects.get(pk=policy.pk).get_latest_revision_as_object()
    page.sections = sections or [REWORDED_WINDOW, *DEFAULT_SECTIONS[1:]]
    page.change_kind = kind
    page.change_summary = "Forty-five days."
    page.recertification_days = 30
    page.effective_on = effective_on
    page.save_revision()
    return page


@pytest.fixture
def policy():
    return publish_policy()


@pytest.fixture
def course(policy):
    course = make_course(
        "Refunds Done Right",
        policies=[policy],
        modules=[
            ("Welcome", [text("<p>Hello.</p>")]),
            ("The window", [excerpt(policy, "returns-window")]),
            ("Paying", [excerpt(policy, "refund-method")]),
        ],
    )
    make_scenario(course, "The late refund", steps=refund_steps(policy))
    return course


@pytest.fixture
def holders(policy, course):
    """Two people in Returns and one in Billing hold a valid certificate on 1.0; one
    inactive holder, one whose certificate was revoked and one with none do not count."""
    version = policy.current_version
    returns, billing = DepartmentFactory(name="Returns"), DepartmentFactory(name="Billing")
    people = [
        EmployeeFactory(department=returns, user__first_name="Ada", user__last_name="Ames"),
        EmployeeFactory(department=returns, user__first_name="Ben", user__last_name="Bell"),
        EmployeeFactory(department=billing, user__first_name="Cy", user__last_name="Cole"),
    ]
    certify([p.user for p in people], course, version)
    gone = EmployeeFactory(department=returns, active=False, user__last_name="Gone")
    revoked = EmployeeFactory(department=billing, user__last_name="Revoked")
    certify([gone.user], course, version, start=10)
    certify([revoked.user], course, version, status=CertificateStatus.REVOKED, start=20)
    EmployeeFactory(department=billing, user__last_name="Uncertified")
    return people


def edit_page(client, policy):
    return client.get(reverse("wagtailadmin_pages:edit", args=[policy.pk]))


def holders_url(policy, **query):
    url = reverse("learning_policy_holders", args=[policy.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_preview_shows_sections_courses_items_and_people(client, trainer, policy, holders):
    save_draft(policy)
    client.force_login(trainer)
    response = edit_page(client, policy)
    html = response.content.decode()
    assert "Impact of this change" in html
    assert "Before you publish, this is what the change sets in motion." in html
    assert "the last saved draft" in html
    assert "becomes version 2.0" in html
    # sections against 1.0
    assert "<strong>1</strong> reworded" in html
    assert "<del>30</del>" in html and "<ins>45</ins>" in html
    # the course, with the module quoting the reworded section and not the others
    assert "Refunds Done Right" in html
    assert "Changed since: The returns window." in html
    assert "The window</a>" in html
    assert "Paying</a>" not in html
    # three active holders, by department, with their names one click away
    assert "3 people</strong>" in html
    names = holders_url(policy)
    assert f'href="{names}"' in html
    returns = holders.pop(0).department
    assert f'href="{names}?department={returns.pk}">Returns</a>' in html


def test_a_role_play_citing_a_changed_section_is_listed(client, trainer, policy, course):
    sections = [
        DEFAULT_SECTIONS[0],
        DEFAULT_SECTIONS[1],
        section("store-credit", "Store credit", "Agents may offer store credit up to £75."),
    ]
    save_draft(policy, sections=sections)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "Changed since: Store credit." in html
    assert "Role-play</span>" in html
    assert "The late refund</a>" in html


def test_a_material_change_rewording_no_section_asks_the_whole_course(
    client, trainer, policy, course
):
    save_draft(policy, sections=DEFAULT_SECTIONS[:2])  # store credit removed, nothing reworded
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "<strong>1</strong> removed" in html
    assert "the whole course</strong> again" in html
    assert "the whole course will be asked again" in html


def test_an_editorial_draft_says_nobody_falls_due(client, trainer, policy, holders):
    save_draft(policy, kind=ChangeKind.EDITORIAL)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "becomes version 1.1, and nobody is asked to recertify" in html
    assert "An editorial change leaves them as they are" in html


def test_the_preview_names_the_day_the_change_takes_effect(client, trainer, policy, course):
    later = timezone.localdate() + datetime.timedelta(days=20)
    save_draft(policy, effective_on=later)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert f"taking effect on {later:%-d %b %Y}" in html


def test_the_preview_describes_the_saved_draft_not_a_refused_post(client, trainer, policy, course):
    save_draft(policy)
    client.force_login(trainer)
    data = editor_data(
        policy,
        sections=[("refund-method", "How refunds are paid", "Cash only.")],
        change_kind="material",  # no summary: refused
    )
    response = post_edit(client, policy, data)
    assert response.status_code == 200
    html = response.content.decode()
    # the refused post removed two sections and reworded the third; the saved draft did not
    assert "<strong>0</strong> removed" in html
    assert "Changed since: The returns window." in html


def test_no_preview_before_the_first_publish(client, trainer):
    policy = publish_policy()
    PolicyPage.objects.filter(pk=policy.pk).update(live=False)
    policy.versions.all()._raw_delete(policy.versions.db)  # a policy never published
    client.force_login(trainer)
    response = edit_page(client, policy)
    html = response.content.decode()
    assert response.status_code == 200 and "About this change" in html
    assert "Impact of this change" not in html


def test_a_policy_no_course_teaches_says_nobody_recertifies(client, trainer, policy):
    save_draft(policy)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "No course teaches this policy" in html


def test_a_course_behind_by_two_versions_lists_every_change_since(client, trainer, policy, course):
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Card refunds.",
        days=30,
        sections=[
            DEFAULT_SECTIONS[0],
            section("refund-method", "How refunds are paid", "Refund to the card used."),
            DEFAULT_SECTIONS[2],
        ],
    )
    save_draft(
        policy,
        sections=[
            REWORDED_WINDOW,
            section("refund-method", "How refunds are paid", "Refund to the card used."),
            DEFAULT_SECTIONS[2],
        ],
    )
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "Teaches Refunds 1.0." in html
    assert "Changed since: The returns window, How refunds are paid." in html
    assert "Paying</a>" in html


# --- the names -------------------------------------------------------------------------


def test_hr_sees_the_names_by_department(client, hr_user, policy, holders):
    client.force_login(hr_user)
    response = client.get(holders_url(policy))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Ada Ames", "Ben Bell", "Cy Cole"):
        assert name in html
    for left_out in ("Gone", "Revoked", "Uncertified"):
        assert left_out not in html
    assert "Refunds Done Right: version 1.0" in html
    returns = holders[0].department
    response = client.get(holders_url(policy, department=returns.pk))
    html = response.content.decode()
    assert "Ada Ames" in html and "Ben Bell" in html and "Cy Cole" not in html
    assert reverse("learning_employee_record", args=[holders[0].pk]) in html


def test_a_trainer_who_may_publish_sees_the_names_without_records(client, trainer, policy, holders):
    client.force_login(trainer)
    response = client.get(holders_url(policy))
    assert response.status_code == 200
    assert "Ada Ames" in response.content.decode()
    assert reverse("learning_employee_record", args=[holders[0].pk]) not in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_learners_and_managers_are_refused_the_names(client, request, policy, holders, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(holders_url(policy)).status_code == 403


def test_a_trainer_who_may_not_publish_sees_counts_but_not_names(client, trainer, policy, holders):
    trainers = Group.objects.get(name="Trainers")
    GroupPagePermission.objects.filter(group=trainers, permission__codename="publish_page").delete()
    assert not policy.permissions_for_user(trainer).can_publish()
    save_draft(policy)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "3 people</strong>" in html
    assert holders_url(policy) not in html
    assert "Their names are shown to HR" in html
    assert client.get(holders_url(policy)).status_code == 403


def test_an_unknown_department_is_not_found(client, hr_user, policy, holders):
    client.force_login(hr_user)
    assert client.get(holders_url(policy, department="abc")).status_code == 404
    assert client.get(holders_url(policy, department="99999")).status_code == 404


def test_the_names_are_fifty_to_a_page(client, hr_user, policy, course):
    department = DepartmentFactory(name="Returns")
    certify(staff(60, department, prefix="many"), course, policy.current_version)
    client.force_login(hr_user)
    first = client.get(holders_url(policy)).content.decode()
    assert "Page 1 of 2" in first
    assert "Many 00049" in first and "Many 00050" not in first
    second = client.get(holders_url(policy, p=2)).content.decode()
    assert "Many 00050" in second and "Many 00059" in second


# --- scale -----------------------------------------------------------------------------


def queries_of(fetch):
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_preview_costs_the_same_queries_for_10_and_10000_holders(
    client, trainer, policy, course, django_assert_max_num_queries
):
    save_draft(policy)
    department = DepartmentFactory(name="Returns")
    certify(staff(10, department, prefix="few"), course, policy.current_version)
    client.force_login(trainer)
    edit_page(client, policy)  # warm the caches a first page load fills
    small, response = queries_of(lambda: edit_page(client, policy))
    assert "10 people</strong>" in response.content.decode()

    others = DepartmentFactory(name="Billing")
    certify(staff(9_990, others, prefix="lots"), course, policy.current_version, start=10)
    with django_assert_max_num_queries(small):
        response = edit_page(client, policy)
    assert "10000 people</strong>" in response.content.decode()


def test_the_names_page_costs_the_same_queries_at_two_sizes(
    client, hr_user, policy, course, django_assert_max_num_queries
):
    department = DepartmentFactory(name="Returns")
    certify(staff(5, department, prefix="few"), course, policy.current_version)
    client.force_login(hr_user)
    client.get(holders_url(policy))
    small, _ = queries_of(lambda: client.get(holders_url(policy)))
    certify(staff(400, department, prefix="more"), course, policy.current_version, start=5)
    with django_assert_max_num_queries(small):
        response = client.get(holders_url(policy))
    assert "Page 1 of 9" in response.content.decode()


def test_without_changes_the_preview_says_publishing_changes_nothing(
    client, trainer, policy, holders
):
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "is word for word version 1.0" in html
    assert "policy-impact-courses" not in html


def test_a_day_saved_in_the_draft_that_has_passed_is_read_as_the_publishing_day(
    client, trainer, policy, course
):
    save_draft(policy, effective_on=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    assert "taking effect the day it is published" in html


def test_hr_reviewing_a_policy_is_not_linked_to_editors_it_may_not_open(
    client, hr_user, policy, course
):
    if not policy.permissions_for_user(hr_user).can_edit():
        hr = Group.objects.get(name="HR")
        for codename in ("change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=hr, page=policy.get_parent(), permission_type=codename
            )
    save_draft(policy)
    client.force_login(hr_user)
    html = edit_page(client, policy).content.decode()
    assert "Refunds Done Right" in html and "The window" in html
    assert reverse("wagtailadmin_pages:edit", args=[course.pk]) not in html
    module = course.get_modules().get(title="The window")
    assert reverse("wagtailadmin_pages:edit", args=[module.pk]) not in html


def test_a_trainer_is_linked_to_each_item_to_update(client, trainer, policy, course):
    save_draft(policy)
    client.force_login(trainer)
    html = edit_page(client, policy).content.decode()
    module = course.get_modules().get(title="The window")
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[course.pk])}"' in html
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[module.pk])}"' in html

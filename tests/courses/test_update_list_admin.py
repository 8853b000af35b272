"""Trainers work a course's update list in the admin: in the course editor, on the list's
own page and in the Courses to update report; publishing with items open asks first."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, PageLogEntry
from wagtail.test.utils.form_data import nested_form_data

from cms.choices import ChangeKind
from courses.choices import UpdateItemClosed
from courses.models import CoursePolicyPin, CourseUpdateItem, ModulePage
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy, revise, section
from tests.courses.factories import excerpt, make_course, make_scenario, refund_steps, text

pytestmark = pytest.mark.django_db

REPORT = reverse("courses_to_update")


def sections(window="30 days"):
    return [
        section("returns-window", "The returns window", f"Return items within {window}."),
        section("store-credit", "Store credit", "Agents may offer store credit up to £50."),
    ]


def course_with_list(title, policy, captured=None):
    kind = "single_choice"
    asked = make_question(
        kind,
        SAMPLES[kind][0],
        title=f"{title}: the window",
        policy=policy,
        section_keys="returns-window",
    )
    return make_course(
        title,
        policies=[policy],
        modules=[
            ("Welcome", [text("<p>Hello.</p>")]),
            (f"{title} window", [excerpt(policy, "returns-window")]),
        ],
        assessment=make_assessment([asked], title=f"{title} final"),
    )


def publish_material(policy, captured):
    with captured(execute=True):
        revise(
            policy,
            kind=ChangeKind.MATERIAL,
            summary="45 days.",
            days=30,
            sections=sections("45 days"),
        )


@pytest.fixture
def listed(django_capture_on_commit_callbacks):
    policy = publish_policy(sections=sections())
    course = course_with_list("Refunds Done Right", policy)
    publish_material(policy, django_capture_on_commit_callbacks)
    return course, policy


def edit_form(course, **extra):
    data = {
        "title": course.title,
        "slug": course.slug,
        "summary": course.summary,
        "estimated_minutes": "30",
        "onboarding_due_days": "14",
        "default_due_days": "30",
        "certificate_validity_months": "",
        "recertification_window_days": "30",
        "assessment": course.assessment_id or "",
        "action-publish": "action-publish",
    }
    data.update(extra)
    data = nested_form_data(data)
    data["policies"] = [policy.pk for policy in course.policies.all()]
    return data


def pinned(course):
    return sorted(pin.version.label for pin in CoursePolicyPin.objects.filter(course=course))


def test_the_course_editor_shows_the_list_with_links_and_confirm_buttons(client, trainer, listed):
    course, _ = listed
    client.force_login(trainer)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Update list: Refunds 1.0 → 2.0." in page
    assert "2 items open, 0 done" in page
    module = ModulePage.objects.get(title="Refunds Done Right window")
    assert reverse("wagtailadmin_pages:edit", args=[module.pk]) in page
    question = CourseUpdateItem.objects.get(kind="question").question
    assert reverse("wagtailsnippets_assessments_question:edit", args=[question.pk]) in page
    assert page.count(">Still correct</button>") == 2
    assert "Publish anyway with 2 items open" in page


def test_a_trainer_confirms_an_item_on_the_list_page(client, trainer, listed):
    course, _ = listed
    item = CourseUpdateItem.objects.get(kind="question")
    client.force_login(trainer)
    list_url = reverse("courses_update_list", args=[course.pk])
    page = client.get(list_url).content.decode()
    assert "csrfmiddlewaretoken" in page and "Still correct: Refunds Done Right: the window" in page

    response = client.post(reverse("courses_update_item_confirm", args=[item.pk]), follow=True)
    assert response.redirect_chain[-1][0] == list_url
    page = response.content.decode()
    assert "confirmed still correct." in page
    assert "Done: confirmed still correct by" in page
    assert "1 item open, 1 done" in page

    # Confirming again changes nothing and says why.
    response = client.post(reverse("courses_update_item_confirm", args=[item.pk]), follow=True)
    assert "is already done; there is nothing to confirm." in response.content.decode()
    assert PageLogEntry.objects.filter(action="courses.update_item_confirm").count() == 1


def test_confirming_takes_a_post(client, trainer, listed):
    item = CourseUpdateItem.objects.get(kind="question")
    client.force_login(trainer)
    assert client.get(reverse("courses_update_item_confirm", args=[item.pk])).status_code == 405
    assert CourseUpdateItem.objects.get(pk=item.pk).is_open


def test_publishing_with_open_items_is_refused_until_the_trainer_goes_ahead(
    client, trainer, listed
):
    course, _ = listed
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:edit", args=[course.pk])

    response = client.post(url, edit_form(course))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The update list still has 2 items open:" in page
    assert "“Refunds Done Right: the window”" in page
    assert pinned(course) == ["1.0"], "nothing was published"
    assert CourseUpdateItem.objects.open().count() == 2

    response = client.post(url, edit_form(course, publish_with_open_items="on"))
    assert response.status_code == 302
    assert pinned(course) == ["2.0"]
    items = CourseUpdateItem.objects.filter(course=course)
    assert {(i.closed_reason, i.closed_by) for i in items} == {
        (UpdateItemClosed.PUBLISHED_OPEN, trainer)
    }
    entry = PageLogEntry.objects.get(action="courses.published_with_open_items")
    assert entry.user == trainer and entry.data["open_items"] == 2

    page = client.get(REPORT).content.decode()
    assert "2 items, by" in page
    page = client.get(reverse("courses_update_list", args=[course.pk])).content.decode()
    assert "Last published with 2 update list items still open by" in page
    assert "This course has nothing to update." in page


def test_publishing_once_every_item_is_done_needs_no_confirmation(client, trainer, listed):
    course, _ = listed
    client.force_login(trainer)
    module = ModulePage.objects.get(title="Refunds Done Right window")
    module.save_revision(user=trainer).publish()
    item = CourseUpdateItem.objects.get(kind="question")
    client.post(reverse("courses_update_item_confirm", args=[item.pk]))

    response = client.post(reverse("wagtailadmin_pages:edit", args=[course.pk]), edit_form(course))
    assert response.status_code == 302
    assert pinned(course) == ["2.0"]
    reasons = {i.kind: i.state for i in CourseUpdateItem.objects.select_related("page", "question")}
    assert reasons == {"module": "revised", "question": UpdateItemClosed.CONFIRMED}
    assert not PageLogEntry.objects.filter(action="courses.published_with_open_items").exists()
    page = client.get(reverse("courses_update_list", args=[course.pk])).content.decode()
    assert "This course has nothing to update." in page
    assert "Refunds Done Right" not in client.get(REPORT).content.decode()


@pytest.fixture
def other_trainer(make_user, django_capture_on_commit_callbacks):
    """A trainer whose group may edit only the Complaints course."""
    policy = publish_policy("Complaints", sections=sections())
    complaints = course_with_list("Complaints", policy)
    publish_material(policy, django_capture_on_commit_callbacks)
    group = Group.objects.create(name="Complaints trainers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=complaints, permission=Permission.objects.get(codename=codename)
        )
    return make_user("Complaints trainers", email="complaints@example.com")


def test_a_trainer_without_permission_on_the_course_gets_403(client, listed, other_trainer):
    course, _ = listed
    item = CourseUpdateItem.objects.filter(course=course).first()
    client.force_login(other_trainer)
    assert client.get(reverse("courses_update_list", args=[course.pk])).status_code == 403
    response = client.post(reverse("courses_update_item_confirm", args=[item.pk]))
    assert response.status_code == 403
    assert CourseUpdateItem.objects.get(pk=item.pk).is_open

    # Their report lists only the course they edit.
    page = client.get(REPORT).content.decode()
    assert "Complaints" in page and "Refunds Done Right" not in page


@pytest.mark.parametrize("role", ["HR", "Learners", "Managers"])
def test_the_report_is_for_people_who_edit_courses(client, make_user, listed, role):
    client.force_login(make_user(role))
    assert client.get(REPORT).status_code == 403
    course, _ = listed
    assert client.get(reverse("courses_update_list", args=[course.pk])).status_code == 403


def test_the_report_is_in_the_trainers_reports_menu(client, trainer, hr_user):
    client.force_login(trainer)
    assert REPORT in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(hr_user)
    assert REPORT not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_an_unknown_course_or_item_is_404(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("courses_update_list", args=[999999])).status_code == 404
    assert client.post(reverse("courses_update_item_confirm", args=[999999])).status_code == 404


@pytest.mark.parametrize("courses", [1, 5])
def test_the_report_answers_in_a_fixed_number_of_queries(
    client, trainer, courses, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    policy = publish_policy(sections=sections())
    for n in range(courses):
        course_with_list(f"Course {n}", policy)
    publish_material(policy, django_capture_on_commit_callbacks)
    client.force_login(trainer)
    with django_assert_max_num_queries(22):
        page = client.get(REPORT).content.decode()
    assert page.count("2.0</td>") == courses


def test_still_correct_in_the_editor_comes_back_to_the_editor(client, trainer, listed):
    course, _ = listed
    item = CourseUpdateItem.objects.get(kind="question")
    edit_url = reverse("wagtailadmin_pages:edit", args=[course.pk])
    confirm = reverse("courses_update_item_confirm", args=[item.pk])
    client.force_login(trainer)
    page = client.get(edit_url).content.decode()
    assert f'formaction="{confirm}?next=/admin/pages/{course.pk}/edit/"' in page

    response = client.post(f"{confirm}?next={edit_url}")
    assert response["Location"] == edit_url
    assert not CourseUpdateItem.objects.get(pk=item.pk).is_open

    # An address off the site is not followed.
    other = CourseUpdateItem.objects.get(kind="module")
    response = client.post(
        reverse("courses_update_item_confirm", args=[other.pk]) + "?next=https://example.org/"
    )
    assert response["Location"] == reverse("courses_update_list", args=[course.pk])


@pytest.mark.parametrize("modules", [1, 6])
def test_a_course_update_list_answers_in_a_fixed_number_of_queries(
    client, trainer, modules, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    policy = publish_policy(sections=sections())
    course = make_course(
        policies=[policy],
        modules=[(f"Part {n}", [excerpt(policy, "returns-window")]) for n in range(modules)],
    )
    publish_material(policy, django_capture_on_commit_callbacks)
    client.force_login(trainer)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("courses_update_list", args=[course.pk])).content.decode()
    assert page.count(">Still correct</button>") == modules


def test_a_role_play_still_open_cannot_be_published_over(
    client, trainer, django_capture_on_commit_callbacks
):
    # Nobody could play a role-play with no script for the new version, so going ahead
    # anyway is refused for it until it is revised or confirmed.
    policy = publish_policy(sections=sections())
    course = course_with_list("Refunds Done Right", policy)
    make_scenario(course, steps=refund_steps(policy))  # its replies cite store-credit
    with django_capture_on_commit_callbacks(execute=True):
        revise(
            policy,
            kind=ChangeKind.MATERIAL,
            summary="Store credit up to £75.",
            days=30,
            sections=[
                sections()[0],
                section("store-credit", "Store credit", "Agents may offer credit up to £75."),
            ],
        )
    role_play = CourseUpdateItem.objects.get(kind="role-play")
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:edit", args=[course.pk])

    response = client.post(url, edit_form(course, publish_with_open_items="on"))
    assert response.status_code == 200
    assert f"The role-play “{role_play.title}” is still open on the update list." in (
        response.content.decode()
    )
    assert pinned(course) == ["1.0"], "nothing was published"

    client.post(reverse("courses_update_item_confirm", args=[role_play.pk]))
    response = client.post(url, edit_form(course, publish_with_open_items="on"))
    assert response.status_code == 302
    assert pinned(course) == ["2.0"]


def test_confirming_a_question_needs_the_right_to_edit_questions(client, other_trainer):
    # The Complaints trainer may edit that course, but not the question bank: confirming
    # a question saves a new revision of it, so it is refused; the module is theirs.
    question = CourseUpdateItem.objects.get(course__title="Complaints", kind="question")
    module = CourseUpdateItem.objects.get(course__title="Complaints", kind="module")
    client.force_login(other_trainer)
    response = client.post(reverse("courses_update_item_confirm", args=[question.pk]))
    assert response.status_code == 403
    assert CourseUpdateItem.objects.get(pk=question.pk).is_open
    client.post(reverse("courses_update_item_confirm", args=[module.pk]))
    assert not CourseUpdateItem.objects.get(pk=module.pk).is_open

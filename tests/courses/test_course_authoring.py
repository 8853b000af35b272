"""Trainers author courses: pinning to policy versions, stale quotes, validation, preview."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.choices import ChangeKind
from courses.blocks import KnowledgeCheckBlock, PolicyExcerptBlock
from courses.models import CoursePage, CoursePolicyPin, ModulePage
from courses.selectors import course_stale_quotes
from tests.cms.factories import DEFAULT_SECTIONS, revise, section
from tests.courses.factories import (
    WINDOW_CHECK,
    add_module,
    catalogue,
    make_course,
    refunds_course,
)

pytestmark = pytest.mark.django_db


def pinned_labels(course):
    return sorted(pin.version.label for pin in CoursePolicyPin.objects.filter(course=course))


def wider_window(policy):
    sections = [
        section(
            "returns-window", "The returns window", "Customers may return items within 45 days."
        ),
        *DEFAULT_SECTIONS[1:],
    ]
    return revise(policy, kind=ChangeKind.MATERIAL, summary="45 days.", days=30, sections=sections)


def test_publishing_a_course_pins_the_current_policy_versions():
    course, policy = refunds_course()
    assert pinned_labels(course) == ["1.0"]

    wider_window(policy)
    assert pinned_labels(course) == ["1.0"], "a policy revision alone does not move the pin"

    course.save_revision().publish()
    assert pinned_labels(course) == ["2.0"]


def test_modules_quoting_changed_sections_are_listed_until_the_course_is_republished():
    course, policy = refunds_course()
    assert course_stale_quotes(course=course) == []

    wider_window(policy)
    stale = course_stale_quotes(course=course)
    assert [(q.module.title, q.section_key, q.pinned_label, q.current_label) for q in stale] == [
        ("The window", "returns-window", "1.0", "2.0")
    ]

    course.save_revision().publish()
    assert course_stale_quotes(course=course) == []


def test_an_editorial_change_to_an_unquoted_section_flags_nothing():
    course, policy = refunds_course()
    sections = [*DEFAULT_SECTIONS[:2], section("store-credit", "Store credit", "Up to £60.")]
    revise(policy, kind=ChangeKind.EDITORIAL, sections=sections)
    assert course_stale_quotes(course=course) == []


def test_the_trainer_sees_stale_quotes_in_the_course_editor(client, trainer):
    course, policy = refunds_course()
    client.force_login(trainer)
    edit_url = reverse("wagtailadmin_pages:edit", args=[course.pk])
    assert "have moved on" not in client.get(edit_url).content.decode()

    wider_window(policy)
    page = client.get(edit_url).content.decode()
    assert "The policies behind this course have moved on" in page
    assert "The window: Refunds section “returns-window” (course teaches 1.0; 2.0 is out)" in page


def course_form(**fields):
    data = {
        "title": "Handling complaints",
        "slug": "handling-complaints",
        "summary": "Take a complaint from first contact to resolution.",
        "estimated_minutes": "45",
        "onboarding_due_days": "14",
        "default_due_days": "30",
        "certificate_validity_months": "",
        "recertification_window_days": "30",
        "action-publish": "action-publish",
    }
    data.update(fields)
    return nested_form_data(data)


def test_a_trainer_creates_and_publishes_a_course(client, trainer):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue().pk])
    response = client.post(url, course_form())
    assert response.status_code == 302
    assert CoursePage.objects.get(slug="handling-complaints").live


@pytest.mark.parametrize("field", ["onboarding_due_days", "default_due_days"])
def test_a_negative_due_period_is_refused(client, trainer, field):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue().pk])
    response = client.post(url, course_form(**{field: "-5"}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not CoursePage.objects.filter(slug="handling-complaints").exists()


@pytest.mark.parametrize("days", ["0", "-1", "400", ""])
def test_a_recertification_window_outside_a_day_to_a_year_is_refused(client, trainer, days):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue().pk])
    response = client.post(url, course_form(recertification_window_days=days))
    assert response.status_code == 200
    assert "recertification_window_days" in response.context["form"].errors
    assert not CoursePage.objects.filter(slug="handling-complaints").exists()


def module_form(module, body):
    data = nested_form_data(
        {
            "title": module.title,
            "slug": module.slug,
            "intro": "",
            "estimated_minutes": "10",
            "body": streamfield(body),
        }
    )
    data["action-publish"] = "action-publish"
    return data


def test_a_knowledge_check_without_a_right_answer_is_refused_in_the_editor(client, trainer):
    course, _ = refunds_course()
    module = course.get_modules().last()
    revisions_before = module.revisions.count()
    client.force_login(trainer)
    options = streamfield(
        [
            ("item", {"text": "Refuse the return.", "correct": False, "feedback": ""}),
            ("item", {"text": "Call a manager.", "correct": False, "feedback": ""}),
        ]
    )
    body = [("knowledge_check", {"question": "What now?", "options": options})]
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[module.pk]), module_form(module, body)
    )
    assert response.status_code == 200
    assert "Mark at least one option as correct." in response.content.decode()
    assert module.revisions.count() == revisions_before


def test_knowledge_check_block_accepts_a_question_with_a_right_answer():
    block = KnowledgeCheckBlock()
    value = block.to_python(WINDOW_CHECK["value"])
    assert block.clean(value)["question"].startswith("A customer asks")


def test_a_policy_excerpt_must_name_a_published_section():
    _, policy = refunds_course()
    block = PolicyExcerptBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"policy": policy.pk, "section_key": "no-such-key"}))
    message = str(error.value.block_errors["section_key"])
    assert "Refunds has no published section “no-such-key”" in message
    assert "returns-window, refund-method, store-credit" in message


def test_every_course_page_type_previews():
    course, _ = refunds_course()
    module = ModulePage.objects.child_of(course).first()
    for page in (catalogue(), course, module):
        response = page.make_preview_request()
        assert response.status_code == 200, page
    module_preview = module.make_preview_request().render().content.decode()
    assert "The returns window" in module_preview
    assert "Customers may return items within 30 days." in module_preview


def test_the_preview_of_a_knowledge_check_gives_nothing_away():
    course, _ = refunds_course()
    module = course.get_modules().last()
    html = module.make_preview_request().render().content.decode()
    assert "A customer asks to return an unopened kettle" in html
    assert "Accept the return" in html
    for secret in ("Yes: 20 days is within 30.", "No manager is needed", "correct"):
        assert secret not in html


def test_course_pages_at_their_own_address_send_people_to_the_player(client, learner):
    course, _ = refunds_course()
    module = course.get_modules().first()
    client.force_login(learner)
    assert client.get(course.url).url == f"/learn/courses/{course.slug}/"
    assert client.get(module.url).url == f"/learn/courses/{course.slug}/{module.slug}/"
    assert client.get(catalogue().url).url == "/learn/"


def test_unpublished_modules_are_not_part_of_the_course():
    course = make_course(modules=[("Published", [WINDOW_CHECK])])
    add_module(course, "Draft", [WINDOW_CHECK], publish=False)
    assert [m.title for m in course.get_modules()] == ["Published"]

"""After a material policy version, each course teaching it gets an update list: made on
publish, worked by revising or confirming, finished by republishing the course."""

import pytest
from wagtail.models import ModelLogEntry, PageLogEntry

from assessments.models import Question
from cms.choices import ChangeKind
from courses.choices import UpdateItemClosed
from courses.models import CourseUpdateItem, ModulePage
from courses.update_list_services import UpdateItemError, course_update_item_confirm
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy, revise, section
from tests.courses.factories import excerpt, make_course, make_scenario, refund_steps, text

pytestmark = pytest.mark.django_db


def question(title, policy, keys):
    kind = "single_choice"
    return make_question(kind, SAMPLES[kind][0], title=title, policy=policy, section_keys=keys)


def sections(window="30 days", credit="£50", method="the original payment method"):
    return [
        section("returns-window", "The returns window", f"Return items within {window}."),
        section("refund-method", "How refunds are paid", f"Refund to {method}."),
        section("store-credit", "Store credit", f"Agents may offer store credit up to {credit}."),
    ]


@pytest.fixture
def course_and_policy():
    policy = publish_policy(sections=sections())
    window_question = question("How long is the window?", policy, "returns-window")
    question("How is a refund paid?", policy, "refund-method")
    course = make_course(
        policies=[policy],
        modules=[
            ("Welcome", [text("<p>Hello.</p>")]),
            ("The window", [excerpt(policy, "returns-window")]),
        ],
        assessment=make_assessment([window_question], title="Refunds final"),
    )
    make_scenario(course, steps=refund_steps(policy))
    return course, policy


def publish_material(policy, captured, **changes):
    with captured(execute=True):
        return revise(
            policy,
            kind=ChangeKind.MATERIAL,
            summary="Changed.",
            days=30,
            sections=sections(**changes),
        )


def listed(course):
    return sorted(
        (item.kind, item.title, tuple(item.section_keys), item.is_open)
        for item in CourseUpdateItem.objects.filter(course=course).select_related(
            "page", "question"
        )
    )


def test_a_material_version_lists_what_cites_the_changed_sections(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    assert listed(course) == [
        ("module", "The window", ("returns-window",), True),
        ("question", "How long is the window?", ("returns-window",), True),
    ]


def test_an_editorial_version_lists_nothing(course_and_policy, django_capture_on_commit_callbacks):
    course, policy = course_and_policy
    with django_capture_on_commit_callbacks(execute=True):
        revise(policy, kind=ChangeKind.EDITORIAL, sections=sections(window="thirty days"))
    assert listed(course) == []


def test_two_material_versions_cover_every_change_since_the_pin_without_repeating(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days", credit="£75")
    assert listed(course) == [
        ("module", "The window", ("returns-window",), True),
        ("question", "How long is the window?", ("returns-window",), True),
        ("role-play", "The late refund", ("store-credit",), True),
    ]
    assert {item.version.label for item in CourseUpdateItem.objects.all()} == {"3.0"}
    assert {item.pinned_version.label for item in CourseUpdateItem.objects.all()} == {"1.0"}


def test_revising_a_module_closes_its_item_and_a_later_version_leaves_it_closed(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    module = ModulePage.objects.get(title="The window")
    module.save_revision().publish()
    assert ("module", "The window", ("returns-window",), False) in listed(course)

    # A later version changing another section does not bring the revised module back.
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days", credit="£75")
    assert [row for row in listed(course) if row[0] == "module"] == [
        ("module", "The window", ("returns-window",), False)
    ]


def test_a_version_rewording_no_section_lists_the_whole_course(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    with django_capture_on_commit_callbacks(execute=True):
        revise(policy, kind=ChangeKind.MATERIAL, summary="New title.", days=30, title="Refunds 2")
    rows = listed(course)
    assert [(kind, title) for kind, title, _, _ in rows] == [
        ("module", "The window"),
        ("module", "Welcome"),
        ("question", "How long is the window?"),
        ("role-play", "The late refund"),
    ]
    item = CourseUpdateItem.objects.filter(kind="module").first()
    assert "rewords no section" in item.detail


def test_confirming_records_who_and_when(
    course_and_policy, trainer, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    item = CourseUpdateItem.objects.get(kind="question")

    course_update_item_confirm(item=item, user=trainer)
    item.refresh_from_db()
    assert not item.is_open
    assert item.closed_by == trainer
    assert item.closed_reason == UpdateItemClosed.CONFIRMED
    assert item.closed_at is not None
    entry = PageLogEntry.objects.get(action="courses.update_item_confirm")
    assert entry.user == trainer and entry.page_id == course.pk

    with pytest.raises(UpdateItemError, match="already done"):
        course_update_item_confirm(item=item, user=trainer)


def test_deleting_a_question_closes_its_item_with_a_note(
    course_and_policy, django_capture_on_commit_callbacks
):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    target = Question.objects.get(title="How long is the window?")
    course.specific.assessment.selection_rules.all().delete()
    target.delete()

    item = CourseUpdateItem.objects.get(kind="question")
    assert item.question is None
    assert item.title == "How long is the window?"
    assert item.closed_reason == UpdateItemClosed.DELETED
    assert not item.is_open
    assert not ModelLogEntry.objects.filter(action="courses.update_item_confirm").exists()


def test_deleting_a_module_closes_its_item(course_and_policy, django_capture_on_commit_callbacks):
    _, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    ModulePage.objects.get(title="The window").delete()

    item = CourseUpdateItem.objects.get(kind="module")
    assert (item.page, item.closed_reason, item.title) == (None, "deleted", "The window")


def test_a_question_saved_again_is_done(course_and_policy, django_capture_on_commit_callbacks):
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    target = Question.objects.get(title="How long is the window?")
    target.stem = "<p>How many days is the returns window now?</p>"
    target.save()
    target.save_revision()
    assert ("question", "How long is the window?", ("returns-window",), False) in listed(course)


def test_courses_not_live_or_not_teaching_the_policy_get_no_list(
    course_and_policy, django_capture_on_commit_callbacks
):
    _, policy = course_and_policy
    other = make_course("Complaints", policies=[publish_policy("Complaints")])
    draft = make_course("Draft refunds", policies=[policy], publish=False)
    publish_material(policy, django_capture_on_commit_callbacks, window="45 days")
    assert listed(other) == [] and listed(draft) == []


def test_a_section_nothing_in_the_course_cites_lists_nothing(
    course_and_policy, django_capture_on_commit_callbacks
):
    # "How is a refund paid?" cites it, but the course's assessment never draws it.
    course, policy = course_and_policy
    publish_material(policy, django_capture_on_commit_callbacks, method="a gift card")
    assert listed(course) == []

"""What in a course cites policy sections that changed, read for many courses at once."""

import pytest
from django.urls import reverse

from assessments.models import QuestionBank, SelectionRule
from courses.update_list import WHOLE_COURSE, affected_items_by_course
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy
from tests.courses.factories import excerpt, make_course, make_scenario, refund_steps, text

pytestmark = pytest.mark.django_db


def question(title, policy, keys):
    kind = "single_choice"
    return make_question(kind, SAMPLES[kind][0], title=title, policy=policy, section_keys=keys)


def course_citing(policy, title="Refunds Done Right"):
    """A course whose module quotes returns-window, whose role-play cites store-credit and
    whose final assessment holds a fixed question on returns-window and draws on the bank."""
    window = question(f"{title}: the window", policy, "returns-window")
    question(f"{title}: how refunds are paid", policy, "refund-method")
    course = make_course(
        title,
        policies=[policy],
        modules=[
            ("Welcome", [text("<p>Hello.</p>")]),
            ("The window", [excerpt(policy, "returns-window"), excerpt(policy, "returns-window")]),
        ],
        assessment=make_assessment(
            [window],
            title=f"{title} final",
            rules=[SelectionRule(count=1, bank=QuestionBank.objects.get(name="Refunds"))],
        ),
    )
    make_scenario(course, f"{title} late refund", steps=refund_steps(policy))
    return course


def described(items):
    return [(i.kind, i.title, i.section_keys) for i in items]


def test_modules_role_plays_and_questions_citing_a_changed_section_are_listed():
    policy = publish_policy()
    course = course_citing(policy)

    items = affected_items_by_course(
        policy_id=policy.pk, changed_keys_by_course={course.pk: {"returns-window"}}
    )[course.pk]
    assert described(items) == [
        ("module", "The window", ("returns-window",)),
        ("question", "Refunds Done Right: the window", ("returns-window",)),
    ]
    module, fixed = items
    assert module.detail == "2 policy excerpts quoting returns-window"
    assert module.edit_url == reverse("wagtailadmin_pages:edit", args=[module.object_id])
    assert fixed.detail == "A fixed question in the course's final assessment"

    items = affected_items_by_course(
        policy_id=policy.pk, changed_keys_by_course={course.pk: {"store-credit", "refund-method"}}
    )[course.pk]
    assert described(items) == [
        ("role-play", "Refunds Done Right late refund", ("store-credit",)),
        ("question", "Refunds Done Right: how refunds are paid", ("refund-method",)),
    ]
    assert items[0].detail == "Replies citing them: opening (reply 2)"
    assert items[1].detail == "Can be drawn at random in the course's final assessment"


def test_a_version_rewording_no_section_lists_the_whole_course():
    policy = publish_policy()
    course = course_citing(policy)

    items = affected_items_by_course(policy_id=policy.pk, changed_keys_by_course={course.pk: set()})
    kinds = [(i.kind, i.title) for i in items[course.pk]]
    assert kinds == [
        ("module", "Welcome"),
        ("module", "The window"),
        ("role-play", "Refunds Done Right late refund"),
        ("question", "Refunds Done Right: how refunds are paid"),
        ("question", "Refunds Done Right: the window"),
    ]
    assert all(WHOLE_COURSE in i.detail for i in items[course.pk])


def test_another_policy_citing_the_same_key_is_not_listed():
    policy = publish_policy()
    other = publish_policy("Exchanges")
    course = make_course(policies=[policy], modules=[("Other", [excerpt(other, "returns-window")])])
    items = affected_items_by_course(
        policy_id=policy.pk, changed_keys_by_course={course.pk: {"returns-window"}}
    )
    assert items == {course.pk: []}


@pytest.mark.parametrize("courses", [1, 6])
def test_the_query_count_does_not_grow_with_the_courses(courses, django_assert_max_num_queries):
    policy = publish_policy()
    ids = [course_citing(policy, f"Course {n}").pk for n in range(courses)]
    with django_assert_max_num_queries(6):
        items = affected_items_by_course(
            policy_id=policy.pk, changed_keys_by_course={pk: {"returns-window"} for pk in ids}
        )
    assert all(len(items[pk]) >= 2 for pk in ids)

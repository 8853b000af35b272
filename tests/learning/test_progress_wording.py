"""Progress says what a course holds, kind by kind, and the button under it matches the
state shown beside it: Start, Continue or Review."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.models import Assignment, ModuleProgress
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy
from tests.courses.factories import make_course, make_scenario, refund_steps, text
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def course():
    """Two modules, one role-play and a final assessment: four things to do, two modules."""
    policy = publish_policy(title="Refunds")
    value, _, _ = SAMPLES["single_choice"]
    question = make_question("single_choice", value, title="Refund window", bank="Wording")
    course = make_course(
        "Refunds Done Right",
        policies=[policy],
        modules=[("Inside", [text("<p>In.</p>")]), ("Outside", [text("<p>Out.</p>")])],
    )
    CoursePage.objects.filter(pk=course.pk).update(assessment=make_assessment([question]))
    course = CoursePage.objects.get(pk=course.pk)
    make_scenario(course, steps=refund_steps())
    return course


def card(page: str, heading_id: str) -> str:
    """The dashboard section under one heading."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_a_new_course_counts_each_kind_and_offers_start(client, learner, course):
    assign(learner, course)
    client.force_login(learner)
    page = client.get("/learn/").content.decode()
    assert "0 of 2 modules, 0 of 1 role-play, final assessment not passed yet" in page
    assert "of 4 modules" not in page
    assert ">Start<" in page and ">Continue<" not in page

    overview = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "0 of 2 modules, 0 of 1 role-play, final assessment not passed yet" in overview
    assert "Start the course" in overview


def test_opening_a_module_turns_start_into_continue(client, learner, course):
    assign(learner, course)
    client.force_login(learner)
    module = course.get_modules().first()
    client.get(f"/learn/courses/{course.slug}/{module.slug}/")
    page = client.get("/learn/").content.decode()
    assert "In progress" in page
    assert ">Continue<" in page and ">Start<" not in page


def test_a_recertification_not_started_says_start_and_the_finished_course_says_done(
    client, learner, course
):
    """Someone certified last year is now due again. The modules they opened back then do
    not make the new assignment "started", and the old card does not read 0 of 2."""
    now = timezone.now()
    earlier = assign(
        learner, course, due_in=-300, started_at=now - 390 * DAY, completed_at=now - 380 * DAY
    )
    Assignment.objects.filter(pk=earlier.pk).update(assigned_at=now - 400 * DAY)
    for module in course.get_modules():
        ModuleProgress.objects.create(
            user=learner,
            course=course,
            module=module,
            first_opened_at=now - 390 * DAY,
            last_opened_at=now - 385 * DAY,
            completed_at=None,  # a whole-course recertification asks for them again
        )
    assign(learner, course, due_in=20, reason=AssignmentReason.RECERTIFICATION)
    client.force_login(learner)

    page = client.get("/learn/").content.decode()
    waiting = card(page, "section-not-started")
    assert "Not started" in waiting
    assert ">Start<" in waiting and ">Continue<" not in waiting
    assert "0 of 2 modules, 0 of 1 role-play, final assessment not passed yet" in waiting
    done = card(page, "section-completed")
    assert "All done: 2 modules, 1 role-play, final assessment passed" in done
    assert "0 of 2" not in done
    assert ">Review<" in done

    overview = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "Start the course" in overview
    assert "· Started" not in overview and "Played, not passed yet" not in overview
    # Whatever was played last year, the role-play is still to do for this one.
    assert "Not played for this recertification" in overview
    assert "Runs from before it began do not count towards it." in overview


def test_a_course_with_nothing_published_says_so(client, learner):
    course = make_course("Empty for now", modules=[])
    assign(learner, course)
    client.force_login(learner)
    page = client.get("/learn/").content.decode()
    assert "Nothing published in this course yet." in page
    assert "0 of 0" not in page

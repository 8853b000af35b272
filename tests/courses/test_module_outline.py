"""An example dialogue's title takes its place in the module's outline: a section of its
own (h2) before the first section heading, a part of a section (h3) inside one. Skipping
from the module's h1 straight to an h3 loses screen reader users who move by heading."""

import itertools
import re

import pytest

from courses.demo import dialogue, heading
from tests.courses.factories import make_course, text
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db


def sample(title):
    return dialogue(title, "poor", "It blames the customer.", ("customer", "Hi."), ("staff", "No."))


def outline(module, course) -> list[str]:
    html = "".join(segment.get("html", "") for segment in module.body_segments(course))
    return re.findall(r"<(h[1-6])[^>]*>\s*([^<]+?)\s*<", html)


def test_dialogues_before_any_section_are_sections_and_inside_one_are_parts():
    course = make_course(
        "Plain Words",
        modules=[
            (
                "Listening",
                [
                    text("<p>Why listening matters.</p>"),
                    sample("First"),
                    sample("Second"),
                    heading("Saying no"),
                    sample("Third"),
                ],
            )
        ],
    )
    module = course.get_modules().get().specific
    assert outline(module, course) == [
        ("h2", "First"),
        ("h2", "Second"),
        ("h2", "Saying no"),
        ("h3", "Third"),
    ]


def test_the_learner_page_never_skips_a_heading_level(client, learner):
    course = make_course("Plain Words", modules=[("Listening", [sample("Only")])])
    assign(learner, course)
    client.force_login(learner)
    module = course.get_modules().get()
    page = client.get(f"/learn/courses/{course.slug}/{module.slug}/").content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))

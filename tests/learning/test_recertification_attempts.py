"""A recertification numbers its attempts afresh, as its attempt limit counts them, and
lists the attempts made before it began apart, as earlier history."""

import re

import pytest
from django.urls import reverse

from assessments.models import Attempt
from tests.learning import test_recertification as recertification

pytestmark = pytest.mark.django_db

# Someone certified on the final at the first try, now due a delta recertification.
course_and_policy = recertification.course_and_policy
delta_due = recertification.delta_due


def section(html: str, heading_id: str) -> str:
    match = re.search(rf'id="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def test_a_recertification_numbers_its_attempts_from_one_and_keeps_earlier_ones_apart(
    client, delta_due
):
    course, person, _, _ = delta_due
    client.force_login(person.user)
    overview_url = reverse("learning:assessment", args=[course.slug, "final"])
    html = client.get(overview_url).content.decode()
    assert "0 of 2 used. Only attempts made for this recertification count." in html
    assert "You have not taken this assessment since your recertification began" in html
    earlier = section(html, "earlier-attempts-title")
    assert "Passed" in earlier and "<td>1" in earlier  # the pass on 1.0, before the change

    response = client.post(reverse("learning:assessment_start", args=[course.slug, "final"]))
    attempt = Attempt.objects.get(user=person.user, status="in_progress")
    assert attempt.number == 2  # the record keeps its own running number
    page = client.get(response["Location"]).content.decode()
    assert "Attempt 1 of 2 for this recertification · page 1" in page
    assert "Attempt 2" not in page

    submit_url = reverse("learning:attempt_submit", args=[course.slug, "final", attempt.public_id])
    assert (
        "<title>Submit attempt 1 of 2 for this recertification"
        in client.get(submit_url).content.decode()
    )
    result = client.get(client.post(submit_url)["Location"]).content.decode()
    assert "Attempt 1 of 2 for this recertification: not passed" in result

    html = client.get(overview_url).content.decode()
    assert "1 of 2 used." in html
    current = section(html, "attempts-title")
    assert "Your attempts for this recertification" in current
    assert "<td>1" in current and "Not passed" in current and "Passed<" not in current
    assert "Start another attempt" in html


def test_an_attempt_made_before_the_recertification_keeps_its_own_number(client, delta_due):
    course, person, _, _ = delta_due
    first = Attempt.objects.get(user=person.user)
    client.force_login(person.user)
    recertification.sit(person.user, course, right=False)
    result_url = reverse("learning:attempt_result", args=[course.slug, "final", first.public_id])
    assert "<h1>Attempt 1: passed</h1>" in client.get(result_url).content.decode()

"""Trainers write role-play scenarios: shape validation beside the step at fault, policy
references, the preview diagram, and scripts frozen per published revision."""

import copy

import pytest
from django.urls import reverse
from wagtail.blocks.stream_block import StreamBlockValidationError

from courses.blocks import ScenarioStepsBlock
from courses.choices import Competency
from courses.models import ScenarioPage, ScenarioScript
from courses.scripts import scenario_script_current
from tests.courses.factories import (
    choice,
    make_course,
    make_scenario,
    refund_steps,
    refunds_course,
    scene,
)

pytestmark = pytest.mark.django_db


def steps_form_data(steps: list[dict]) -> dict:
    """The admin form's POST data for a list of step blocks."""
    data = {"steps-count": len(steps)}
    for i, block in enumerate(steps):
        prefix = f"steps-{i}"
        value = block["value"]
        data |= {f"{prefix}-type": "step", f"{prefix}-deleted": "", f"{prefix}-order": i}
        data[f"{prefix}-id"] = f"step-{i}"
        for name in ("key", "customer_line", "narration", "outcome", "debrief"):
            data[f"{prefix}-value-{name}"] = value[name]
        choices = f"{prefix}-value-choices"
        data[f"{choices}-count"] = len(value["choices"])
        for j, option in enumerate(value["choices"]):
            item = f"{choices}-{j}"
            data |= {f"{item}-deleted": "", f"{item}-order": j, f"{item}-id": f"choice-{i}-{j}"}
            for name in ("line", "feedback", "next_step", "section_key", "mood_change"):
                data[f"{item}-value-{name}"] = option[name]
            data[f"{item}-value-policy"] = option["policy"] or ""
            for competency in Competency.values:
                data[f"{item}-value-scores-{competency}"] = option["scores"][competency]
    return data


def page_form_data(steps, **fields) -> dict:
    data = {
        "title": "The late refund",
        "slug": "the-late-refund",
        "brief": "A customer wants a refund for a kettle bought six weeks ago.",
        "persona_name": "Sam Okafor",
        "persona_wants": "Their money back.",
        "starting_mood": 3,
        "pass_min_total": "",
        "min_communication": "",
        "min_de_escalation": "",
        "min_complaint_handling": "",
        "min_policy_compliance": "",
        "required_outcomes": ["resolved", "escalated"],
        "action-publish": "publish",
    }
    return data | steps_form_data(steps) | fields


def add_url(course):
    return reverse("wagtailadmin_pages:add", args=["courses", "scenariopage", course.pk])


def test_a_trainer_publishes_a_scenario_from_the_editor(client, trainer):
    course, policy = refunds_course()
    client.force_login(trainer)

    response = client.post(add_url(course), page_form_data(refund_steps(policy)))

    assert response.status_code == 302, response.context["form"].errors
    scenario = ScenarioPage.objects.get(slug="the-late-refund")
    assert scenario.live
    assert [step.key for step in scenario.graph().steps][:3] == ["opening", "offer", "angry"]
    assert scenario.required_outcomes == ["resolved", "escalated"]
    first = scenario.graph().steps[0].choices[1]
    assert (first.policy_id, first.section_key) == (policy.pk, "store-credit")


def test_a_choice_pointing_nowhere_is_refused_beside_that_choice(client, trainer):
    course, _ = refunds_course()
    steps = refund_steps()
    steps[1]["value"]["choices"][1]["next_step"] = "ghost"
    client.force_login(trainer)

    response = client.post(add_url(course), page_form_data(steps))

    assert response.status_code == 200
    assert not ScenarioPage.objects.exists()
    error = response.context["form"].errors["steps"].as_data()[0]
    step_error = error.block_errors[1]  # the second step, “offer”
    choice_error = step_error.block_errors["choices"].block_errors[1]
    assert choice_error.block_errors["next_step"].messages == [
        "Choice 2 leads to “ghost”, a missing step."
    ]
    # The editor draws block errors from JSON embedded in the page, beside the field.
    assert "ghost\\u201d, a missing step." in response.content.decode()


def error_at(steps):
    """Where the editor puts each problem: (step index or None, field or '', messages)."""
    block = ScenarioStepsBlock()
    with pytest.raises(StreamBlockValidationError) as caught:
        block.clean(block.to_python(steps))
    found = [(None, "", list(caught.value.non_block_errors))]
    for index, error in caught.value.block_errors.items():
        if error.non_block_errors:
            found.append((index, "", list(error.non_block_errors)))
        for name, field_error in error.block_errors.items():
            if name == "choices":
                for j, item in field_error.block_errors.items():
                    messages = item.block_errors["next_step"].messages
                    found.append((index, f"choices.{j}.next_step", messages))
                if field_error.non_block_errors:
                    found.append((index, "choices", list(field_error.non_block_errors)))
            else:
                found.append((index, name, field_error.messages))
    return [entry for entry in found if entry[2]]


def end(key, outcome="resolved"):
    return scene(key, "Bye.", outcome=outcome, debrief="Done.")


def two(a, b):
    return (choice("One.", a), choice("Two.", b))


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            [scene("a", "Hi.", *two("b", "ghost")), end("b")],
            (0, "choices.1.next_step", ["Choice 2 leads to “ghost”, a missing step."]),
        ),
        (
            [scene("a", "Hi.", *two("b", "c")), end("b"), end("c"), end("island")],
            (3, "", ["No path from the first step reaches this step."]),
        ),
        (
            [
                scene("a", "Hi.", *two("b", "end")),
                scene("b", "And?", *two("c", "end")),
                scene("c", "So?", *two("b", "end")),
                end("end"),
            ],
            (1, "", ["These steps form a loop: b → c → b."]),
        ),
        (
            [
                scene("a", "Hi.", *two("b", "end")),
                scene("b", "And?", *two("c", "c")),
                scene("c", "So?", *two("b", "b")),
                end("end"),
            ],
            (2, "", ["No path from this step reaches an ending."]),
        ),
        (
            [scene("a", "Hi.", *two("b", "b")), scene("b", "And?", *two("a", "a"))],
            (None, "", ["The scenario has no ending: add a step without choices."]),
        ),
        (
            [scene("a", "Hi.", *two("b", "c")), end("b"), end("c"), end("b")],
            (3, "key", ["Another step already uses the key “b”."]),
        ),
        (
            [scene("a", "Hi.", choice("Only.", "b")), end("b")],
            (0, "choices", ["A step offers 2 to 4 choices; this one has 1."]),
        ),
        (
            [scene("a", "Hi.", *two("a", "b")), end("b")],
            (0, "choices.0.next_step", ["Choice 1 leads back to this step."]),
        ),
        (
            [scene("a", "Hi.", *two("b", "c")), end("b"), end("c", outcome="")],
            (2, "outcome", ["An ending needs an outcome."]),
        ),
        (
            [scene("a", "Hi.", *two("b", "c"), outcome="resolved"), end("b"), end("c")],
            (0, "outcome", ["Only an ending (a step without choices) has an outcome."]),
        ),
    ],
    ids=[
        "missing step",
        "unreachable",
        "loop",
        "never ends",
        "no ending",
        "duplicate key",
        "one choice",
        "self loop",
        "ending without outcome",
        "outcome on a step with choices",
    ],
)
def test_each_shape_problem_is_shown_beside_the_step_at_fault(steps, expected):
    assert expected in error_at(steps)


def test_a_well_formed_scenario_passes_the_editor():
    block = ScenarioStepsBlock()
    block.clean(block.to_python(refund_steps()))


@pytest.mark.parametrize(
    ("key", "with_policy", "message"),
    [
        ("no-such-section", True, "Refunds has no published section \\u201cno-such-section"),
        ("store-credit", False, "Choose the policy this section is in."),
    ],
)
def test_a_choice_cites_a_real_policy_section(client, trainer, key, with_policy, message):
    course, policy = refunds_course()
    steps = refund_steps(policy)
    option = steps[0]["value"]["choices"][1]
    option["section_key"] = key
    option["policy"] = policy.pk if with_policy else None
    client.force_login(trainer)

    response = client.post(add_url(course), page_form_data(steps))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScenarioPage.objects.exists()


def test_the_preview_draws_every_step_and_colours_endings_by_outcome_in_words():
    course = make_course()
    scenario = make_scenario(course)
    response = scenario.make_preview_request()
    response.render()
    html = response.content.decode()

    assert "<svg" in html
    for key in ("opening", "offer", "angry", "credit", "breach", "escalated", "lost"):
        assert f">{key}</text>" in html or f"Start: {key}</text>" in html
    assert "Ending: Policy breached" in html
    assert "Ending: Customer lost" in html
    assert html.count('class="diagram-arrow"') == 6
    assert 'class="diagram-step diagram-ending outcome-policy_breached"' in html


def test_at_its_own_address_a_scenario_sends_people_to_the_player(client, learner):
    course = make_course()
    scenario = make_scenario(course)
    client.force_login(learner)
    response = client.get(scenario.url)
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:scenario", args=[course.slug, scenario.slug])


def test_each_published_revision_is_frozen_once_as_a_script():
    course = make_course()
    scenario = make_scenario(course)
    first = scenario_script_current(scenario=scenario)
    assert scenario_script_current(scenario=scenario) == first

    steps = copy.deepcopy(refund_steps())
    steps[1]["value"]["customer_line"] = "Right, what are my options?"
    scenario.steps = steps
    scenario.save_revision().publish()
    scenario = ScenarioPage.objects.get(pk=scenario.pk)
    second = scenario_script_current(scenario=scenario)

    assert second != first
    assert ScenarioScript.objects.count() == 2
    assert first.graph.by_key["offer"].customer_line == "So can I have my money back?"
    assert second.graph.by_key["offer"].customer_line == "Right, what are my options?"

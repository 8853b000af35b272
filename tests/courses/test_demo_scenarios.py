"""The demo scenarios are playable as written: valid shape, long enough, varied endings."""

import pytest
from django.contrib.auth.models import Group

from cms.demo import seed_policies
from cms.models import HomePage
from courses.blocks import ScenarioStepsBlock, scenario_graph_from_blocks
from courses.choices import ScenarioOutcome
from courses.demo_scenarios import scenario_specs


@pytest.fixture
def specs(db):
    seed_policies(home=HomePage.objects.get(), hr_group=Group.objects.get(name="HR"))
    return scenario_specs()


def test_there_are_refund_complaint_and_privacy_scenarios(specs):
    assert len(specs) >= 3
    courses = {spec["course"] for spec in specs}
    assert "customer-service-essentials" in courses


def test_each_scenario_is_valid_long_enough_and_ends_several_ways(specs):
    block = ScenarioStepsBlock()
    for spec in specs:
        stream = block.clean(block.to_python(spec["steps"]))  # the editor's own validation
        graph = scenario_graph_from_blocks(stream)
        endings = [s for s in graph.steps if s.is_ending]
        assert len(graph.steps) >= 8, spec["title"]
        assert len(endings) >= 3, spec["title"]
        assert len({s.outcome for s in endings}) >= 3, spec["title"]


def test_each_scenarios_best_path_takes_the_best_reply_at_every_step(specs):
    """The debrief's best path and its per-reply verdicts agree: no reply on the best
    path is marked as one where a better reply was available."""
    block = ScenarioStepsBlock()
    for spec in specs:
        graph = scenario_graph_from_blocks(block.clean(block.to_python(spec["steps"])))
        best = graph.best_choice_ids()
        for step, choice in graph.best_path():
            if choice is not None:
                assert choice.id in best, (spec["title"], step.key, choice.line)


def test_the_refund_role_play_is_best_solved_on_the_call(specs):
    block = ScenarioStepsBlock()
    spec = next(s for s in specs if s["slug"] == "refund-outside-the-window")
    graph = scenario_graph_from_blocks(block.clean(block.to_python(spec["steps"])))
    path = graph.best_path()
    assert path[-1][0].key == "resolved-credit"
    assert path[-1][0].outcome == ScenarioOutcome.RESOLVED
    lines = [choice.line for _, choice in path if choice]
    assert any("counter height" in line for line in lines)
    # Praise belongs to the best replies only.
    best = graph.best_choice_ids()
    for step in graph.steps:
        for choice in step.choices:
            if choice.id not in best:
                assert "Good thinking" not in choice.feedback, choice.line
                assert "The best" not in choice.feedback, choice.line

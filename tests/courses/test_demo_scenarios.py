"""The demo scenarios are playable as written: valid shape, long enough, varied endings."""

import pytest
from django.contrib.auth.models import Group

from cms.demo import seed_policies
from cms.models import HomePage
from courses.blocks import ScenarioStepsBlock, scenario_graph_from_blocks
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

"""The preview diagram reads without arrows crossing boxes, at full width: every arrow
runs only through the gaps between rows and columns, for the demo's scenarios and for
shapes with long jumps, several steps per row and a loop back."""

import pytest
from django.contrib.auth.models import Group

from cms.demo import seed_policies
from cms.models import HomePage
from courses.blocks import ScenarioStepsBlock, scenario_graph_from_blocks
from courses.demo_scenarios import scenario_specs
from courses.scenario_diagram import VIEW_WIDTH, scenario_diagram
from courses.scenario_graph import Choice, ScenarioGraph, Step
from tests.courses.factories import make_course, make_scenario

pytestmark = pytest.mark.django_db


def crosses(segment, box) -> bool:
    """Whether a horizontal or vertical run touches the box, edges included."""
    (x1, y1), (x2, y2) = segment
    left, right = sorted((x1, x2))
    top, bottom = sorted((y1, y2))
    return not (
        right < box.x or left > box.x + box.width or bottom < box.y or top > box.y + box.height
    )


def assert_clear(diagram):
    boxes = {box.step.key: box for box in diagram.boxes}
    for arrow in diagram.arrows:
        segments = list(zip(arrow.points, arrow.points[1:], strict=False))
        assert segments, arrow
        for n, segment in enumerate(segments):
            (x1, y1), (x2, y2) = segment
            assert x1 == x2 or y1 == y2, f"{arrow.title}: a slanted run"
            for key, box in boxes.items():
                own = (n == 0 and key == arrow.source) or (
                    n == len(segments) - 1 and key == arrow.target
                )
                if not own:
                    assert not crosses(segment, box), f"{arrow.title} crosses {key}"
        # It ends just above the top edge of its target, pointing down into it.
        target = boxes[arrow.target]
        end_x, end_y = arrow.points[-1]
        assert target.x < end_x < target.x + target.width
        assert target.y - 4 <= end_y <= target.y
    for one in diagram.boxes:
        for other in diagram.boxes:
            if one is not other:
                apart = (
                    one.x + one.width <= other.x
                    or other.x + other.width <= one.x
                    or one.y + one.height <= other.y
                    or other.y + other.height <= one.y
                )
                assert apart, f"{one.step.key} overlaps {other.step.key}"


@pytest.fixture
def demo_graphs():
    seed_policies(home=HomePage.objects.get(), hr_group=Group.objects.get(name="HR"))
    block = ScenarioStepsBlock()
    return {
        spec["title"]: scenario_graph_from_blocks(block.clean(block.to_python(spec["steps"])))
        for spec in scenario_specs()
    }


def test_no_arrow_of_the_demo_scenarios_crosses_a_box(demo_graphs):
    assert len(demo_graphs) >= 3
    for title, graph in demo_graphs.items():
        diagram = scenario_diagram(graph)
        assert len(diagram.boxes) == len(graph.steps), title
        assert len(diagram.arrows) == sum(len(step.choices) for step in graph.steps), title
        assert_clear(diagram)


def go(*targets):
    return tuple(Choice(line=f"to {key}", next_step=key, id=key) for key in targets)


def test_a_twelve_step_scenario_with_jumps_and_a_loop_stays_clear():
    steps = [
        Step("a", go("b", "c", "l"), customer_line="Hello, I have a problem with an order."),
        Step("b", go("d", "e")),
        Step("c", go("d", "f", "k")),
        Step("d", go("g", "a")),  # back to the start
        Step("e", go("g", "h")),
        Step("f", go("h", "i", "b")),  # back up a row
        Step("g", go("j", "k")),
        Step("h", go("j", "l")),
        Step("i", go("l")),
        Step("j", outcome="resolved"),
        Step("k", outcome="escalated"),
        Step("l", outcome="customer_lost"),
    ]
    diagram = scenario_diagram(ScenarioGraph(steps))
    assert len(diagram.boxes) == 12
    assert len(diagram.arrows) == 20
    assert_clear(diagram)


def test_the_diagram_is_drawn_for_the_full_width_and_scales_to_it():
    narrow = ScenarioGraph([Step("a", go("b")), Step("b", outcome="resolved")])
    diagram = scenario_diagram(narrow)
    assert diagram.width >= VIEW_WIDTH
    assert_clear(diagram)

    scenario = make_scenario(make_course())
    response = scenario.make_preview_request()
    response.render()
    html = response.content.decode()
    assert 'width="100%"' in html and 'viewBox="0 0 ' in html
    assert "<polyline" in html and "<line " not in html

"""The shape rules of a branching role-play: what the editor refuses, and the best path."""

import pytest

from courses.scenario_graph import Choice, ScenarioGraph, Step


def go(to, **scores):
    return Choice(line=f"to {to}", next_step=to, scores=scores)


def end(key, outcome="resolved"):
    return Step(key, outcome=outcome)


REFUND_40_DAYS = [
    Step(
        "opening",
        (go("offer-credit", communication=2, policy=2), go("refuse", communication=-2)),
    ),
    Step("offer-credit", (go("thanks", communication=1), go("escalate", policy=1))),
    Step("refuse", (go("lost", communication=-1), go("escalate", communication=1))),
    end("thanks"),
    end("escalate", "escalated_correctly"),
    end("lost", "customer_lost"),
]


def messages(steps):
    return [(p.step_key, p.message) for p in ScenarioGraph(steps).problems()]


def test_a_well_formed_scenario_has_no_problems():
    assert messages(REFUND_40_DAYS) == []


def test_the_best_path_follows_the_highest_total_score():
    path = ScenarioGraph(REFUND_40_DAYS).best_path()
    assert [step.key for step, _ in path] == ["opening", "offer-credit", "thanks"]
    assert path[-1][1] is None


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], [("", "Add at least one step and one ending.")]),
        (
            [Step("a", (go("b"), go("ghost"))), end("b")],
            [("a", "Choice 2 leads to “ghost”, a missing step.")],
        ),
        (
            [Step("a", (go("b"), go("c"))), end("b"), end("c"), end("island")],
            [("island", "No path from the first step reaches this step.")],
        ),
        (
            [Step("a", (go("b"), go("c"))), Step("b", (go("c"), go("a"))), end("c")],
            [("a", "These steps form a loop: a → b → a.")],
        ),
        (
            [Step("a", (go("b"), go("c"))), Step("b", (go("c"), go("a")))],
            [
                ("", "The scenario has no ending: add a step without choices."),
            ],
        ),
        (
            [Step("a", (go("b"), go("c"))), end("b"), end("c"), end("b")],
            [("b", "Another step already uses the key “b”.")],
        ),
        (
            [Step("a", (go("b"),)), end("b")],
            [("a", "A step offers 2 to 4 choices; this one has 1.")],
        ),
        (
            [Step("a", (go("a"), go("b"))), end("b")],
            [("a", "Choice 1 leads back to this step.")],
        ),
        (
            [Step("a", (go("b"), go("b"))), Step("b", outcome="")],
            [("b", "An ending needs an outcome.")],
        ),
        (
            [
                Step("a", (go("b"), go("end"))),
                Step("b", (go("c"), go("c"))),
                Step("c", (go("b"), go("b"))),
                end("end"),
            ],
            [
                ("b", "These steps form a loop: b → c → b."),
                ("b", "No path from this step reaches an ending."),
                ("c", "No path from this step reaches an ending."),
            ],
        ),
    ],
    ids=[
        "empty",
        "missing step",
        "unreachable",
        "loop",
        "no ending",
        "duplicate key",
        "one choice",
        "self loop",
        "ending without outcome",
        "path that never ends",
    ],
)
def test_problems_are_reported_against_the_offending_step(steps, expected):
    found = messages(steps)
    for problem in expected:
        assert problem in found

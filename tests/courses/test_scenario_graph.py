"""The shape rules of a branching role-play: what the editor refuses, and the best path."""

import pytest

from courses.scenario_graph import (
    MOOD_MAX,
    MOOD_MIN,
    Choice,
    ChoiceNotOffered,
    PassRule,
    RunState,
    ScenarioGraph,
    Step,
    mood_after,
)


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


def pick(to, choice_id, mood=0, **scores):
    return Choice(
        line=f"say {choice_id}", next_step=to, scores=scores, mood_change=mood, id=choice_id
    )


PLAYABLE = ScenarioGraph(
    [
        Step("opening", (pick("middle", "calm", 2, communication=2), pick("lost", "rude", -3))),
        Step(
            "middle",
            (
                pick("resolved", "credit", 1, policy_compliance=2),
                pick("breach", "cash", policy_compliance=-3),
            ),
        ),
        end("resolved"),
        end("breach", "policy_breached"),
        end("lost", "customer_lost"),
    ]
)


def test_a_choice_moves_the_run_adds_its_scores_and_shifts_the_mood():
    state = PLAYABLE.start_state(mood=3)
    state, choice = PLAYABLE.choose(state, "calm")
    assert choice.id == "calm"
    assert (state.step_key, state.mood, state.scores) == ("middle", 5, {"communication": 2})
    state, _ = PLAYABLE.choose(state, "cash")
    assert state.step_key == "breach"
    assert state.scores == {"communication": 2, "policy_compliance": -3}
    assert state.path == (("opening", "calm"), ("middle", "cash"))
    assert PLAYABLE.by_key[state.step_key].is_ending


def test_the_mood_stays_on_its_scale():
    assert mood_after(MOOD_MAX, 3) == MOOD_MAX
    assert mood_after(MOOD_MIN + 1, -3) == MOOD_MIN
    state, _ = PLAYABLE.choose(PLAYABLE.start_state(mood=2), "rude")
    assert state.mood == MOOD_MIN


@pytest.mark.parametrize(
    "choice_id", ["credit", "", "made-up"], ids=["other step", "none", "unknown"]
)
def test_a_choice_the_current_step_does_not_offer_is_refused(choice_id):
    with pytest.raises(ChoiceNotOffered):
        PLAYABLE.choose(PLAYABLE.start_state(mood=3), choice_id)


def test_an_ending_offers_nothing_to_choose():
    state = RunState(step_key="lost", mood=1, scores={})
    with pytest.raises(ChoiceNotOffered):
        PLAYABLE.choose(state, "calm")


def test_the_best_choices_are_those_scoring_as_well_as_the_best_at_their_step():
    assert PLAYABLE.best_choice_ids() == {"calm", "credit"}


def test_a_graph_survives_being_stored_as_data():
    copy = ScenarioGraph.from_data(PLAYABLE.to_data())
    assert copy.to_data() == PLAYABLE.to_data()
    assert [s.key for s, _ in copy.best_path()] == ["opening", "middle", "resolved"]


def test_depths_put_each_step_below_every_step_that_leads_to_it():
    depths = PLAYABLE.depths()
    assert depths == {"opening": 0, "middle": 1, "lost": 1, "resolved": 2, "breach": 2}


@pytest.mark.parametrize(
    ("rule", "scores", "outcome", "shortfalls"),
    [
        (PassRule(), {}, "customer_lost", 0),
        (PassRule(min_total=4), {"communication": 2, "policy_compliance": 2}, "resolved", 0),
        (PassRule(min_total=5), {"communication": 2, "policy_compliance": 2}, "resolved", 1),
        (
            PassRule(competency_minimums={"policy_compliance": 1}),
            {"communication": 9},
            "resolved",
            1,
        ),
        (PassRule(required_outcomes=("resolved", "escalated")), {}, "escalated", 0),
        (PassRule(required_outcomes=("resolved",)), {}, "policy_breached", 1),
        (
            PassRule(
                min_total=10,
                competency_minimums={"communication": 3},
                required_outcomes=("resolved",),
            ),
            {"communication": 1},
            "customer_lost",
            3,
        ),
    ],
)
def test_the_pass_rule_lists_every_requirement_a_run_missed(rule, scores, outcome, shortfalls):
    assert len(rule.shortfalls(scores=scores, outcome=outcome)) == shortfalls


def test_shortfalls_name_the_competency_and_the_score():
    rule = PassRule(min_total=6, competency_minimums={"de_escalation": 2})
    reasons = rule.shortfalls(
        scores={"de_escalation": 1}, outcome="resolved", names={"de_escalation": "De-escalation"}
    )
    assert reasons == ["a total of at least 6 (you scored 1)", "at least 2 in de-escalation"]

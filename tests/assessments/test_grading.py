"""Marking rules for every question type, and how marks become a pass or a fail."""

import pytest

from assessments.grading import (
    ItemMark,
    attempt_result,
    grade_matching,
    grade_multiple_response,
    grade_numerical,
    grade_ordering,
    grade_ranking,
    grade_short_answer,
    grade_single_choice,
    grade_true_false,
    parse_number,
)


@pytest.mark.parametrize(
    ("chosen", "expected"), [(0, 1.0), (1, 0.0), (2, 0.5), (None, 0.0), (7, 0.0), (-1, 0.0)]
)
def test_single_choice_earns_the_chosen_options_credit(chosen, expected):
    assert grade_single_choice([1.0, 0.0, 0.5], chosen) == expected


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({0, 1}, 1.0),
        ({0}, 0.5),
        ({0, 1, 2}, 0.5),  # a wrong pick with no authored penalty costs one right pick
        ({0, 1, 2, 3}, 0.25),  # the authored penalty of -0.25
        ({2, 3}, 0.0),  # never below zero
        (set(), 0.0),
        ([0, 0, 9], 0.5),  # repeats and unknown options earn nothing extra
    ],
)
def test_multiple_response_gives_partial_credit_and_penalises_wrong_picks(chosen, expected):
    assert grade_multiple_response([0.5, 0.5, 0.0, -0.25], chosen) == pytest.approx(expected)


def test_ticking_every_box_does_not_pay():
    assert grade_multiple_response([0.5, 0.5, 0.0, 0.0], {0, 1, 2, 3}) == 0.0


@pytest.mark.parametrize(("answer", "expected"), [(True, 0.0), (False, 1.0), (None, 0.0)])
def test_true_false(answer, expected):
    assert grade_true_false(False, answer) == expected


def test_matching_earns_a_share_per_right_pair():
    assert grade_matching([2, 0, 1], [2, 0, 1]) == 1.0
    assert grade_matching([2, 0, 1], [2, 1, None]) == pytest.approx(1 / 3)
    assert grade_matching([2, 0, 1], []) == 0.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([0, 1, 2, 3], 1.0),
        ([1, 0, 2, 3], 2 / 3),
        ([3, 0, 1, 2], 2 / 3),  # one item out of place costs one item
        ([3, 2, 1, 0], 0.0),
        ([0, 1, 2], 0.0),  # an item missing
        ([0, 1, 2, 2], 0.0),  # an item twice
    ],
)
def test_ordering_credits_items_kept_in_relative_order(given, expected):
    assert grade_ordering([0, 1, 2, 3], given) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Data Protection Officer", 1.0),
        ("  data   protection officer ", 1.0),
        ("DPO", 0.5),
        ("the manager", 0.0),
        ("", 0.0),
    ],
)
def test_short_answer_tolerates_case_and_spacing(answer, expected):
    accepted = [("data protection officer", 1.0), ("dpo", 0.5)]
    assert grade_short_answer(accepted, answer) == expected


def test_short_answer_can_respect_case():
    assert grade_short_answer([("DPO", 1.0)], "dpo", case_sensitive=True) == 0.0
    assert grade_short_answer([("DPO", 1.0)], "DPO", case_sensitive=True) == 1.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("colour", 1.0), ("color", 1.0), ("COLOUR ", 1.0), ("colours", 0.25), ("red", 0.25)],
)
def test_short_answer_wildcards_work_as_in_moodle(answer, expected):
    accepted = [("colo*r", 1.0), ("*", 0.25)]
    assert grade_short_answer(accepted, answer) == expected


def test_short_answer_wildcard_does_not_turn_other_characters_into_patterns():
    assert grade_short_answer([("a.b", 1.0)], "axb") == 0.0
    assert grade_short_answer([("a.b", 1.0)], "a.b") == 1.0


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("45", 45.0),
        (" 1 000 ", 1000.0),
        ("1,000", 1000.0),
        ("12,50", 12.5),
        ("1,000.5", 1000.5),
        ("-3.5", -3.5),
        ("forty", None),
        ("", None),
        ("nan", None),
        ("1e999", None),
    ],
)
def test_numbers_are_read_as_people_type_them(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    ("answer", "expected"), [("45", 1.0), ("46", 1.0), ("47.5", 0.5), ("50", 0.0), ("x", 0.0)]
)
def test_numerical_takes_the_best_tolerance_band(answer, expected):
    answers = [(45.0, 1.0, 1.0), (45.0, 3.0, 0.5)]
    assert grade_numerical(answers, answer) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([0, 1, 2, 3], 1.0),
        ([1, 0, 2, 3], 0.75),  # two responses one place out: distance 2 of at most 8
        ([3, 2, 1, 0], 0.0),
        ([0, 1, 2], 0.0),
    ],
)
def test_situational_judgement_credit_falls_with_distance_from_the_experts(given, expected):
    assert grade_ranking([0, 1, 2, 3], given) == pytest.approx(expected)


def test_an_attempt_passes_on_the_overall_mark_and_every_competency_minimum():
    items = [
        ItemMark(1.0, 1.0, ("communication",)),
        ItemMark(1.0, 1.0, ("communication", "privacy")),
        ItemMark(0.0, 2.0, ("privacy",)),
    ]
    result = attempt_result(items, pass_percent=50)
    assert result.passed and result.percent == 50
    assert result.by_competency == {"communication": 100.0, "privacy": pytest.approx(100 / 3)}

    strict = attempt_result(items, pass_percent=50, competency_minimums={"privacy": 50})
    assert not strict.passed
    assert strict.shortfalls == ["50% in privacy (you scored 33%)"]

    failed = attempt_result(items, pass_percent=80)
    assert failed.shortfalls == ["80% overall (you scored 50%)"]


def test_an_attempt_with_nothing_to_mark_does_not_pass():
    assert not attempt_result([], pass_percent=1).passed

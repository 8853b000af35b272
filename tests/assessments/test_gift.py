"""GIFT import: agreement with real files from another parser, then the format rule by rule."""

import json
import math
import re
from pathlib import Path

import pytest

from assessments.gift import (
    GiftFileError,
    ParsedNumeric,
    ParsedOption,
    ParsedQuestion,
    SkippedQuestion,
    parse_gift,
)

# ---------------------------------------------------------------------------------------------
# Conformance with gift-pegjs's own test files (../shared/interop, never copied in here)
# ---------------------------------------------------------------------------------------------

INTEROP = Path(__file__).resolve().parents[3] / "shared" / "interop" / "gift-pegjs"

PEGJS_KINDS = {
    "Short": "short_answer",
    "TF": "true_false",
    "Matching": "matching",
    "Numerical": "numerical",
    "Essay": "essay",
    "Description": "description",
}

# Where Moodle, the reference, reads a file differently from gift-pegjs. Each entry names the
# file and the question (1-based, among gift-pegjs's items other than categories) and gives the
# fields as Moodle has them; those fields are compared exactly, without the whitespace
# allowance below.
MOODLE_DIFFERS = {
    ("TFTwoFeedback", 2): {
        # {TRUE#feedback for true}: Moodle gives the first feedback to the wrong choice,
        # which is FALSE when TRUE is right; gift-pegjs gives it to TRUE.
        "true_feedback": "",
        "false_feedback": "feedback for true",
    },
    ("TFTwoFeedback", 3): {
        # {TRUE# #feedback for false}: the second feedback is for the right choice, TRUE;
        # gift-pegjs gives it to FALSE.
        "true_feedback": "feedback for false",
        "false_feedback": "",
    },
    ("type_inferred_multiline_markdown", 1): {
        # Moodle trims every line, so the two trailing spaces that make a Markdown line
        # break are gone; gift-pegjs keeps them.
        "stem": "stem line1\nstem line2",
        "options": (
            ParsedOption("answer1 line1\nanswer1 line2", 1.0),
            ParsedOption("answer2 line1\nanswer2 line2", 1.0),
        ),
    },
    ("totara_moodle_pre_content", 1): {
        # Moodle trims every line, indentation inside <pre> included; gift-pegjs keeps it.
        "stem": "<p>What would running the test method print?</p>\n<pre>\n"
        "public void test() {\nmethod1();\nmethod2();\nmethod3();\n}\n</pre>",
    },
}

_SPACES = re.compile(r"\s+")
_GAP_THEN_PUNCTUATION = re.compile(r"_____ (?=[.,;:!?])")


def squash(text):
    """Text with the layout differences that carry no meaning taken out.

    Moodle keeps a question's line breaks (after trimming each line) where gift-pegjs joins
    lines with a space, and gift-pegjs pads the gap of a missing-word question with a space
    even before punctuation where Moodle puts "_____" exactly where the braces were.
    """
    return _GAP_THEN_PUNCTUATION.sub("_____", _SPACES.sub(" ", text or "").strip())


def rich(value):
    return squash(value["text"]) if value else ""


def number(value):
    return round(value, 9)


def pegjs_fraction(choice):
    if choice["weight"] is not None:
        return choice["weight"] / 100
    return 1.0 if choice["isCorrect"] else 0.0


def pegjs_band(choice):
    text = choice["text"]
    if text.get("text") == "*":
        return (0.0, math.inf)
    if text["type"] == "simple":
        return (text["number"], 0.0)
    if text["type"] == "range":
        return (text["number"], text["range"])
    low, high = text["numberLow"], text["numberHigh"]
    return ((low + high) / 2, (high - low) / 2)


def pegjs_shape(item, category):
    """gift-pegjs's tree reduced to what this project keeps."""
    kind = PEGJS_KINDS.get(item["type"])
    if item["type"] == "MC":
        right = any(choice["isCorrect"] for choice in item["choices"])
        kind = "single_choice" if right else "multiple_response"
    shape = {"kind": kind, "title": item["title"] or ""}
    if kind == "description":
        return shape
    shape |= {
        "stem": squash(item["stem"]["text"]),
        "text_format": item["stem"]["format"],
        "category": category,
        "general_feedback": rich(item["globalFeedback"]),
        "id_number": "" if item["id"] is None else str(item["id"]),
        "tags": tuple(item["tags"] or ()),
    }
    if kind in ("single_choice", "multiple_response", "short_answer"):
        shape["options"] = tuple(
            (
                rich(choice["text"]),
                number(pegjs_fraction(choice)),
                rich(choice["feedback"]),
            )
            for choice in item["choices"]
        )
    elif kind == "true_false":
        shape |= {
            "correct": item["isTrue"],
            "true_feedback": rich(item["trueFeedback"]),
            "false_feedback": rich(item["falseFeedback"]),
        }
    elif kind == "matching":
        shape["pairs"] = tuple(
            (rich(pair["subquestion"]), squash(pair["subanswer"])) for pair in item["matchPairs"]
        )
    elif kind == "numerical":
        choices = item["choices"]
        if isinstance(choices, dict):
            choices = [{"text": choices, "weight": None, "isCorrect": True, "feedback": None}]
        shape["numeric"] = tuple(
            (
                *(number(part) for part in pegjs_band(choice)),
                number(pegjs_fraction(choice)),
                rich(choice["feedback"]),
            )
            for choice in choices
        )
    return shape


def our_shape(item):
    if isinstance(item, SkippedQuestion):
        described = item.reason.startswith("Description items")
        return {"kind": "description" if described else "skipped", "title": item.title}
    shape = {
        "kind": item.kind,
        "title": item.title,
        "stem": squash(item.stem),
        "text_format": item.text_format,
        "category": item.category,
        "general_feedback": squash(item.general_feedback),
        "id_number": item.id_number,
        "tags": item.tags,
    }
    if item.options:
        shape["options"] = tuple(
            (squash(o.text), number(o.fraction), squash(o.feedback)) for o in item.options
        )
    if item.kind == "true_false":
        shape |= {
            "correct": item.correct,
            "true_feedback": squash(item.true_feedback),
            "false_feedback": squash(item.false_feedback),
        }
    if item.pairs:
        shape["pairs"] = tuple((squash(p), squash(a)) for p, a in item.pairs)
    if item.numeric:
        shape["numeric"] = tuple(
            (number(n.value), number(n.tolerance), number(n.fraction), squash(n.feedback))
            for n in item.numeric
        )
    return shape


def interop_files():
    if not INTEROP.is_dir():
        reason = "the shared conformance files are not beside this checkout"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-interop")]
    return [pytest.param(path, id=path.stem) for path in sorted(INTEROP.glob("*.gift"))]


@pytest.mark.parametrize("path", interop_files())
def test_reads_gift_pegjs_files_as_moodle_does(path):
    expected_items = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = parse_gift(path.read_bytes())
    ours = sorted([*result.questions, *result.skipped], key=lambda item: item.position)
    assert [item.position for item in ours] == list(range(1, len(ours) + 1))

    category = ""
    theirs = []
    for item in expected_items:
        if item["type"] == "Category":
            category = item["title"]
        else:
            theirs.append(pegjs_shape(item, category))
    assert len(ours) == len(theirs)

    for index, (mine, expected) in enumerate(zip(ours, theirs, strict=True), start=1):
        actual = our_shape(mine)
        for field, moodle_value in MOODLE_DIFFERS.get((path.stem, index), {}).items():
            assert getattr(mine, field) == moodle_value, f"question {index}: {field}"
            actual.pop(field)
            expected.pop(field)
        assert actual == expected, f"question {index}"


def test_exceptions_name_real_questions():
    if not INTEROP.is_dir():
        pytest.skip("the shared conformance files are not beside this checkout")
    for name, index in MOODLE_DIFFERS:
        items = json.loads((INTEROP / f"{name}.json").read_text(encoding="utf-8"))
        assert index <= len([item for item in items if item["type"] != "Category"])


# ---------------------------------------------------------------------------------------------
# The format, rule by rule
# ---------------------------------------------------------------------------------------------


def parse(text: str):
    return parse_gift(text.encode("utf-8"))


def only(text: str) -> ParsedQuestion:
    result = parse(text)
    assert result.skipped == []
    assert len(result.questions) == 1
    return result.questions[0]


def test_single_choice_with_feedback_per_answer():
    question = only(
        "::Refund window::How many days does a customer have to ask for a refund? {\n"
        "  ~7 days#That is the exchange window.\n"
        "  =30 days#Right: thirty days from delivery.\n"
        "  ~90 days\n"
        "}"
    )
    assert question.kind == "single_choice"
    assert question.title == "Refund window"
    assert question.stem == "How many days does a customer have to ask for a refund?"
    assert question.text_format == "moodle"
    assert question.options == (
        ParsedOption("7 days", 0.0, "That is the exchange window."),
        ParsedOption("30 days", 1.0, "Right: thirty days from delivery."),
        ParsedOption("90 days", 0.0),
    )
    assert (question.position, question.line, question.category) == (1, 1, "")


def test_partial_credit_in_single_choice():
    question = only(
        "A customer has no receipt. What do you offer?{"
        "=Store credit ~%50%An exchange ~%-25%A cash refund}"
    )
    assert question.kind == "single_choice"
    assert [option.fraction for option in question.options] == [1.0, 0.5, -0.25]


def test_multiple_response_weights_and_penalties():
    question = only(
        "Which of these are personal data under our privacy policy?{\n"
        "  ~%50%A customer's email address\n"
        "  ~%50%A delivery address#Yes: it locates a person.\n"
        "  ~%-100%The store's opening hours#No: nobody is identified.\n"
        "  ~The refund policy's title\n"
        "}"
    )
    assert question.kind == "multiple_response"
    assert [option.fraction for option in question.options] == [0.5, 0.5, -1.0, 0.0]
    assert question.options[1].feedback == "Yes: it locates a person."


def test_weights_may_have_decimals():
    question = only(
        "Which channels may a complaint arrive through?{"
        "~%33.33333%Phone ~%33.33333%Email ~%33.33333%Letter ~%-100%A rumour}"
    )
    assert question.kind == "multiple_response"
    assert question.options[0].fraction == pytest.approx(0.3333333)


def test_two_right_answers_marked_equals_stay_single_choice_as_in_moodle():
    question = only(
        "Who may approve a refund over 500 euros?{=A team lead =A store manager ~Anyone}"
    )
    assert question.kind == "single_choice"
    assert [option.fraction for option in question.options] == [1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("gift", "reason"),
    [
        ("Say sorry first?{~Yes}", "at least two answers"),
        ("Which are refunds?{~%50%Cash ~%20%Credit ~Vouchers}", "add up to 70%"),
        ("Which is the refund window?{=%50%30 days ~7 days}", "cannot also carry a %weight%"),
        ("Which is the refund window?{~%150%30 days ~7 days}", "outside -100% to 100%"),
        ("Which is the refund window?{=30 days ~#no text}", "empty"),
    ],
)
def test_choice_questions_moodle_would_refuse_are_skipped(gift, reason):
    result = parse(gift)
    assert result.questions == []
    assert reason in result.skipped[0].reason


@pytest.mark.parametrize(
    ("answer", "correct"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_answers(answer, correct):
    question = only(f"Refunds are paid to the card used for the purchase.{{{answer}}}")
    assert question.kind == "true_false"
    assert question.correct is correct
    assert question.options == ()


def test_true_false_first_feedback_is_for_the_wrong_choice():
    result = parse(
        "We may share a complainant's phone number with the courier.{FALSE"
        "#Wrong: the courier gets the address only.#Right: the number stays with us.}\n"
        "\n"
        "A complaint must be acknowledged within two working days.{TRUE"
        "#Wrong: two days is the promise.#Right: two working days.}\n"
        "\n"
        "Refund requests need an order number.{T#No: the order number is required.}"
    )
    false_right, true_right, one_feedback = result.questions
    assert false_right.true_feedback == "Wrong: the courier gets the address only."
    assert false_right.false_feedback == "Right: the number stays with us."
    assert true_right.true_feedback == "Right: two working days."
    assert true_right.false_feedback == "Wrong: two days is the promise."
    assert one_feedback.true_feedback == ""
    assert one_feedback.false_feedback == "No: the order number is required."


def test_true_false_words_are_case_sensitive_as_in_moodle():
    question = only("Type the word that closes a complaint.{resolved}")
    assert question.kind == "short_answer"
    assert only("Say it.{true}").options == (ParsedOption("true", 1.0),)


def test_short_answer_with_weights_and_feedback():
    question = only(
        "What do we call money returned to a customer's card? {\n"
        "  =refund#Exactly.\n"
        "  =%50%reimbursement#Close; we say refund.\n"
        "  =%0%*#Not the word we use.\n"
        "}"
    )
    assert question.kind == "short_answer"
    assert question.options == (
        ParsedOption("refund", 1.0, "Exactly."),
        ParsedOption("reimbursement", 0.5, "Close; we say refund."),
        ParsedOption("*", 0.0, "Not the word we use."),
    )


def test_a_lone_unmarked_answer_is_a_short_answer():
    question = only("Which team handles data deletion requests? {Privacy}")
    assert question.kind == "short_answer"
    assert question.options == (ParsedOption("Privacy", 1.0),)


def test_short_answer_without_full_marks_is_skipped():
    result = parse("Name our complaints form.{=%50%C1 =%25%CF-1}")
    assert result.questions == []
    assert "No answer earns full marks" in result.skipped[0].reason


def test_matching_pairs_and_an_extra_wrong_answer():
    question = only(
        "Match each request to the team that handles it. {\n"
        "  =Refund over the limit -> Finance\n"
        "  =[html]<b>Data</b> access request -> Privacy\n"
        "  =Rude delivery driver -> Complaints\n"
        "  = -> Marketing\n"
        "}"
    )
    assert question.kind == "matching"
    assert question.pairs == (
        ("Refund over the limit", "Finance"),
        ("<b>Data</b> access request", "Privacy"),
        ("Rude delivery driver", "Complaints"),
        ("", "Marketing"),
    )


@pytest.mark.parametrize(
    "answers",
    [
        "=Refund -> Finance =Leak -> Privacy",
        "=Refund -> Finance = -> Privacy = -> Marketing",
    ],
)
def test_matching_needs_three_pairs_and_two_prompts(answers):
    result = parse(f"Match the requests.{{{answers}}}")
    assert result.questions == []
    assert "at least three pairs" in result.skipped[0].reason


def test_matching_pair_without_arrow_is_skipped():
    result = parse("Match.{=Refund -> Finance =Leak -> Privacy =Complaints}")
    assert "has no '->'" in result.skipped[0].reason


def test_numerical_tolerance_range_and_weighted_answers():
    result = parse(
        "How many days do we have to answer a data access request?{#30}\n"
        "\n"
        "What refund in euros is due on a 40 euro order with 25% off?{#30:0.5}\n"
        "\n"
        "Give a fair goodwill credit in euros for a late delivery.{#5..15}\n"
        "\n"
        "How many days may a refund take? {#\n"
        "  =14:0#Right.\n"
        "  =%50%14:2#Close: it is exactly fourteen.\n"
        "  ~#Check the refund policy, section 2.\n"
        "}\n"
        "\n"
        "Temperature change tolerated for chilled returns?{#-2..-0.5}"
    )
    exact, tolerance, span, weighted, negative = result.questions
    assert exact.kind == "numerical"
    assert exact.numeric == (ParsedNumeric(30.0, 0.0),)
    assert tolerance.numeric == (ParsedNumeric(30.0, 0.5),)
    assert span.numeric == (ParsedNumeric(10.0, 5.0),)
    assert weighted.numeric == (
        ParsedNumeric(14.0, 0.0, 1.0, "Right."),
        ParsedNumeric(14.0, 2.0, 0.5, "Close: it is exactly fourteen."),
        ParsedNumeric(0.0, math.inf, 0.0, "Check the refund policy, section 2."),
    )
    assert negative.numeric[0].value == pytest.approx(-1.25)
    assert negative.numeric[0].tolerance == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("#thirty", "'thirty' is not a number"),
        ("#15..5", "higher number to a lower one"),
        ("#30:-1", "negative"),
        ("#", "gives no number"),
        ("#=%50%30", "No answer earns full marks"),
    ],
)
def test_numerical_questions_that_cannot_be_imported(answer, reason):
    result = parse(f"How many days to answer a complaint?{{{answer}}}")
    assert result.questions == []
    assert reason in result.skipped[0].reason


def test_essay_and_its_general_feedback():
    result = parse(
        "Describe how you would calm an angry customer.{}\n"
        "\n"
        "Explain our privacy notice to a customer.{####Mention what we keep and for how long.}"
    )
    plain, with_feedback = result.questions
    assert plain.kind == with_feedback.kind == "essay"
    assert plain.stem == "Describe how you would calm an angry customer."
    assert with_feedback.general_feedback == "Mention what we keep and for how long."


def test_general_feedback_follows_the_answers():
    question = only(
        "Which form records a complaint?{\n"
        "  =CF-1 ~CF-9\n"
        "  ####[html]<p>See the complaints handbook.</p>\n"
        "}"
    )
    assert question.general_feedback == "<p>See the complaints handbook.</p>"
    assert question.options[-1] == ParsedOption("CF-9", 0.0)


def test_missing_word_marks_the_gap():
    result = parse(
        "A refund is paid within {~7 =14 ~30} days of the return.\n"
        "\n"
        "{=Privacy} handles requests to delete an account.\n"
        "\n"
        "Complaints are logged in the {=CRM}."
    )
    assert [question.stem for question in result.questions] == [
        "A refund is paid within _____ days of the return.",
        "_____ handles requests to delete an account.",
        "Complaints are logged in the _____.",
    ]
    assert [question.kind for question in result.questions] == [
        "single_choice",
        "short_answer",
        "short_answer",
    ]


def test_escaped_control_characters():
    question = only(
        "::Refund\\: rules::Which code means \\{refund\\} \\~ \\= \\# ?\\nPick one.{\n"
        "  =R\\=1#Yes\\: R\\=1.\n"
        "  ~R\\#2\n"
        "  ~C:\\\\refunds\n"
        "}"
    )
    assert question.title == "Refund: rules"
    assert question.stem == "Which code means {refund} ~ = # ?\nPick one."
    assert question.options == (
        ParsedOption("R=1", 1.0, "Yes: R=1."),
        ParsedOption("R#2", 0.0),
        ParsedOption("C:\\refunds", 0.0),
    )


def test_an_escaped_backslash_before_n_is_not_a_newline():
    assert only("Path: C:\\\\new{}").stem == "Path: C:\\new"


def test_a_backslash_before_other_characters_stays():
    assert only("Use a \\ or a / in the reference.{}").stem == "Use a \\ or a / in the reference."


@pytest.mark.parametrize("text_format", ["html", "markdown", "plain", "moodle"])
def test_format_prefix_on_the_stem(text_format):
    question = only(f"::Tone::[{text_format}]Keep replies *polite*.{{T}}")
    assert question.text_format == text_format
    assert question.stem == "Keep replies *polite*."


def test_unknown_format_prefix_stays_in_the_text():
    question = only("[rtf]Keep replies polite.{T}")
    assert (question.text_format, question.stem) == ("moodle", "[rtf]Keep replies polite.")


def test_answer_format_prefixes_are_dropped():
    question = only("[html]<p>Which reply is best?</p>{=[plain]We are sorry. ~[html]<i>Not us</i>}")
    assert [option.text for option in question.options] == ["We are sorry.", "<i>Not us</i>"]


def test_categories_apply_to_the_questions_after_them():
    result = parse(
        "Before any category.{T}\n"
        "\n"
        "$CATEGORY: $course$/top/Refunds\n"
        "\n"
        "Refunds go to the original card.{T}\n"
        "\n"
        "$CATEGORY: $course$/top/Privacy\n"
        "Customers may ask for a copy of their data.{T}"
    )
    assert [(question.category, question.position) for question in result.questions] == [
        ("", 1),
        ("$course$/top/Refunds", 2),
        ("$course$/top/Privacy", 3),
    ]
    assert result.questions[2].line == 8


def test_comments_are_not_text_and_blocks_of_comments_are_not_questions():
    result = parse(
        "// Complaints module, reviewed by the privacy team\n"
        "// [id:CMP-7] [tag:complaints] [tag:escalation]\n"
        "::Escalate::When do you escalate a complaint?{\n"
        "  // escalation rules changed in March\n"
        "  =After two failed fixes\n"
        "  ~Never\n"
        "}\n"
        "\n"
        "// nothing but a note\n"
        "\n"
        "Escalations need a manager's name.{T}"
    )
    first, second = result.questions
    assert first.stem == "When do you escalate a complaint?"
    assert [option.text for option in first.options] == ["After two failed fixes", "Never"]
    assert (first.id_number, first.tags) == ("CMP-7", ("complaints", "escalation"))
    assert (first.line, second.line) == (3, 11)
    assert (first.position, second.position) == (1, 2)
    assert (second.id_number, second.tags) == ("", ())


def test_description_and_cloze_are_skipped_with_reasons_and_positions():
    result = parse(
        "::Intro::The next questions are about refunds.\n"
        "\n"
        "Refunds go to the original card.{T}\n"
        "\n"
        "Refund {=card} within {#14} days.\n"
        "\n"
        "Refund within {1:NUMERICAL:=14} days.\n"
        "\n"
        "Complaints go to {=Complaints}."
    )
    assert result.skipped == [
        SkippedQuestion(1, 1, "Intro", "Description items carry no question; skipped."),
        SkippedQuestion(
            3,
            5,
            "",
            "Embedded answers (cloze) are not supported. This question has 2 answer blocks.",
        ),
        SkippedQuestion(4, 7, "", "Embedded answers (cloze) are not supported."),
    ]
    assert [(question.position, question.line) for question in result.questions] == [
        (2, 3),
        (5, 9),
    ]


def test_a_file_that_is_not_utf8_is_refused():
    data = "Refund policy\n\nQuestion {T}\nCafé".encode("latin-1")
    with pytest.raises(GiftFileError, match=r"The file is not UTF-8 text .*line 4"):
        parse_gift(data)


def test_an_unclosed_answer_block_is_refused_with_its_line():
    gift = "Refunds go to the card.{T}\n\n::Window::How long\nis the refund window? {\n=30 days"
    with pytest.raises(GiftFileError, match=r"^Line 4: the answer block opened with '\{'"):
        parse(gift)


def test_an_answer_block_cut_by_a_blank_line_is_refused():
    with pytest.raises(GiftFileError, match=r"^Line 1: .* never closed"):
        parse("Complaint channels? {\n=Phone\n\n~Post}")


def test_a_closing_brace_without_an_opening_one_is_refused():
    with pytest.raises(GiftFileError, match=r"^Line 2: '\}' closes no answer block"):
        parse("A refund needs\na receipt} {T}")


def test_a_brace_inside_an_answer_block_is_refused():
    with pytest.raises(GiftFileError, match=r"^Line 2: '\{' opens .* opened on line 1"):
        parse("Pick the code {\n=R{1}\n~R2}")


def test_unicode_noncharacters_are_refused():
    with pytest.raises(GiftFileError, match=r"^Line 1: .*U\+FDD0"):
        parse("Refund\ufdd0policy{T}")


def test_bom_and_windows_line_endings_are_accepted():
    text = (
        "// refunds\r\n$CATEGORY: Refunds\r\n\r\n"
        "Refund within {\r\n=14\r\n~30\r\n} days.\r\n\r\nSay sorry first.{T}\r\n"
    )
    result = parse_gift(b"\xef\xbb\xbf" + text.encode("utf-8"))
    first, second = result.questions
    assert first.stem == "Refund within _____ days."
    assert first.options == (ParsedOption("14", 1.0), ParsedOption("30", 0.0))
    assert (first.category, first.line, second.line) == ("Refunds", 4, 9)


def test_old_mac_line_endings_are_accepted():
    result = parse_gift(b"Say sorry first.{T}\r\rOffer a refund.{F}")
    assert [(question.correct, question.line) for question in result.questions] == [
        (True, 1),
        (False, 3),
    ]


def test_no_break_spaces_are_text_not_layout():
    # Moodle trims only ASCII blanks, so a no-break space at the edge of a line survives.
    assert only("Refund\u00a0policy\u00a0{}").stem == "Refund\u00a0policy\u00a0"


def test_an_empty_file_has_no_questions():
    assert parse("") == parse("\n\n// only a note\n") == parse_gift(b"")
    assert parse("").questions == []

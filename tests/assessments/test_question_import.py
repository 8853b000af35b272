"""Importing GIFT and Moodle XML files into a bank: what lands, what is skipped and why,
and files refused as a whole importing nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Revision

from assessments.gift import QuestionFileError
from assessments.models import Question, QuestionBank
from assessments.moodle_xml import parse_moodle_xml
from assessments.services import question_file_read, questions_import
from tests.assessments.test_gift import INTEROP

pytestmark = pytest.mark.django_db

GIFT = """\
// A short bank for the refunds desk.
$CATEGORY: $course$/top/Refunds/Windows

// [tag:policy_knowledge] [tag:Communication]
::Refund window::[markdown]A customer returns a kettle on **day 40**. What do you offer? {
=A refund: the window is 45 days#Right: 2.0 moved the window to 45 days.
~A store credit only#That was the rule before 2.0.
~Nothing####Check the current version of the policy before you answer.
}

::Split::Which of these go in the complaint log? {
~%50%The date the complaint arrived
~%50%What the customer asked for
~%-100%Your opinion of the customer
}

::Broken weights::Pick the right ones {~%50%One ~%-50%Two ~Three}

::Cloze::The window is {1:NUMERICAL:=45} days.

Greetings from the training team.
"""

MOODLE_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Privacy/Third parties</text></category>
  </question>
  <question type="multichoice">
    <name><text>Partner's balance</text></name>
    <questiontext format="html"><text><![CDATA[<p>A caller wants <b>their partner's</b>
      balance.<script>alert(1)</script></p>]]></text></questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;Only the account holder.&lt;/p&gt;</text>
    </generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html"><text>&lt;p&gt;Decline &amp; explain&lt;/p&gt;</text>
      <feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Read it out</text>
      <feedback format="html"><text>A breach.</text></feedback></answer>
    <tags><tag><text>privacy</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Checks</text></name>
    <questiontext format="plain_text"><text>Which checks come first?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>Full name</text></answer>
    <answer fraction="50"><text>Postcode</text></answer>
    <answer fraction="-100"><text>Mother's maiden name of a friend</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Spouse</text></name>
    <questiontext format="moodle_auto_format"><text>A spouse may always see the account.</text>
    </questiontext>
    <answer fraction="0"><text>true</text><feedback><text>No: only with consent.</text></feedback>
    </answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>Who decides</text></name>
    <questiontext format="markdown"><text>Who approves *exceptions*?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>DPO</text></answer>
    <answer fraction="50"><text>Team leader</text></answer>
  </question>
  <question type="numerical">
    <name><text>Days to reply</text></name>
    <questiontext format="html"><text>Days to answer an access request?</text></questiontext>
    <answer fraction="100"><text>30</text><tolerance>0</tolerance></answer>
    <answer fraction="50"><text>31</text><tolerance>1</tolerance>
      <feedback><text>Close: a calendar month.</text></feedback></answer>
    <answer fraction="0"><text>*</text><feedback><text>Look it up.</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Who sees what</text></name>
    <questiontext format="html"><text>Match the caller to what you may share.</text>
    </questiontext>
    <subquestion format="html"><text>Account holder</text><answer><text>Everything</text></answer>
    </subquestion>
    <subquestion format="html"><text>Named third party</text><answer><text>What the consent
      covers</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>The full card number</text></answer>
    </subquestion>
  </question>
  <question type="ordering">
    <name><text>Steps</text></name>
    <questiontext format="html"><text>Put the steps in order.</text></questiontext>
    <answer fraction="1"><text>Verify</text></answer>
    <answer fraction="2"><text>Check consent</text></answer>
    <answer fraction="3"><text>Answer</text></answer>
  </question>
  <question type="essay">
    <name><text>Explain</text></name>
    <questiontext format="html"><text>Explain to the caller why you cannot help.</text>
    </questiontext>
    <graderinfo format="html"><text>&lt;p&gt;Kind, clear, offers a next step.&lt;/p&gt;</text>
    </graderinfo>
  </question>
  <question type="description">
    <name><text>Intro</text></name>
    <questiontext format="html"><text>Read this first.</text></questiontext>
  </question>
  <question type="multianswer">
    <name><text>Gaps</text></name>
    <questiontext format="html"><text>{1:SHORTANSWER:=Yes}</text></questiontext>
  </question>
  <question type="calculated">
    <name><text>Sums</text></name>
    <questiontext format="html"><text>What is {a} + {b}?</text></questiontext>
  </question>
</quiz>
"""


def run_import(path: Path, file_format: str, bank: str = "Imported") -> str:
    out = StringIO()
    call_command("import_questions", str(path), "--format", file_format, "--bank", bank, stdout=out)
    return out.getvalue()


def test_gift_file_imports_through_the_command(tmp_path):
    path = tmp_path / "refunds.gift"
    path.write_text(GIFT, encoding="utf-8")

    output = run_import(path, "gift", bank="Refunds desk")

    lines = output.strip().splitlines()
    assert lines[-1] == "Imported 2 questions; skipped 3."
    assert lines[0].startswith("Skipped question 3 “Broken weights” (line 17):")
    assert lines[0].endswith("The weights of the right answers add up to 50%, not 100%.")
    assert lines[1].startswith("Skipped question 4 “Cloze” (line 19): Embedded answers")
    assert lines[2].startswith("Skipped question 5 (line 21): Description items")

    bank = QuestionBank.objects.get(name="Refunds desk")
    window = Question.objects.get(bank=bank, title="Refund window")
    assert window.category == "Refunds/Windows"
    assert window.kind == "single_choice"
    assert window.stem == (
        "<p>A customer returns a kettle on <strong>day 40</strong>. What do you offer?</p>"
    )
    options = window.answer[0].value["options"]
    assert [(o["text"], o["credit"]) for o in options] == [
        ("A refund: the window is 45 days", 100),
        ("A store credit only", 0),
        ("Nothing", 0),
    ]
    assert options[1]["feedback"] == "That was the rule before 2.0."
    assert window.general_feedback == "Check the current version of the policy before you answer."
    assert sorted(window.competencies.values_list("key", flat=True)) == [
        "communication",
        "policy_knowledge",
    ]
    assert window.latest_revision is not None
    split = Question.objects.get(bank=bank, title="Split")
    assert [o["credit"] for o in split.answer[0].value["options"]] == [50, 50, -100]


def test_moodle_xml_imports_every_supported_kind():
    result = questions_import(
        data=MOODLE_XML.encode(), file_format="moodle-xml", bank_name="Privacy"
    )

    assert result.summary == "Imported 8 questions; skipped 3."
    assert [(s.position, s.title) for s in result.skipped] == [
        (9, "Intro"),
        (10, "Gaps"),
        (11, "Sums"),
    ]
    assert result.skipped[2].reason == "Moodle's 'calculated' questions are not supported."
    by_title = {q.title: q for q in Question.objects.filter(bank__name="Privacy")}
    assert {q.kind for q in by_title.values()} == {
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "numerical",
        "matching",
        "ordering",
        "essay",
    }
    partner = by_title["Partner's balance"]
    # The top category has the bank's own name, so it is not repeated under the bank.
    assert partner.category == "Third parties"
    assert "<script>" not in partner.stem and "alert" not in partner.stem
    assert "<b>their partner's</b>" in partner.stem
    assert partner.answer[0].value["options"][0]["text"] == "Decline & explain"
    assert partner.general_feedback == "Only the account holder."
    assert list(partner.competencies.values_list("key", flat=True)) == ["privacy"]

    spouse = by_title["Spouse"].answer[0].value
    assert spouse["correct"] == "false"
    assert spouse["feedback_if_true"] == "No: only with consent."

    assert by_title["Who decides"].answer[0].value["case_sensitive"] is True
    assert "<em>exceptions</em>" in by_title["Who decides"].stem

    days = by_title["Days to reply"].answer[0].value
    assert [(a["value"], a["tolerance"], a["credit"]) for a in days["answers"]] == [
        (30.0, 0.0, 100),
        (31.0, 1.0, 50),
    ]
    assert days["other_feedback"] == "Look it up."

    matching = by_title["Who sees what"].answer[0].value
    assert [p["prompt"] for p in matching["pairs"]] == ["Account holder", "Named third party"]
    assert list(matching["extra_answers"]) == ["The full card number"]
    assert list(by_title["Steps"].answer[0].value["items"]) == ["Verify", "Check consent", "Answer"]
    assert by_title["Explain"].answer[0].value["grader_guidance"] == (
        "Kind, clear, offers a next step."
    )
    ids = [str(question.pk) for question in by_title.values()]
    assert Revision.objects.filter(object_id__in=ids).count() == 8


def test_moodle_xml_reports_lines_of_skipped_questions():
    result = parse_moodle_xml(MOODLE_XML.encode())
    assert {s.title: s.line for s in result.skipped} == {"Intro": 75, "Gaps": 79, "Sums": 83}


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<quiz><question type="essay"><name><text>&b;</text></name></question></quiz>
"""


@pytest.mark.parametrize(
    ("file_format", "data", "message"),
    [
        ("gift", b"::Q:: Caf\xe9 {=yes ~no}\n", "not UTF-8 text (the first byte that is not"),
        ("gift", b"::Q:: Open {=yes ~no\n\n::R:: ok {T}\n", "Line 1: the answer block opened"),
        ("gift", b"::Q:: Stray } here {T}\n", "Line 1: '}' closes no answer block"),
        ("moodle-xml", b"<quiz><question>\xff</question></quiz>", "not UTF-8 text"),
        ("moodle-xml", b"<quiz>\n<question type='essay'>\n</quiz>", "Line 3, column 3"),
        ("moodle-xml", BILLION_LAUGHS.encode(), "declares a document type or entities"),
        ("moodle-xml", b"<html><body>hi</body></html>", "outer element is <html>, not <quiz>"),
        ("moodle-xml", b"", "not well-formed XML"),
    ],
)
def test_refused_files_import_nothing_and_exit_non_zero(tmp_path, file_format, data, message):
    path = tmp_path / "questions.file"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        run_import(path, file_format)
    assert message in str(refused.value)
    assert str(refused.value).startswith("questions.file was not imported:")
    assert "\n" not in str(refused.value)
    assert not QuestionBank.objects.exists()
    assert not Question.objects.exists()


def test_command_refuses_a_missing_file_and_an_unknown_format(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nothing\.gift"):
        run_import(tmp_path / "nothing.gift", "gift")
    path = tmp_path / "q.gift"
    path.write_text("::Q:: Yes? {T}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="invalid choice: 'aiken'"):
        run_import(path, "aiken")


def test_blank_bank_name_is_refused():
    with pytest.raises(QuestionFileError, match="Name the bank"):
        question_file_read(data=b"::Q:: Yes? {T}\n", file_format="gift", bank_name="  ")


def test_import_into_an_existing_bank_matches_its_name_in_any_case():
    bank = QuestionBank.objects.create(name="Refunds desk")
    questions_import(data=GIFT.encode(), file_format="gift", bank_name="REFUNDS DESK")
    assert QuestionBank.objects.get() == bank
    assert bank.questions.count() == 2


def test_shared_gift_files_import_whole_or_not_at_all():
    """Each conformance file either imports every question the parser accepts (or skips
    it with a reason) or is refused as a whole."""
    if not INTEROP.is_dir():
        pytest.skip("the shared conformance files are not beside this checkout")
    for number, path in enumerate(sorted(INTEROP.glob("*.gift"))):
        try:
            result = questions_import(
                data=path.read_bytes(), file_format="gift", bank_name=f"Interop {number}"
            )
        except QuestionFileError:
            assert not QuestionBank.objects.filter(name=f"Interop {number}").exists()
            continue
        saved = Question.objects.filter(bank__name=f"Interop {number}").count()
        assert saved == len(result.questions), path.name
        assert all(skipped.reason for skipped in result.skipped), path.name


def test_a_question_with_too_many_options_is_skipped_not_a_crash():
    options = " ".join(f"~%10%Option {n}" for n in range(10)) + " ~Option 10"
    data = f"::Eleven:: Pick the right ones {{{options}}}\n\n::Fine:: True? {{T}}\n".encode()
    result = questions_import(data=data, file_format="gift", bank_name="Big")
    assert result.summary == "Imported 1 questions; skipped 1."
    assert result.skipped[0].title == "Eleven"
    assert result.skipped[0].reason


def test_a_stem_that_is_only_unsafe_markup_is_skipped():
    xml = MOODLE_XML.replace(
        "<![CDATA[<p>A caller wants <b>their partner's</b>\n"
        "      balance.<script>alert(1)</script></p>]]>",
        "<![CDATA[<script>alert(1)</script>]]>",
    )
    result = questions_import(data=xml.encode(), file_format="moodle-xml", bank_name="P")
    assert result.skipped[0].title == "Partner's balance"
    assert "no text once unsafe markup is removed" in result.skipped[0].reason


def test_moodle_thirds_import_as_full_marks_together():
    gift = b"::Thirds:: Which apply? {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}\n"
    result = questions_import(data=gift, file_format="gift", bank_name="Thirds")
    assert result.skipped == []

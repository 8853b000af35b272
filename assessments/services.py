"""Operations on the question bank and on attempts that change more than one row."""

import datetime
import math
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import Truncator
from wagtail.log_actions import log
from wagtail.models import Revision

from assessments import answers
from assessments.blocks import FULL, QuestionAnswerBlock
from assessments.choices import AssessmentMode, AttemptClosedBy, AttemptStatus
from assessments.gift import (
    ParsedQuestion,
    ParseResult,
    QuestionFileError,
    SkippedQuestion,
    parse_gift,
)
from assessments.grading import ItemMark, attempt_result
from assessments.models import (
    Assessment,
    Attempt,
    AttemptItem,
    Competency,
    Question,
    QuestionBank,
    QuestionRevisionVersion,
    SelectionRule,
    versions_not_in_effect,
)
from assessments.moodle_xml import parse_moodle_xml
from assessments.signals import attempt_graded, attempt_started
from assessments.text import plain_text, rich_text
from cms.models import PolicyVersion
from cms.services import policy_version_compare

QUESTION_FILE_FORMATS: dict[str, tuple[str, Callable[[bytes], ParseResult]]] = {
    "gift": ("GIFT", parse_gift),
    "moodle-xml": ("Moodle XML", parse_moodle_xml),
}
_ANSWER_LIKE = re.compile(r"^q\d")
_ANSWER_FIELD = re.compile(r"^q(\d{1,4})(?:-\d{1,3})?$")
_TITLE_LENGTH = 80
_FIELD_LENGTH = 255


@dataclass(frozen=True)
class PendingQuestion:
    """A question read from a file, not saved yet, with where it was in the file."""

    question: Question
    competencies: list[Competency]
    position: int


@dataclass
class QuestionImport:
    """What a file will import and what it skips, by file position."""

    bank_name: str
    file_format: str
    questions: list[PendingQuestion] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"Imported {len(self.questions)} questions; skipped {len(self.skipped)}."


def question_file_read(*, data: bytes, file_format: str, bank_name: str) -> QuestionImport:
    """Parse a question file and build its questions without saving anything.

    Raises QuestionFileError when the file is refused as a whole. A question whose answer
    key would not pass the checks a trainer's edit passes is skipped with the reason.
    """
    if file_format not in QUESTION_FILE_FORMATS:
        known = ", ".join(QUESTION_FILE_FORMATS)
        raise QuestionFileError(f"Unknown format '{file_format}'; use one of: {known}.")
    bank_name = bank_name.strip()
    if not bank_name:
        raise QuestionFileError("Name the bank the questions go into.")
    _, parse = QUESTION_FILE_FORMATS[file_format]
    parsed = parse(data)
    result = QuestionImport(bank_name=bank_name, file_format=file_format)
    result.skipped.extend(parsed.skipped)
    competencies = _competencies_by_label()
    for item in parsed.questions:
        try:
            result.questions.append(_question_from(item, competencies, bank_name))
        except ValidationError as error:
            result.skipped.append(
                SkippedQuestion(
                    position=item.position,
                    line=item.line,
                    title=item.title,
                    reason=" ".join(_messages(error)),
                )
            )
    result.skipped.sort(key=lambda skipped: skipped.position)
    return result


@transaction.atomic
def questions_import(
    *, data: bytes, file_format: str, bank_name: str, actor=None
) -> QuestionImport:
    """Read the file and save its importable questions, each with a first revision, into
    the named bank (made if it does not exist). All or nothing: a refused file, or any
    failure while saving, leaves the bank as it was."""
    result = question_file_read(data=data, file_format=file_format, bank_name=bank_name)
    bank = QuestionBank.objects.filter(name__iexact=result.bank_name).first()
    if bank is None:
        bank = QuestionBank.objects.create(name=result.bank_name)
    for pending in result.questions:
        question = pending.question
        question.bank = bank
        question.competencies = pending.competencies
        question.save()
        question.save_revision(user=actor)
        log(instance=question, action="wagtail.create", user=actor)
    return result


def _competencies_by_label() -> dict[str, Competency]:
    labels = {}
    for competency in Competency.objects.all():
        labels[competency.key.casefold()] = competency
        labels[competency.name.casefold()] = competency
    return labels


def _messages(error) -> list[str]:
    if isinstance(error, str):
        return [error]
    if isinstance(error, list | tuple):
        return [message for child in error for message in _messages(child)]
    nested = getattr(error, "block_errors", None)
    if nested:
        items = nested.values() if isinstance(nested, dict) else nested
        return [message for child in items if child for message in _messages(child)]
    nested = getattr(error, "non_block_errors", None)
    if nested:
        return [message for child in nested for message in _messages(child)]
    return list(error.messages)


def _category_name(path: str, bank_name: str) -> str:
    """A Moodle category path without the context prefix Moodle writes on exports, nor
    the bank's own name when the path starts with it (as this project's exports do)."""
    parts = [part.strip() for part in path.split("/") if part.strip()]
    while parts and parts[0] in {"$course$", "$system$", "$module$", "$cat1$", "top"}:
        parts.pop(0)
    if parts and parts[0].casefold() == bank_name.casefold():
        parts.pop(0)
    return "/".join(parts)


def _credit(fraction: float) -> int:
    return round(fraction * FULL)


def _answer_value(item: ParsedQuestion) -> dict:
    """The raw value of the answer block for a parsed question."""
    options = [
        {
            "text": plain_text(option.text),
            "credit": _credit(option.fraction),
            "feedback": plain_text(option.feedback),
        }
        for option in item.options
    ]
    match item.kind:
        case "single_choice" | "multiple_response":
            return {"options": options}
        case "short_answer":
            return {"answers": options, "case_sensitive": item.case_sensitive}
        case "true_false":
            return {
                "correct": "true" if item.correct else "false",
                "feedback_if_true": plain_text(item.true_feedback),
                "feedback_if_false": plain_text(item.false_feedback),
            }
        case "matching":
            return {
                "pairs": [
                    {"prompt": plain_text(prompt), "answer": plain_text(answer)}
                    for prompt, answer in item.pairs
                    if prompt
                ],
                "extra_answers": [
                    plain_text(answer) for prompt, answer in item.pairs if not prompt
                ],
            }
        case "ordering":
            return {"items": [plain_text(text) for text in item.items]}
        case "numerical":
            bands = [band for band in item.numeric if not math.isinf(band.tolerance)]
            catch_all = [band for band in item.numeric if math.isinf(band.tolerance)]
            if any(band.fraction > 0 for band in catch_all):
                raise ValidationError("An answer that accepts any number cannot earn credit.")
            return {
                "answers": [
                    {
                        "value": band.value,
                        "tolerance": band.tolerance,
                        "credit": _credit(band.fraction),
                        "feedback": plain_text(band.feedback),
                    }
                    for band in bands
                ],
                "other_feedback": plain_text(catch_all[0].feedback) if catch_all else "",
            }
        case "essay":
            return {
                "rubric": [
                    {"criterion": "The answer as a whole, against the grader's notes.", "points": 5}
                ],
                "grader_guidance": plain_text(item.grader_info),
            }
    raise ValidationError(f"Questions of kind '{item.kind}' cannot be imported.")


def _question_from(
    item: ParsedQuestion, competencies: dict[str, Competency], bank_name: str
) -> PendingQuestion:
    block = QuestionAnswerBlock().child_blocks[item.kind]
    value = block.clean(block.to_python(_answer_value(item)))
    stem = rich_text(item.stem, item.text_format)
    if not plain_text(stem):
        raise ValidationError("The question has no text once unsafe markup is removed.")
    title = item.title or plain_text(stem)
    question = Question(
        title=Truncator(title).chars(_TITLE_LENGTH if not item.title else _FIELD_LENGTH),
        category=Truncator(_category_name(item.category, bank_name)).chars(_FIELD_LENGTH),
        stem=stem,
        general_feedback=plain_text(item.general_feedback),
    )
    question.answer = [(item.kind, value)]
    return PendingQuestion(
        question=question,
        competencies=[
            competencies[tag.casefold()] for tag in item.tags if tag.casefold() in competencies
        ],
        position=item.position,
    )


# ---------------------------------------------------------------------------------------------
# Attempts
# ---------------------------------------------------------------------------------------------


class AttemptRefused(Exception):
    """An attempt cannot start now; the message says why. ``attempt`` is the one already
    in progress, when that is the reason."""

    def __init__(self, message: str, *, attempt: Attempt | None = None):
        super().__init__(message)
        self.attempt = attempt


class AttemptConflict(Exception):
    """A save or submission that cannot apply: the attempt is closed, time is up, or the
    form is older than the answers already stored."""


def draw_questions(
    rules: list[SelectionRule], rng: random.Random, *, servable: set[int] | None = None
) -> list[int]:
    """Question ids for one attempt: fixed questions first, then each random draw from
    what is left, in rule order. The same rules, bank and seed give the same draw. With
    ``servable``, questions outside it are left out before anything is drawn."""

    def allowed(pk) -> bool:
        return servable is None or pk in servable

    chosen = list(
        dict.fromkeys(
            rule.question_id for rule in rules if rule.is_fixed and allowed(rule.question_id)
        )
    )
    taken = set(chosen)
    for rule in rules:
        if rule.is_fixed:
            continue
        pool = [
            pk for pk in rule.pool().values_list("pk", flat=True) if pk not in taken and allowed(pk)
        ]
        picked = rng.sample(pool, min(rule.count, len(pool)))
        chosen.extend(picked)
        taken.update(picked)
    return chosen


def _candidates(rules: list[SelectionRule]) -> Q:
    """Every question the rules can serve: their fixed questions and their pools."""
    within = Q(pk__in=[rule.question_id for rule in rules if rule.is_fixed])
    for rule in rules:
        if not rule.is_fixed:
            within |= Q(pk__in=rule.pool().values("pk"))
    return within


def question_revisions_for(within: Q, *, versions=(), now=None) -> dict[int, int]:
    """For each question matching ``within``, the id of the revision an attempt on the
    policy ``versions`` serves (for a policy ``versions`` lacks, the version in effect
    ``now``): its newest revision that holds for that version (``revision_holds``). A
    question with none is absent. In a fixed number of queries, however many questions
    and revisions there are."""
    now = now or timezone.now()
    target = {version.policy_id: version for version in versions}
    unrecorded = list(
        Question.objects.filter(within)
        .filter(revision_versions__isnull=True)
        .values_list("pk", flat=True)
    )
    if unrecorded:
        # Saved in code without ever making a revision: make one now, as serving such a
        # question always did.
        for question in Question.objects.filter(pk__in=unrecorded).order_by("pk"):
            question.save_revision()
    records = list(
        QuestionRevisionVersion.objects.filter(question__in=Question.objects.filter(within))
        .order_by("question_id", "-revision_id")
        .values_list(
            "question_id", "revision_id", "version_id", "version__policy_id", "section_keys"
        )
    )
    missing = {policy_id for *_, policy_id, _ in records} - set(target) - {None}
    if missing:
        target |= PolicyVersion.objects.filter(effective_at__lte=now).current_for(missing)
    written = PolicyVersion.objects.in_bulk(
        {version_id for _, _, version_id, _, _ in records} - {None}
    )
    changed: dict[tuple[int, int], set[str] | None] = {}
    chosen: dict[int, int] = {}
    for question_id, revision_id, version_id, policy_id, keys in records:
        if question_id in chosen:
            continue
        if version_id is None or revision_holds(
            written[version_id], target.get(policy_id), keys, memo=changed
        ):
            chosen[question_id] = revision_id
    return chosen


@transaction.atomic
def question_confirm_for_version(*, question: Question, version: PolicyVersion, user=None):
    """A trainer's word that a question still holds, as it reads now, under ``version``
    of its policy: a new revision of the same content, recorded as written for that
    version (so attempts on it serve the question) and logged with who and when."""
    revision = question.save_revision(user=user, log_action="assessments.question_confirm")
    QuestionRevisionVersion.objects.record(question=question, revision=revision, version=version)
    return revision


def revision_holds(written_for, version, keys, *, memo=None) -> bool:
    """Whether a question revision written for the policy version ``written_for``, citing
    the sections ``keys``, holds for ``version`` of the same policy: the same major
    version, or a material change that reworded sections, none of them one it cites (so
    it is not among what a trainer has to update), every section it cites still there."""
    if version is None:
        return False
    if version.major == written_for.major:
        return True
    pair = (written_for.pk, version.pk)
    memo = {} if memo is None else memo
    if pair not in memo:
        old, new = sorted((written_for, version), key=lambda v: (v.major, v.minor))
        reworded = set(policy_version_compare(old=old, new=new).changed_keys)
        both = {s["key"] for s in old.sections} & {s["key"] for s in new.sections}
        memo[pair] = (reworded, both)
    reworded, both = memo[pair]
    return bool(reworded) and not (set(keys) & reworded) and set(keys) <= both


@dataclass(frozen=True)
class SectionScope:
    """Restricts an attempt to the questions that cite some sections of one policy
    version (a short recertification assessment), serving at most ``most`` of them."""

    version: PolicyVersion
    section_keys: tuple[str, ...]
    most: int


def assessment_questions_citing(
    assessment: Assessment, *, policy_id: int, section_keys
) -> list[int]:
    """The questions an assessment can serve (its fixed questions and the pools its
    random draws take from) that cite any of the given sections of a policy, in a stable
    order. One query whatever the number of rules."""
    keys = set(section_keys)
    rules = list(assessment.selection_rules.all())
    if not keys or not rules:
        return []
    candidates = (
        Question.objects.filter(_candidates(rules), policy_id=policy_id)
        .order_by("pk")
        .values_list("pk", "section_keys")
    )
    return [pk for pk, cited in candidates if keys & set(cited.split(","))]


def _served_order(kind: str, value, *, shuffle: bool, rng: random.Random) -> list[int]:
    order = list(range(answers.option_count(kind, value)))
    if kind in answers.ALWAYS_SHUFFLED:
        # Shown in key order, a ranking answers itself and a matching gives pairs away.
        for _ in range(20):
            rng.shuffle(order)
            if order != sorted(order):
                break
    elif shuffle and kind in answers.SHUFFLED_KINDS:
        rng.shuffle(order)
    return order


def _start_refusal(*, user, assessment: Assessment, now, counted_since=None) -> str | None:
    if assessment.is_practice:
        return None
    counted = Attempt.objects.filter(user=user, assessment=assessment).exclude(
        status=AttemptStatus.IN_PROGRESS
    )
    if counted_since is not None:
        counted = counted.filter(started_at__gte=counted_since)
    previous = list(counted.order_by("-number").values_list("submitted_at", flat=True))
    allowed = assessment.attempts_allowed
    if allowed is not None and len(previous) >= allowed:
        return f"You have used all {allowed} attempt(s) this assessment allows."
    if previous and assessment.minutes_between_attempts and previous[0]:
        ready = previous[0] + datetime.timedelta(minutes=assessment.minutes_between_attempts)
        if ready > now:
            when = timezone.localtime(ready).strftime("%-d %B %Y at %H:%M")
            return f"You can start another attempt from {when}."
    return None


def _versions_refusal(policy_versions, *, now) -> str | None:
    later = versions_not_in_effect(policy_versions, at=now)
    if not later:
        return None
    version = later[0]
    when = timezone.localtime(version.effective_at).strftime("%-d %B %Y at %H:%M")
    return (
        f"{version.title} {version.label} takes effect on {when}; an attempt "
        "cannot be on a policy version that is not in effect when it starts."
    )


@transaction.atomic
def attempt_start(
    *,
    user,
    assessment: Assessment,
    policy_versions=(),
    now=None,
    seed: int | None = None,
    scope: SectionScope | None = None,
    counted_since=None,
) -> Attempt:
    """Start an attempt: draw and order the questions, fix their revisions, the deadline
    and the policy versions in force. At most one attempt is in progress per learner and
    assessment; the database refuses a second even when two requests race.

    With a ``scope`` the attempt serves only questions of the assessment citing the
    scope's sections (drawn at random when there are more than ``scope.most``), and
    competency minimums apply only to the competencies those questions test. With
    ``counted_since``, only attempts started since then count towards the limit (a
    recertification is a fresh start)."""
    now = now or timezone.now()
    policy_versions = list(policy_versions)
    open_attempt = Attempt.objects.in_progress().filter(user=user, assessment=assessment).first()
    if open_attempt is not None:
        raise AttemptRefused("You already have an attempt in progress.", attempt=open_attempt)
    refusal = _start_refusal(
        user=user, assessment=assessment, now=now, counted_since=counted_since
    ) or _versions_refusal(policy_versions, now=now)
    if refusal:
        raise AttemptRefused(refusal)
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)
    rules = list(assessment.selection_rules.all())
    # Each question as written for the policy versions of the attempt; a question with
    # no revision for them is left out before anything is drawn.
    servable = question_revisions_for(_candidates(rules), versions=policy_versions, now=now)
    if scope is None:
        question_ids = draw_questions(rules, rng, servable=set(servable))
    else:
        pool = [
            pk
            for pk in assessment_questions_citing(
                assessment, policy_id=scope.version.policy_id, section_keys=scope.section_keys
            )
            if pk in servable
        ]
        picked = set(rng.sample(pool, min(scope.most, len(pool))))
        question_ids = [pk for pk in pool if pk in picked]
    if not question_ids:
        if not servable and Question.objects.filter(_candidates(rules)).exists():
            raise AttemptRefused(
                "This assessment has no questions written for the policy versions this "
                "course teaches yet."
            )
        raise AttemptRefused("This assessment has no questions yet.")
    if assessment.shuffle_questions:
        rng.shuffle(question_ids)
    revisions = Revision.objects.in_bulk([servable[pk] for pk in question_ids])
    revisions = {pk: revisions[servable[pk]] for pk in question_ids}
    number = (
        Attempt.objects.filter(user=user, assessment=assessment).aggregate(Max("number"))[
            "number__max"
        ]
        or 0
    ) + 1
    deadline = closes_at = None
    if assessment.time_limit_minutes:
        deadline = now + datetime.timedelta(minutes=assessment.time_limit_minutes)
        closes_at = deadline + datetime.timedelta(minutes=assessment.grace_minutes)
    minimums = {
        minimum.competency.key: minimum.minimum_percent
        for minimum in assessment.minimums.select_related("competency")
    }
    keys = dict(
        Competency.objects.filter(
            pk__in={
                pk
                for revision in revisions.values()
                for pk in revision.content.get("competencies", [])
            }
        ).values_list("pk", "key")
    )
    if scope is not None:
        # A short assessment cannot be failed on a competency none of its questions test.
        minimums = {key: value for key, value in minimums.items() if key in keys.values()}
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                assessment=assessment,
                user=user,
                number=number,
                mode=assessment.mode,
                seed=seed,
                started_at=now,
                deadline=deadline,
                closes_at=closes_at,
                pass_percent=assessment.pass_percent,
                competency_minimums=minimums,
                scope_version=scope.version if scope else None,
                scope_sections=list(scope.section_keys) if scope else [],
            )
    except IntegrityError:
        racing = Attempt.objects.in_progress().filter(user=user, assessment=assessment).first()
        raise AttemptRefused("You already have an attempt in progress.", attempt=racing) from None
    served = {pk: served_question(revision) for pk, revision in revisions.items()}
    items = []
    for position, question_id in enumerate(question_ids, start=1):
        question = served[question_id]
        block = question.answer[0]
        items.append(
            AttemptItem(
                attempt=attempt,
                position=position,
                question_id=question_id,
                revision=revisions[question_id],
                kind=block.block_type,
                order=_served_order(
                    block.block_type, block.value, shuffle=assessment.shuffle_options, rng=rng
                ),
                competencies=sorted(
                    keys[pk]
                    for pk in revisions[question_id].content.get("competencies", [])
                    if pk in keys
                ),
                policy_id=question.policy_id,
                section_keys=question.section_key_list,
            )
        )
    AttemptItem.objects.bulk_create(items)
    attempt.policy_versions.set(
        _versions_in_force(policy_versions, {item.policy_id for item in items}, now=now)
    )
    transaction.on_commit(lambda: attempt_started.send(sender=Attempt, attempt=attempt))
    return attempt


def _versions_in_force(given, policy_ids: set, *, now) -> list[PolicyVersion]:
    versions = list(given)
    covered = {version.policy_id for version in versions}
    newest = PolicyVersion.objects.filter(effective_at__lte=now).current_for(
        policy_ids - covered - {None}
    )
    return versions + list(newest.values())


def served_question(revision: Revision) -> Question:
    """The question as this revision holds it, built from the stored content alone (no
    query per question: ``as_object`` would fetch the live row each time)."""
    # Competencies are left out: building them costs a query per question, and attempts
    # record their keys when they start.
    content = {key: value for key, value in revision.content.items() if key != "competencies"}
    return Question.from_serializable_data(content, check_fks=False)


def served_items(attempt: Attempt, positions=None) -> list[AttemptItem]:
    """The attempt's items with their revisions' content loaded (``served`` holds the
    question as it was when served) in two queries whatever the number of items."""
    items = list(attempt.items.select_related("revision").order_by("position"))
    if positions is not None:
        wanted = set(positions)
        items = [item for item in items if item.position in wanted]
    for item in items:
        question = served_question(item.revision)
        item.served = question
        item.block = question.answer[0].value
    return items


def answer_name(item: AttemptItem) -> str:
    return f"q{item.position}"


@dataclass
class SaveResult:
    """``items`` are the page's items with the answers as posted (saved only when there
    are no ``errors``)."""

    attempt: Attempt
    items: list[AttemptItem] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def _posted_positions(data) -> set[int]:
    """The question positions a form answers; a field that looks like an answer but names
    no position we could have served is refused."""
    positions = set()
    for key in data:
        if not _ANSWER_LIKE.match(key):
            continue
        match = _ANSWER_FIELD.match(key)
        if match is None:
            raise answers.AnswerInvalid(
                "The form answered a question that is not in this attempt.", tampered=True
            )
        positions.add(int(match.group(1)))
    return positions


def attempt_save(
    *, attempt: Attempt, sequence: int, data, positions: list[int], check: bool = False, now=None
) -> SaveResult:
    """Store the answers posted for the questions at ``positions`` (one page).

    Refuses (AttemptConflict, nothing stored) a closed attempt, a save after the time
    and grace have run out (the attempt is then submitted with what was saved), and a
    save whose sequence number is not the current one: a stale tab or a replayed form.
    Answers naming options or questions that are not in the attempt raise AnswerInvalid;
    a learner's slip (two items in one place) comes back in ``errors`` with nothing saved.
    In practice mode ``check`` marks the page's questions and locks their answers.
    """
    now = now or timezone.now()
    if not attempt.is_open:
        raise AttemptConflict("This attempt has been submitted; its answers can no longer change.")
    if attempt_time_is_up(attempt, now=now):
        attempt_submit(attempt=attempt, closed_by=AttemptClosedBy.DEADLINE, now=now)
        raise AttemptConflict("Time is up: the answers saved before the limit have been submitted.")
    if sequence != attempt.save_sequence:
        raise AttemptConflict(
            "These answers are older than the ones already saved (perhaps from another tab "
            "or window), so they were not saved. The page now shows the latest answers."
        )
    stray = _posted_positions(data) - set(positions)
    if stray:
        raise answers.AnswerInvalid(
            "The form answered a question that is not on this page of the attempt.",
            tampered=True,
        )
    items = served_items(attempt, positions)
    if len(items) != len(set(positions)):
        raise answers.AnswerInvalid("That page is not part of this attempt.", tampered=True)
    errors: dict[int, str] = {}
    changed = []
    for item in items:
        if item.checked:
            continue
        try:
            item.answer = answers.read_answer(
                item.kind, item.block, item.order, data, answer_name(item)
            )
        except answers.AnswerInvalid as problem:
            if problem.tampered:
                raise
            errors[item.position] = str(problem)
            continue
        if check and attempt.mode != AssessmentMode.PRACTICE:
            check = False
        if check:
            item.checked = True
            item.fraction = answers.fraction(item.kind, item.block, item.answer)
        changed.append(item)
    if errors:
        return SaveResult(attempt=attempt, items=items, errors=errors)
    with transaction.atomic():
        moved = Attempt.objects.filter(
            pk=attempt.pk, save_sequence=sequence, status=AttemptStatus.IN_PROGRESS
        ).update(save_sequence=sequence + 1)
        if not moved:
            raise AttemptConflict(
                "These answers are older than the ones already saved (perhaps from another "
                "tab or window), so they were not saved. The page now shows the latest answers."
            )
        AttemptItem.objects.bulk_update(changed, ["answer", "checked", "fraction"])
    attempt.save_sequence = sequence + 1
    return SaveResult(attempt=attempt, items=items)


def attempt_time_is_up(attempt: Attempt, *, now=None) -> bool:
    """The time limit and any grace period have run out."""
    return attempt.closes_at is not None and (now or timezone.now()) > attempt.closes_at


def attempt_close_if_expired(*, attempt: Attempt, now=None) -> bool:
    """Submit an open attempt whose time is up, with what was saved; True if it was."""
    if attempt.is_open and attempt_time_is_up(attempt, now=now):
        attempt_submit(attempt=attempt, now=now)
        return True
    return False


def attempt_submit(*, attempt: Attempt, closed_by: str | None = None, now=None) -> Attempt:
    """Close the attempt and grade it from its stored answers. Only the first of any
    number of submissions (double clicks, retries, two tabs, the deadline task) takes
    effect; the rest get the attempt as it was graded. Without ``closed_by``, a
    submission after the time is up counts as closed by the deadline."""
    now = now or timezone.now()
    if closed_by is None:
        late = attempt_time_is_up(attempt, now=now)
        closed_by = AttemptClosedBy.DEADLINE if late else AttemptClosedBy.LEARNER
    with transaction.atomic():
        closed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            status=AttemptStatus.AWAITING_GRADING, submitted_at=now, closed_by=closed_by
        )
        attempt.refresh_from_db()
        if closed:
            _grade(attempt, now=now)
    return attempt


def _grade(attempt: Attempt, *, now) -> None:
    items = served_items(attempt)
    for item in items:
        if item.kind == "essay" and item.grader_points is not None:
            continue
        item.fraction = answers.fraction(item.kind, item.block, item.answer)
    AttemptItem.objects.bulk_update(items, ["fraction"])
    if any(item.fraction is None for item in items):
        return  # an essay waits for a trainer
    names = dict(Competency.objects.values_list("key", "name"))
    result = attempt_result(
        [
            ItemMark(earned=item.fraction, available=1, competencies=tuple(item.competencies))
            for item in items
        ],
        pass_percent=attempt.pass_percent,
        competency_minimums=attempt.competency_minimums,
        names=names,
    )
    attempt.status = AttemptStatus.GRADED
    attempt.percent = round(result.percent, 2)
    attempt.by_competency = {key: round(value, 2) for key, value in result.by_competency.items()}
    attempt.shortfalls = result.shortfalls
    attempt.passed = result.passed
    attempt.graded_at = now
    attempt.save(
        update_fields=[
            "status",
            "percent",
            "by_competency",
            "shortfalls",
            "passed",
            "graded_at",
        ]
    )
    # Inside the grading transaction, so what receivers do (complete a course) stands or
    # falls with the grade.
    attempt_graded.send(sender=Attempt, attempt=attempt)


@transaction.atomic
def attempt_item_grade_essay(*, item: AttemptItem, points: list[int], grader) -> Attempt:
    """A trainer's marks for one essay; see ``attempt_grade_essays``."""
    return attempt_grade_essays(
        attempt=Attempt.objects.get(pk=item.attempt_id),
        points={item.position: points},
        grader=grader,
    )


@transaction.atomic
def attempt_grade_essays(*, attempt: Attempt, points: dict[int, list[int]], grader) -> Attempt:
    """A trainer's marks for essays, by position, one number per rubric criterion, all or
    nothing; the attempt is graded once its last essay is, and the grading is logged."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != AttemptStatus.AWAITING_GRADING:
        raise AttemptConflict("This attempt is not waiting for grading.")
    essays = {
        item.position: item
        for item in attempt.items.select_related("revision").filter(kind="essay")
    }
    if not set(points) <= set(essays):
        raise ValueError("Those answers are not essays in this attempt.")
    for position, given in points.items():
        item = essays[position]
        rubric = served_question(item.revision).answer[0].value["rubric"]
        if len(given) != len(rubric) or any(
            not 0 <= mark <= criterion["points"]
            for mark, criterion in zip(given, rubric, strict=False)
        ):
            raise ValueError("Give each criterion between 0 and its maximum points.")
        item.grader_points = given
        item.fraction = sum(given) / sum(criterion["points"] for criterion in rubric)
        item.graded_by = grader
        item.save(update_fields=["grader_points", "fraction", "graded_by"])
    _grade(attempt, now=timezone.now())
    log(instance=attempt, action="assessments.grade", user=grader)
    return attempt


def attempts_close_expired(*, now=None) -> int:
    """Submit every attempt whose time and grace have run out, with what was saved."""
    now = now or timezone.now()
    closed = 0
    for attempt in Attempt.objects.in_progress().filter(closes_at__lt=now):
        attempt_submit(attempt=attempt, closed_by=AttemptClosedBy.DEADLINE, now=attempt.closes_at)
        closed += 1
    return closed

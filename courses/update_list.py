"""What in each course cites policy sections that changed: the trainer's update list, read
for many courses at once in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from assessments.models import Question, SelectionRule
from courses.choices import UpdateItemClosed
from courses.models import (
    CoursePage,
    CoursePolicyPin,
    CourseUpdateItem,
    ModulePage,
    ScenarioPage,
)

MODULE = "module"
ROLE_PLAY = "role-play"
QUESTION = "question"
KINDS = (MODULE, ROLE_PLAY, QUESTION)

# Said on every item when a material version rewords no section a course could cite
# (only its summary or title changed, or sections were only added): nothing points to a
# single passage, so the whole course is listed for review.
WHOLE_COURSE = "This version rewords no section, so the whole course is to be checked."


@dataclass(frozen=True)
class AffectedItem:
    kind: str  # MODULE, ROLE_PLAY or QUESTION
    object_id: int  # the page's id, or the question's
    title: str
    section_keys: tuple[str, ...]  # the changed sections it cites; empty for the whole course
    detail: str  # where inside it, in words
    edit_url: str  # its editor in the admin

    @property
    def kind_label(self) -> str:
        return {MODULE: "Module", ROLE_PLAY: "Role-play", QUESTION: "Question"}[self.kind]


def page_edit_url(page_id: int) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page_id])


def question_edit_url(question_id: int) -> str:
    return reverse("wagtailsnippets_assessments_question:edit", args=[question_id])


def _children_by_course(model, courses: dict[int, CoursePage], *fields) -> dict[int, list]:
    """The live child pages of ``model`` under each course, as value dicts, in one query
    per distinct course depth (one in practice: every course sits in the one catalogue)."""
    by_path = {course.path: pk for pk, course in courses.items()}
    found: dict[int, list] = {}
    for depth in sorted({course.depth for course in courses.values()}):
        paths = [c.path for c in courses.values() if c.depth == depth]
        rows = (
            model.objects.live()
            .annotate(parent_path=Substr("path", 1, depth * Page.steplen))
            .filter(depth=depth + 1, parent_path__in=paths)
            .order_by("path")
            .values("pk", "title", "parent_path", *fields)
        )
        for row in rows:
            found.setdefault(by_path[row["parent_path"]], []).append(row)
    return found


def _raw(stream) -> list:
    return list(getattr(stream, "raw_data", stream) or [])


def _list_values(items) -> list[dict]:
    # A ListBlock is stored as [{"type": "item", "value": ..., "id": ...}] or, when older,
    # as the plain values.
    return [
        item["value"] if isinstance(item, dict) and item.get("type") == "item" else item
        for item in items or []
    ]


def _module_item(row, *, policy_id: int, keys: set[str]) -> AffectedItem | None:
    cited = []
    for block in _raw(row["body"]):
        value = block.get("value") or {}
        if block.get("type") == "policy_excerpt" and value.get("policy") == policy_id:
            cited.append(value.get("section_key") or "")
    if keys:
        hits = sorted({key for key in cited if key in keys})
        if not hits:
            return None
        quotes = sum(1 for key in cited if key in keys)
        detail = f"{quotes} policy excerpt{'s' if quotes != 1 else ''} quoting " + ", ".join(hits)
        return AffectedItem(MODULE, row["pk"], row["title"], tuple(hits), detail, "")
    return AffectedItem(MODULE, row["pk"], row["title"], (), WHOLE_COURSE, "")


def _role_play_item(row, *, policy_id: int, keys: set[str]) -> AffectedItem | None:
    steps = [block.get("value") or {} for block in _raw(row["steps"])]
    endings = {step.get("key") for step in steps if not _list_values(step.get("choices"))}
    hits: set[str] = set()
    replies: dict[str, list[str]] = {}  # step key: numbers of its replies citing a key
    reached: list[str] = []
    for step in steps:
        for number, choice in enumerate(_list_values(step.get("choices")), start=1):
            key = choice.get("section_key") or ""
            if choice.get("policy") != policy_id or not key or (keys and key not in keys):
                continue
            hits.add(key)
            replies.setdefault(step.get("key") or "?", []).append(str(number))
            if choice.get("next_step") in endings and choice["next_step"] not in reached:
                reached.append(choice["next_step"])
    if keys and not hits:
        return None
    if not keys:
        return AffectedItem(ROLE_PLAY, row["pk"], row["title"], (), WHOLE_COURSE, "")
    detail = "Replies citing them: " + "; ".join(
        f"{step} (repl{'ies' if len(numbers) > 1 else 'y'} {', '.join(numbers)})"
        for step, numbers in replies.items()
    )
    if reached:
        detail += ". Endings they lead to: " + ", ".join(reached)
    return AffectedItem(ROLE_PLAY, row["pk"], row["title"], tuple(sorted(hits)), detail, "")


def _rule_draws(rule: SelectionRule, question: dict) -> bool:
    if rule.question_id:
        return rule.question_id == question["pk"]
    if not rule.count:
        return False
    return (
        (not rule.bank_id or rule.bank_id == question["bank_id"])
        and (not rule.competency_id or rule.competency_id in question["competencies"])
        and (not rule.policy_id or rule.policy_id == question["policy_id"])
        and (not rule.section_key or rule.section_key in question["keys"])
    )


def affected_items_by_course(
    *, policy_id: int, changed_keys_by_course: dict[int, set[str]]
) -> dict[int, list[AffectedItem]]:
    """For each course id given, what in it cites the sections of ``policy_id`` that
    changed for that course: its live modules quoting one (policy excerpts), its live
    role-plays with replies citing one, and the questions its final and practice
    assessments can draw (fixed or at random) that test one. Modules and role-plays come
    in page order, then questions by title.

    An empty set of changed keys is a material version that rewords no section: then the
    whole course is listed (every live module, every live role-play and every question on
    the policy its assessments can draw), each item saying so, rather than nothing.

    At most six queries however many courses (five when no selection rule asks for a
    competency)."""
    if not changed_keys_by_course:
        return {}
    courses = CoursePage.objects.only(
        "pk", "path", "depth", "assessment_id", "practice_assessment_id"
    ).in_bulk(list(changed_keys_by_course))
    result: dict[int, list[AffectedItem]] = {pk: [] for pk in courses}
    if not courses:
        return result

    modules = _children_by_course(ModulePage, courses, "body")
    role_plays = _children_by_course(ScenarioPage, courses, "steps")
    for pk in courses:
        keys = set(changed_keys_by_course[pk])
        for row in modules.get(pk, []):
            if item := _module_item(row, policy_id=policy_id, keys=keys):
                result[pk].append(replace(item, edit_url=page_edit_url(item.object_id)))
        for row in role_plays.get(pk, []):
            if item := _role_play_item(row, policy_id=policy_id, keys=keys):
                result[pk].append(replace(item, edit_url=page_edit_url(item.object_id)))

    assessments_of = {
        pk: {a for a in (c.assessment_id, c.practice_assessment_id) if a}
        for pk, c in courses.items()
    }
    assessment_ids = set().union(*assessments_of.values())
    if not assessment_ids:
        return result
    rules: dict[int, list[SelectionRule]] = {}
    for rule in SelectionRule.objects.filter(assessment_id__in=assessment_ids):
        rules.setdefault(rule.assessment_id, []).append(rule)
    questions = [
        {**row, "keys": set(filter(None, row["section_keys"].split(","))), "competencies": set()}
        for row in Question.objects.filter(policy_id=policy_id)
        .order_by("title", "pk")
        .values("pk", "title", "bank_id", "policy_id", "section_keys")
    ]
    if questions and any(r.competency_id for rs in rules.values() for r in rs):
        by_pk = {q["pk"]: q for q in questions}
        links = Question.competencies.through.objects.filter(question__policy_id=policy_id)
        for question_id, competency_id in links.values_list("question_id", "competency_id"):
            by_pk[question_id]["competencies"].add(competency_id)
    for pk in courses:
        keys = set(changed_keys_by_course[pk])
        course_rules = [r for a in sorted(assessments_of[pk]) for r in rules.get(a, [])]
        for question in questions:
            hits = sorted(question["keys"] & keys) if keys else []
            if keys and not hits:
                continue
            drawing = [r for r in course_rules if _rule_draws(r, question)]
            if not drawing:
                continue
            fixed = any(r.question_id for r in drawing)
            detail = (
                ("A fixed question" if fixed else "Can be drawn at random")
                + " in the course's "
                + _which(drawing, courses[pk])
                + ("" if keys else f". {WHOLE_COURSE}")
            )
            result[pk].append(
                AffectedItem(
                    QUESTION,
                    question["pk"],
                    question["title"],
                    tuple(hits),
                    detail,
                    question_edit_url(question["pk"]),
                )
            )
    return result


def _which(rules: list[SelectionRule], course: CoursePage) -> str:
    names = []
    ids = {r.assessment_id for r in rules}
    if course.assessment_id in ids:
        names.append("final assessment")
    if course.practice_assessment_id in ids:
        names.append("practice questions")
    return " and ".join(names)


# Reading the stored update lists, for the course editor and the Courses to update report.

# How long a course published with items open stays in the report after its list finished.
PUBLISHED_OPEN_SHOWN_DAYS = 90


@dataclass(frozen=True)
class PublishedWithOpenItems:
    by: str  # who published, or "" when nobody is recorded (scheduled publishing)
    at: datetime.datetime
    count: int


@dataclass(frozen=True)
class CourseUpdateList:
    course: CoursePage
    items: tuple  # the current list's CourseUpdateItems, open ones first
    changes: tuple[str, ...]  # "Refunds 1.0 → 3.0", per policy
    last_published_open: PublishedWithOpenItems | None

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.items if item.is_open)

    @property
    def done_count(self) -> int:
        return len(self.items) - self.open_count


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _update_list(course, items) -> CourseUpdateList:
    current = [item for item in items if item.current]
    current.sort(key=lambda item: (not item.is_open, KINDS.index(item.kind), item.title))
    changes = sorted(
        {
            f"{item.pinned_version.title} {item.pinned_version.label} → {item.version.label}"
            for item in current
        }
    )
    last = None
    published_open = [i for i in items if i.closed_reason == UpdateItemClosed.PUBLISHED_OPEN]
    if published_open:
        at = max(item.closed_at for item in published_open)
        group = [item for item in published_open if item.closed_at == at]
        last = PublishedWithOpenItems(by=_person(group[0].closed_by), at=at, count=len(group))
    return CourseUpdateList(course, tuple(current), tuple(changes), last)


def _items(courses):
    """The items of the courses' current lists (made against the versions the course is
    still pinned to: a publish moves the pins on and so finishes the list), and those
    published open in the past 90 days."""
    since = timezone.now() - datetime.timedelta(days=PUBLISHED_OPEN_SHOWN_DAYS)
    still_pinned = CoursePolicyPin.objects.filter(
        course_id=OuterRef("course_id"), version_id=OuterRef("pinned_version_id")
    )
    return (
        CourseUpdateItem.objects.filter(course__in=courses)
        .annotate(current=Exists(still_pinned))
        .filter(
            Q(current=True) | Q(closed_reason=UpdateItemClosed.PUBLISHED_OPEN, closed_at__gte=since)
        )
        .select_related("page", "question", "closed_by", "version", "pinned_version")
    )


def course_update_list(*, course: CoursePage) -> CourseUpdateList:
    """One course's current update list, and the last time it was published with items
    still open (in the past 90 days). One query."""
    return _update_list(course, list(_items([course.pk])))


def courses_to_update(*, courses) -> list[CourseUpdateList]:
    """The update lists of ``courses`` (a queryset of CoursePage) that have one, or that
    were published with items open in the past 90 days: courses with open items first,
    then by title. Two queries however many courses and items."""
    by_course: dict[int, list] = {}
    for item in _items(courses.values("pk")):
        by_course.setdefault(item.course_id, []).append(item)
    if not by_course:
        return []
    lists = []
    for course in CoursePage.objects.filter(pk__in=list(by_course)):
        lists.append(_update_list(course, by_course[course.pk]))
    lists.sort(key=lambda update_list: (update_list.open_count == 0, update_list.course.title))
    return lists

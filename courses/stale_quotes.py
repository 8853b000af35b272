"""Which live courses a trainer should republish, for every course at once: those pinned
to an older version of a policy they teach than its current one, with how many of their
quotes cite sections changed since. The admin home's trainers' summary and the message
after a policy is published both read this. The course editor's own panel reads one
course's quotes with ``courses.selectors.course_stale_quotes``."""

from dataclasses import dataclass

from django.db.models import Q
from wagtail.models import Page

from cms.models import PolicyVersion
from courses.models import CoursePage, CoursePolicyPin, ModulePage
from courses.selectors import changed_section_keys


@dataclass(frozen=True)
class PolicyBehind:
    pinned: PolicyVersion  # the version the course teaches, as last published
    current: PolicyVersion  # the policy's current version


@dataclass(frozen=True)
class CourseToRepublish:
    course: CoursePage
    behind: tuple[PolicyBehind, ...]  # by policy title
    quotes: int  # policy excerpts in its live modules whose section changed


def _quoted_in(raw_body) -> set[tuple[int, str]]:
    # ModulePage.quoted_sections() from the stored data, without loading each quoted
    # policy page: this reads every course at once.
    return {
        (block["value"]["policy"], block["value"]["section_key"])
        for block in raw_body
        if block.get("type") == "policy_excerpt" and block["value"].get("policy")
    }


def courses_to_republish(*, policy_id: int | None = None) -> list[CourseToRepublish]:
    """Live courses pinned to an older version of a policy they teach than its current
    version (only those teaching ``policy_id`` when given), by title, in four queries
    however many courses. Until such a course is republished it teaches the older words,
    and a recertification on a newer major version cannot complete on it."""
    pins = CoursePolicyPin.objects.filter(course__live=True).select_related("version")
    if policy_id is not None:
        pins = pins.filter(
            course__in=CoursePolicyPin.objects.filter(version__policy_id=policy_id).values(
                "course_id"
            )
        )
    pins = list(pins)
    current = PolicyVersion.objects.current_for({pin.version.policy_id for pin in pins})
    behind: dict[int, list[PolicyBehind]] = {}
    changed: dict[int, dict[int, set[str]]] = {}
    for pin in pins:
        newest = current.get(pin.version.policy_id)
        if newest is None or newest.pk == pin.version_id:
            continue
        if (newest.major, newest.minor) <= (pin.version.major, pin.version.minor):
            continue
        behind.setdefault(pin.course_id, []).append(PolicyBehind(pin.version, newest))
        keys = changed_section_keys(pin.version, newest)
        if keys:
            changed.setdefault(pin.course_id, {})[pin.version.policy_id] = keys
    if policy_id is not None:
        behind = {
            pk: policies
            for pk, policies in behind.items()
            if any(p.pinned.policy_id == policy_id for p in policies)
        }
    if not behind:
        return []
    courses = CoursePage.objects.in_bulk(list(behind))
    quotes = dict.fromkeys(courses, 0)
    quoting = [courses[pk] for pk in changed if pk in courses]
    if quoting:
        by_path = {course.path: course for course in quoting}
        children = Q()
        for course in quoting:
            children |= Q(path__startswith=course.path, depth=course.depth + 1)
        modules = ModulePage.objects.live().filter(children).values_list("path", "body")
        for path, body in modules:
            course = by_path[path[: -Page.steplen]]
            quotes[course.pk] += sum(
                1
                for quoted_policy, key in _quoted_in(body.raw_data)
                if key in changed[course.pk].get(quoted_policy, ())
            )
    return [
        CourseToRepublish(
            course=course,
            behind=tuple(sorted(behind[pk], key=lambda p: p.current.title)),
            quotes=quotes[pk],
        )
        for pk, course in sorted(courses.items(), key=lambda item: item[1].title)
    ]

"""Which live courses quote policy sections that changed since they were published, for
every course at once (the trainers' summary on the admin home). The course editor's own
panel reads one course with ``courses.selectors.course_stale_quotes``."""

from dataclasses import dataclass

from django.db.models import Q
from wagtail.models import Page

from cms.models import PolicyVersion
from courses.models import CoursePage, CoursePolicyPin, ModulePage
from courses.selectors import changed_section_keys


@dataclass(frozen=True)
class StaleCourse:
    course: CoursePage
    quotes: int  # policy excerpts in its live modules whose section changed


def _quoted_in(raw_body) -> set[tuple[int, str]]:
    # ModulePage.quoted_sections() from the stored data, without loading each quoted
    # policy page: this reads every course at once.
    return {
        (block["value"]["policy"], block["value"]["section_key"])
        for block in raw_body
        if block.get("type") == "policy_excerpt" and block["value"].get("policy")
    }


def courses_with_stale_quotes() -> list[StaleCourse]:
    """Live courses whose modules quote a policy section changed since the course was
    last published, as ``course_stale_quotes`` finds them one course at a time, for
    every course in four queries."""
    pins = list(CoursePolicyPin.objects.filter(course__live=True).select_related("version"))
    current = PolicyVersion.objects.current_for({pin.version.policy_id for pin in pins})
    changed: dict[int, dict[int, set[str]]] = {}
    for pin in pins:
        newest = current.get(pin.version.policy_id)
        if newest is not None and newest.pk != pin.version_id:
            keys = changed_section_keys(pin.version, newest)
            if keys:
                changed.setdefault(pin.course_id, {})[pin.version.policy_id] = keys
    if not changed:
        return []
    courses = CoursePage.objects.in_bulk(list(changed))
    by_path = {course.path: course for course in courses.values()}
    children = Q()
    for course in courses.values():
        children |= Q(path__startswith=course.path, depth=course.depth + 1)
    quotes = dict.fromkeys(courses, 0)
    for path, body in ModulePage.objects.live().filter(children).values_list("path", "body"):
        course = by_path[path[: -Page.steplen]]
        quotes[course.pk] += sum(
            1
            for policy_id, key in _quoted_in(body.raw_data)
            if key in changed[course.pk].get(policy_id, ())
        )
    return [
        StaleCourse(courses[pk], count)
        for pk, count in sorted(quotes.items(), key=lambda item: courses[item[0]].title)
        if count
    ]

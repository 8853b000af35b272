"""Changes to courses' update lists: made after a material policy version, closed when a
trainer confirms an item, when its object is deleted, and when the course is published."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from assessments.services import question_confirm_for_version
from cms.models import PolicyVersion
from courses.choices import UpdateItemClosed, UpdateItemKind
from courses.models import CoursePage, CoursePolicyPin, CourseUpdateItem
from courses.scripts import scenario_script_confirm_for_version
from courses.selectors import changed_section_keys
from courses.update_list import affected_items_by_course


class UpdateItemError(ValueError):
    """The update list item cannot be changed that way (it is already done)."""


def _previous_version(version: PolicyVersion) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(policy_id=version.policy_id)
        .filter(Q(major__lt=version.major) | Q(major=version.major, minor__lt=version.minor))
        .newest_first()
        .first()
    )


@transaction.atomic
def course_update_items_record(*, version: PolicyVersion) -> list[CourseUpdateItem]:
    """After a material policy version: for every live course pinned to an older version
    of that policy, an update list item for each module, role-play and question of the
    course that cites a section changed since the pinned version.

    An item still open for the same thing takes the new keys instead of being repeated;
    a thing already revised or confirmed under the same pin is listed again only when it
    cites a section this version changed. A version that rewords no section against the
    one before it lists the whole course (see ``courses.update_list``). Editorial
    versions make nothing. Returns the items made."""
    if not version.is_material:
        return []
    pins = {
        pin.course_id: pin.version
        for pin in CoursePolicyPin.objects.filter(
            course__live=True, version__policy_id=version.policy_id
        ).select_related("version")
        if (pin.version.major, pin.version.minor) < (version.major, version.minor)
    }
    if not pins:
        return []
    previous = _previous_version(version)
    newly = changed_section_keys(previous, version) if previous is not None else set()
    keys_by_course = {
        course_id: (changed_section_keys(pinned, version) if newly else set())
        for course_id, pinned in pins.items()
    }
    affected = affected_items_by_course(
        policy_id=version.policy_id, changed_keys_by_course=keys_by_course
    )
    existing: dict[tuple, list[CourseUpdateItem]] = {}
    for item in CourseUpdateItem.objects.filter(course_id__in=pins).select_related(
        "page", "question"
    ):
        if item.pinned_version_id == pins[item.course_id].pk and item.object_id is not None:
            existing.setdefault((item.course_id, item.kind, item.object_id), []).append(item)
    now = timezone.now()
    made = []
    for course_id, found in affected.items():
        for thing in found:
            earlier = existing.get((course_id, thing.kind, thing.object_id), [])
            still_open = next((item for item in earlier if item.is_open), None)
            if still_open is not None:
                keys = set(still_open.section_keys) | set(thing.section_keys)
                still_open.section_keys = sorted(keys)
                still_open.detail = thing.detail
                still_open.version = version
                still_open.save(update_fields=["section_keys", "detail", "version"])
                continue
            if earlier and thing.section_keys and not set(thing.section_keys) & newly:
                continue  # done already for the changes it cites
            is_question = thing.kind == UpdateItemKind.QUESTION
            made.append(
                CourseUpdateItem(
                    course_id=course_id,
                    pinned_version=pins[course_id],
                    version=version,
                    kind=thing.kind,
                    page_id=None if is_question else thing.object_id,
                    question_id=thing.object_id if is_question else None,
                    title=thing.title[:255],
                    section_keys=list(thing.section_keys),
                    detail=thing.detail,
                    created_at=now,
                )
            )
    return CourseUpdateItem.objects.bulk_create(made)


@transaction.atomic
def course_update_item_confirm(*, item: CourseUpdateItem, user) -> CourseUpdateItem:
    """A trainer says the item's module, role-play or question is still correct under the
    new version; recorded with who and when, on the item and in the course's history.
    Raises UpdateItemError when the item is already done."""
    item = (
        CourseUpdateItem.objects.select_for_update(of=("self",))
        .select_related("page", "question", "course", "version")
        .get(pk=item.pk)
    )
    if not item.is_open:
        raise UpdateItemError(f"“{item.title}” is already done; there is nothing to confirm.")
    item.closed_at = timezone.now()
    item.closed_by = user
    item.closed_reason = UpdateItemClosed.CONFIRMED
    item.save(update_fields=["closed_at", "closed_by", "closed_reason"])
    # What the trainer confirmed is from now on written for the new version, so a course
    # on that version serves the question and plays the role-play as they are.
    if item.kind == UpdateItemKind.QUESTION and item.question is not None:
        question_confirm_for_version(question=item.question, version=item.version, user=user)
    elif item.kind == UpdateItemKind.ROLE_PLAY and item.page is not None:
        scenario_script_confirm_for_version(scenario=item.page.specific, version=item.version)
    log(
        instance=item.course,
        action="courses.update_item_confirm",
        user=user,
        data={"item": item.title, "kind": item.kind, "version": item.version.label},
    )
    return item


def course_update_items_close_deleted(
    *, page_id: int | None = None, question_id: int | None = None
) -> int:
    """Close the open items of a page or a question about to be deleted, saying so; the
    items keep its title."""
    if page_id is None and question_id is None:
        return 0
    items = CourseUpdateItem.objects.filter(closed_at=None)
    items = items.filter(page_id=page_id) if page_id is not None else items
    items = items.filter(question_id=question_id) if question_id is not None else items
    return items.update(closed_at=timezone.now(), closed_reason=UpdateItemClosed.DELETED)


@transaction.atomic
def course_update_items_close_on_publish(*, course: CoursePage, user=None) -> int:
    """A course was published, so it is pinned to the current versions and its update
    list is finished. Items still open are closed as published with them open, with who
    did it and when (the edit form asked them to confirm first; other ways of publishing
    do not ask); revised items are closed as republished. Returns how many were open."""
    now = timezone.now()
    user = user if getattr(user, "pk", None) else None
    items = CourseUpdateItem.objects.filter(course=course)
    open_ids = list(items.open().values_list("pk", flat=True))
    if open_ids:
        CourseUpdateItem.objects.filter(pk__in=open_ids).update(
            closed_at=now, closed_by=user, closed_reason=UpdateItemClosed.PUBLISHED_OPEN
        )
        log(
            instance=course,
            action="courses.published_with_open_items",
            user=user,
            data={"open_items": len(open_ids)},
        )
    items.filter(closed_at=None).update(
        closed_at=now, closed_by=user, closed_reason=UpdateItemClosed.REPUBLISHED
    )
    return len(open_ids)

"""Course operations: pinning policy versions and checking knowledge-check answers.
Role-play scripts are made in courses/scripts.py."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage, CoursePolicyPin, ModulePage
from courses.signals import course_pins_changed


@transaction.atomic
def course_pin_policies(*, course: CoursePage) -> list:
    """Pin the course to the current version of each policy it teaches. When that moves
    the course onto a version it did not teach before, ``course_pins_changed`` is sent
    once the transaction commits."""
    now = timezone.now()
    current = [policy.current_version for policy in course.policies.all()]
    current = [version for version in current if version is not None]
    course.policy_pins.exclude(version__in=current).delete()
    added = False
    for version in current:
        _, created = CoursePolicyPin.objects.get_or_create(
            course=course, version=version, defaults={"pinned_at": now}
        )
        added = added or created
    if added:
        transaction.on_commit(lambda: course_pins_changed.send(sender=CoursePage, course=course))
    return current


class KnowledgeCheckError(ValueError):
    """The answer does not belong to the question."""


@dataclass(frozen=True)
class KnowledgeCheckResult:
    correct: bool
    feedback: str
    chosen: int


def knowledge_check_grade(
    *, module: ModulePage, block_id: str, option: str
) -> KnowledgeCheckResult:
    block = module.knowledge_check(block_id)
    if block is None:
        raise KnowledgeCheckError("No such question in this module.")
    try:
        index = int(option)
    except (TypeError, ValueError) as exc:
        raise KnowledgeCheckError("Choose one of the answers.") from exc
    options = block.value["options"]
    if not 0 <= index < len(options):
        raise KnowledgeCheckError("Choose one of the answers.")
    chosen = options[index]
    return KnowledgeCheckResult(
        correct=bool(chosen["correct"]), feedback=chosen["feedback"] or "", chosen=index
    )

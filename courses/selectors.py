"""Reads about courses for their authors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cms.models import PolicyVersion
from cms.services import policy_version_compare

if TYPE_CHECKING:  # the panel that calls this is built while courses.models loads
    from courses.models import CoursePage, ModulePage


@dataclass(frozen=True)
class StaleQuote:
    module: ModulePage
    policy_title: str
    section_key: str
    pinned_label: str
    current_label: str


def changed_section_keys(pinned: PolicyVersion, current: PolicyVersion) -> set[str]:
    """Sections a quote of ``pinned`` may no longer match: reworded or removed since."""
    comparison = policy_version_compare(old=pinned, new=current)
    return set(comparison.changed_keys) | {
        s.key for s in comparison.sections if s.status == "removed"
    }


def course_stale_quotes(*, course: CoursePage) -> list[StaleQuote]:
    """Modules quoting policy sections that changed since the course was pinned."""
    stale = []
    pins = {
        pin.version.policy_id: pin.version
        for pin in course.policy_pins.select_related("version__policy")
    }
    changed_by_policy = {}
    for policy_id, pinned in pins.items():
        current = pinned.policy.current_version
        if current is not None and current.pk != pinned.pk:
            changed_by_policy[policy_id] = (pinned, current, changed_section_keys(pinned, current))
    for module in course.get_modules():
        for policy_id, key in sorted(module.quoted_sections()):
            if policy_id in changed_by_policy and key in changed_by_policy[policy_id][2]:
                pinned, current, _ = changed_by_policy[policy_id]
                stale.append(StaleQuote(module, pinned.title, key, pinned.label, current.label))
    return stale

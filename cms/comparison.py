"""Comparing two versions of a policy section by section, as staff read it at
/policies/<slug>/changes/<from>/<to>/ and as the editor's impact preview shows a draft.

Plain code over anything shaped like a PolicyVersion (policy_id, title, summary,
sections): it imports no models, so the editor's panels can use it while the models load."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from cms.models import PolicyVersion

WORD_PATTERN = re.compile(r"\S+")


class SectionStatus:
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class SectionChange:
    key: str
    status: str
    old_heading: str = ""
    new_heading: str = ""
    moved: bool = False
    old_position: int | None = None
    new_position: int | None = None
    body_diff: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def renamed(self) -> bool:
        return bool(self.old_heading and self.new_heading and self.old_heading != self.new_heading)

    @property
    def reworded(self) -> bool:
        return self.status == SectionStatus.CHANGED

    @property
    def touched(self) -> bool:
        return self.status != SectionStatus.UNCHANGED or self.moved or self.renamed


@dataclass
class PolicyComparison:
    old: PolicyVersion
    new: PolicyVersion
    sections: list[SectionChange]
    summary_changed: bool

    @property
    def changed_keys(self) -> list[str]:
        """Sections whose words changed or that are new: what re-training must cover."""
        return [
            s.key
            for s in self.sections
            if s.status in (SectionStatus.ADDED, SectionStatus.CHANGED) or s.renamed
        ]

    @property
    def has_changes(self) -> bool:
        return self.summary_changed or any(s.touched for s in self.sections)


class PolicyComparisonError(ValueError):
    """The two versions cannot be compared (they belong to different policies)."""


def policy_text(body_html: str) -> str:
    return html.unescape(strip_tags(body_html.replace("</p>", "</p> ").replace("<br/>", " ")))


def word_diff(old_text: str, new_text: str) -> SafeString:
    """Escaped text of the new wording with removed words in <del> and added ones in <ins>."""
    old_words = WORD_PATTERN.findall(old_text)
    new_words = WORD_PATTERN.findall(new_text)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = html.escape(" ".join(old_words[i1:i2]))
        added = html.escape(" ".join(new_words[j1:j2]))
        if tag == "equal":
            parts.append(added)
        if tag in ("delete", "replace"):
            parts.append(f"<del>{removed}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{added}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - every word above is escaped


def moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys kept in both versions that are not part of the longest common ordering."""
    common = set(old_order) & set(new_order)
    old_common = [k for k in old_order if k in common]
    new_common = [k for k in new_order if k in common]
    matcher = difflib.SequenceMatcher(a=old_common, b=new_common, autojunk=False)
    in_place = set()
    for block in matcher.get_matching_blocks():
        in_place.update(old_common[block.a : block.a + block.size])
    return common - in_place


def policy_version_compare(*, old: PolicyVersion, new: PolicyVersion) -> PolicyComparison:
    """What changed from one version of a policy to another, section by section."""
    if old.policy_id != new.policy_id:
        raise PolicyComparisonError("Only versions of the same policy can be compared.")
    old_by_key = {s["key"]: (i, s) for i, s in enumerate(old.sections)}
    new_by_key = {s["key"]: (i, s) for i, s in enumerate(new.sections)}
    moved = moved_keys([s["key"] for s in old.sections], [s["key"] for s in new.sections])

    changes = []
    for position, section in enumerate(new.sections):
        key = section["key"]
        new_text = policy_text(section["body"])
        if key not in old_by_key:
            changes.append(
                SectionChange(
                    key=key,
                    status=SectionStatus.ADDED,
                    new_heading=section["heading"],
                    new_position=position,
                    body_diff=word_diff("", new_text),
                )
            )
            continue
        old_position, old_section = old_by_key[key]
        old_text = policy_text(old_section["body"])
        changes.append(
            SectionChange(
                key=key,
                status=SectionStatus.CHANGED if old_text != new_text else SectionStatus.UNCHANGED,
                old_heading=old_section["heading"],
                new_heading=section["heading"],
                moved=key in moved,
                old_position=old_position,
                new_position=position,
                body_diff=word_diff(old_text, new_text),
            )
        )
    for key, (old_position, old_section) in old_by_key.items():
        if key not in new_by_key:
            changes.append(
                SectionChange(
                    key=key,
                    status=SectionStatus.REMOVED,
                    old_heading=old_section["heading"],
                    old_position=old_position,
                    body_diff=word_diff(policy_text(old_section["body"]), ""),
                )
            )
    return PolicyComparison(
        old=old,
        new=new,
        sections=changes,
        summary_changed=old.summary.strip() != new.summary.strip() or old.title != new.title,
    )

"""What a policy page's content becomes as a version: its sections as plain data, their
content hash, the moment a publish takes effect, and the draft as the version publishing
it would make (for the editor's impact preview).

Plain code over the page's fields: it imports no models, so the editor's panels can use it
while the models load; services.py records the versions."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from cms.choices import ChangeKind

if TYPE_CHECKING:
    from cms.models import PolicyPage, PolicyVersion


def policy_sections_snapshot(page: PolicyPage) -> list[dict]:
    """The page's sections as plain data: key, heading and the body's stored rich text."""
    return [
        {
            "key": block.value["key"],
            "heading": block.value["heading"],
            "body": block.value["body"].source,
        }
        for block in page.sections
        if block.block_type == "section"
    ]


def policy_content_hash(*, title: str, summary: str, sections: list[dict]) -> str:
    """SHA-256 of a canonical JSON form: the same words always give the same hash."""
    canonical = json.dumps(
        {"title": title.strip(), "summary": summary.strip(), "sections": sections},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def policy_effective_at(
    *, page: PolicyPage, kind: str, now: datetime.datetime
) -> datetime.datetime:
    """When a version published ``now`` takes effect: the start of the day the page names
    for a material change, never earlier than ``now``; otherwise ``now``.

    The editor refuses a day in the past, but other publishing paths (workflow approval,
    scheduled publishing) may publish a draft after its day has gone: it takes effect on
    publishing then."""
    if kind != ChangeKind.MATERIAL or page.effective_on is None:
        return now
    start = timezone.make_aware(datetime.datetime.combine(page.effective_on, datetime.time.min))
    return max(now, start)


@dataclass(frozen=True)
class PolicyDraft:
    """A draft of a policy as the version publishing it would record: the same fields as a
    PolicyVersion that comparisons read, never saved. ``change_kind`` is empty while the
    draft does not say; it is then numbered as the material change it may become."""

    policy_id: int
    major: int
    minor: int
    title: str
    summary: str
    sections: list[dict]
    content_hash: str
    change_kind: str
    change_summary: str
    recertification_days: int | None
    effective_on: datetime.date | None  # the day chosen; None: the day it is published

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_material(self) -> bool:
        return self.change_kind == ChangeKind.MATERIAL

    @property
    def is_editorial(self) -> bool:
        return self.change_kind == ChangeKind.EDITORIAL

    def section(self, key: str) -> dict | None:
        return next((s for s in self.sections if s["key"] == key), None)


def policy_draft(*, page: PolicyPage, current: PolicyVersion) -> PolicyDraft:
    """The version publishing ``page`` as it stands would record after ``current``."""
    sections = policy_sections_snapshot(page)
    editorial = page.change_kind == ChangeKind.EDITORIAL
    return PolicyDraft(
        policy_id=page.pk,
        major=current.major if editorial else current.major + 1,
        minor=current.minor + 1 if editorial else 0,
        title=page.title,
        summary=page.summary,
        sections=sections,
        content_hash=policy_content_hash(title=page.title, summary=page.summary, sections=sections),
        change_kind=page.change_kind or "",
        change_summary=page.change_summary,
        recertification_days=page.recertification_days,
        # A day that has passed takes effect on publishing, as policy_effective_at says.
        effective_on=None
        if editorial or not page.effective_on or page.effective_on < timezone.localdate()
        else page.effective_on,
    )

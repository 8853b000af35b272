"""Policy operations: freezing a version on publish, comparing versions, acknowledging."""

import datetime
import difflib
import hashlib
import html
import json
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.log_actions import get_active_log_context, log

from cms.choices import ChangeKind
from cms.models import PolicyAcknowledgement, PolicyPage, PolicyVersion
from cms.signals import policy_version_recorded


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


@transaction.atomic
def policy_version_record(*, page: PolicyPage, revision=None, user=None) -> PolicyVersion | None:
    """Freeze the page as just published into a new PolicyVersion.

    Returns None when the content is identical to the newest version (a re-publish).
    The first version is 1.0; an editorial change bumps the minor number, a material
    change the major number.
    """
    # Lock the policy row so two publishes at once cannot take the same label.
    PolicyPage.objects.select_for_update().filter(pk=page.pk).first()
    sections = policy_sections_snapshot(page)
    digest = policy_content_hash(title=page.title, summary=page.summary, sections=sections)
    latest = page.versions.newest_first().first()
    if latest is not None and latest.content_hash == digest:
        return None

    if latest is None:
        major, minor, kind = 1, 0, ChangeKind.MATERIAL
        change_summary = page.change_summary or "First published version."
    elif page.change_kind == ChangeKind.MATERIAL:
        major, minor, kind = latest.major + 1, 0, ChangeKind.MATERIAL
        change_summary = page.change_summary
    else:
        # Publishing paths that skip the edit form (bulk actions, the API) state no kind;
        # they are recorded as editorial and say so.
        major, minor, kind = latest.major, latest.minor + 1, ChangeKind.EDITORIAL
        change_summary = page.change_summary or (
            "" if page.change_kind else "Published without a stated kind of change."
        )

    now = timezone.now()
    effective_at = policy_effective_at(page=page, kind=kind, now=now)
    publisher = user or get_active_log_context().user or getattr(revision, "user", None)
    version = PolicyVersion.objects.create(
        policy=page,
        major=major,
        minor=minor,
        title=page.title,
        summary=page.summary,
        sections=sections,
        content_hash=digest,
        change_kind=kind,
        change_summary=change_summary,
        recertification_days=page.recertification_days if kind == ChangeKind.MATERIAL else None,
        effective_at=effective_at,
        published_at=now,
        published_by=publisher if getattr(publisher, "pk", None) else None,
        revision_id=getattr(revision, "pk", None),
    )
    log(
        instance=page,
        action="cms.policy_version",
        user=version.published_by,
        data={
            "version": version.label,
            "kind": kind,
            "hash": digest,
            "effective_at": effective_at.isoformat(),
        },
    )
    transaction.on_commit(
        lambda: policy_version_recorded.send(sender=PolicyVersion, version=version)
    )
    return version


@transaction.atomic
def policy_acknowledge(*, user, version: PolicyVersion) -> PolicyAcknowledgement:
    """Record that someone has read and understood a version; doing it twice is harmless."""
    existing = PolicyAcknowledgement.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acknowledgement = PolicyAcknowledgement.objects.create(
                user=user, version=version, acknowledged_at=timezone.now()
            )
    except IntegrityError:  # the same person acknowledged in another tab a moment ago
        return PolicyAcknowledgement.objects.get(user=user, version=version)
    log(
        instance=version.policy,
        action="cms.policy_acknowledge",
        user=user,
        data={"version": version.label},
    )
    return acknowledgement


# --- comparison -------------------------------------------------------------------------

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

"""Policy operations: freezing a version on publish, acknowledging; and, from
comparison.py, comparing versions."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import get_active_log_context, log

from cms.choices import ChangeKind

# Comparing versions and making a version's content are plain code of their own, which the
# editor's panels use too; callers keep importing them from here.
from cms.comparison import (  # noqa: F401
    PolicyComparison,
    PolicyComparisonError,
    SectionChange,
    SectionStatus,
    policy_version_compare,
    word_diff,
)
from cms.models import PolicyAcknowledgement, PolicyPage, PolicyVersion
from cms.signals import policy_version_recorded
from cms.versioning import (
    policy_content_hash,
    policy_effective_at,
    policy_sections_snapshot,
)


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

"""Issuing certificates: once per person, course and set of policy versions."""

import calendar
import datetime
import hashlib
import re
import secrets
import tempfile
import uuid
import zipfile

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.log_actions import log, registry

from assessments.models import Attempt, versions_in_effect_from, versions_not_in_effect
from certificates.choices import CURRENT_STATUSES, CertificateStatus
from certificates.models import (
    Certificate,
    CertificateTemplate,
    CertificateVersion,
    SerialCounter,
)
from certificates.rendering import render_pdf
from certificates.signals import certificate_issued
from courses.models import CoursePage, CoursePolicyPin

CODE_BYTES = 24  # 192 bits of randomness in every verification code


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _version_set(versions) -> str:
    return ",".join(str(pk) for pk in sorted(version.pk for version in versions))


def _serial(number: int) -> str:
    return f"{settings.CERTIFICATE_SERIAL_PREFIX}-{number:06d}"


def _passing_attempt(*, user, course: CoursePage, versions) -> Attempt | None:
    """The pass a certificate on ``versions`` names: the one graded last among those
    started once all of them were in effect, which is what completed the course (a pass
    on an older version may be graded later still). With none such, the last pass graded,
    which the certificate then refuses to name."""
    if course.assessment_id is None:
        return None
    passes = (
        Attempt.objects.passed_certifying()
        .filter(user=user, assessment_id=course.assessment_id)
        .order_by("-graded_at", "-pk")
    )
    counted = passes.started_in_effect(versions_in_effect_from(versions)).first()
    return counted or passes.first()


class CertificateActionError(Exception):
    """A revocation or reissue that cannot be done; the message says why."""


class CertificateIssueRefused(Exception):
    """A certificate that would name a policy version its assessment could not have
    been on; the message says which."""


def _refuse_later_versions(versions, *, attempt: Attempt | None) -> None:
    """A certificate earned with ``attempt`` cannot name a version that took effect after
    the attempt started."""
    later = [] if attempt is None else versions_not_in_effect(versions, at=attempt.started_at)
    if later:
        named = ", ".join(
            f"{version.title} {version.label} (in effect from "
            f"{timezone.localtime(version.effective_at):%-d %B %Y})"
            for version in later
        )
        started = timezone.localtime(attempt.started_at)
        raise CertificateIssueRefused(
            f"Not issued: the assessment attempt started on {started:%-d %B %Y}, before "
            f"{named} took effect. A certificate names only the policy versions in effect "
            "when its assessment began."
        )


def _certificate_create(
    *,
    user,
    course: CoursePage,
    versions,
    attempt: Attempt | None,
    issued_on: datetime.date,
    expires_on: datetime.date | None,
    status: str = CertificateStatus.VALID,
    recertification_due_on: datetime.date | None = None,
) -> Certificate:
    """Number and store a certificate with its policy versions. Call inside a transaction:
    the serial counter stays locked until it commits."""
    counter = SerialCounter.objects.select_for_update().get(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    certificate = Certificate.objects.create(
        serial=_serial(counter.last_number),
        code=secrets.token_urlsafe(CODE_BYTES),
        user=user,
        course=course,
        attempt=attempt,
        learner_name=(user.get_full_name() or user.email)[:300],
        course_title=course.title,
        version_set=_version_set(versions),
        issued_on=issued_on,
        expires_on=expires_on,
        status=status,
        recertification_due_on=recertification_due_on,
    )
    CertificateVersion.objects.bulk_create(
        CertificateVersion(
            certificate=certificate,
            version=version,
            policy_title=version.title,
            label=version.label,
            content_hash=version.content_hash,
        )
        for version in versions
    )
    return certificate


def _queue_render(certificate: Certificate) -> None:
    transaction.on_commit(
        lambda: certificate_issued.send(sender=Certificate, certificate=certificate)
    )


def certificate_issue(*, user, course: CoursePage, actor=None, today=None) -> Certificate:
    """Issue the certificate for a completed course on the policy versions it is pinned
    to, or return the valid one that already exists for that set: running twice, or two
    requests at once, gives one certificate (a database constraint settles races).
    Refused (CertificateIssueRefused) when a pinned version took effect after the
    passing attempt started: the certificate would claim what was never assessed."""
    today = today or timezone.localdate()
    versions = sorted(
        CoursePolicyPin.objects.versions_by_policy(course).values(), key=lambda v: v.title
    )
    version_set = _version_set(versions)
    existing = (
        Certificate.objects.current()
        .filter(user=user, course=course, version_set=version_set)
        .order_by("-issued_on", "-pk")
        .first()
    )
    if (
        existing is not None
        and existing.status_on(today) != CertificateStatus.EXPIRED
        and not _renewal_window_open(existing, course, today)
    ):
        # Completing the course again on the same versions earns nothing new, even
        # while recertification on newer versions is due: only those, or a renewal once
        # the expiry window has opened, do.
        return existing
    attempt = _passing_attempt(user=user, course=course, versions=versions)
    _refuse_later_versions(versions, attempt=attempt)
    months = course.certificate_validity_months
    expires_on = add_months(today, months) if months else None
    renewed = (
        Certificate.objects.current()
        .filter(user=user, course=course, expires_on__gte=today)
        .order_by("-expires_on")
        .first()
    )
    if renewed is not None and months and course.recertification_keeps_cycle:
        expires_on = add_months(renewed.expires_on, months)
    try:
        with transaction.atomic():
            # Lapsed by date but not yet marked: it steps aside for the new one.
            if (
                existing is not None
                and existing.status_on(today) == CertificateStatus.EXPIRED
                and Certificate.objects.filter(pk=existing.pk, status=existing.status).update(
                    status=CertificateStatus.EXPIRED, status_changed_at=timezone.now()
                )
            ):
                log(instance=existing, action="certificates.expire", data={"on": str(today)})
            # The holder's other current certificates for the course step aside first:
            # one of them may hold the only valid place for this version set.
            replaced = _supersede_older(user=user, course=course, actor=actor)
            certificate = _certificate_create(
                user=user,
                course=course,
                versions=versions,
                attempt=attempt,
                issued_on=today,
                expires_on=expires_on,
            )
            Certificate.objects.filter(pk__in=replaced).update(superseded_by=certificate)
    except IntegrityError:
        return Certificate.objects.get(
            user=user, course=course, version_set=version_set, status=CertificateStatus.VALID
        )
    log(instance=certificate, action="certificates.issue", user=actor)
    _queue_render(certificate)
    return certificate


def _renewal_window_open(certificate: Certificate, course: CoursePage, today) -> bool:
    """Whether a current certificate is close enough to expiry to be renewed."""
    if certificate.status != CertificateStatus.VALID or certificate.expires_on is None:
        return False
    opens = certificate.expires_on - datetime.timedelta(days=course.recertification_window_days)
    return opens <= today


def _supersede_older(*, user, course: CoursePage, actor) -> list[int]:
    """Earned again (on newer policy versions, or renewed near expiry): the holder's
    current certificates for the course step aside. Returns their ids."""
    replaced = []
    for previous in Certificate.objects.current().filter(user=user, course=course):
        Certificate.objects.filter(pk=previous.pk).update(
            status=CertificateStatus.SUPERSEDED,
            status_reason="Replaced by a newer certificate for the same course.",
            status_changed_at=timezone.now(),
        )
        log(instance=previous, action="certificates.supersede", user=actor)
        replaced.append(previous.pk)
    return replaced


def _require_reason(reason: str, doing: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise CertificateActionError(f"Give a reason for {doing} the certificate.")
    return reason


@transaction.atomic
def certificate_revoke(*, certificate_id: int, reason: str, actor) -> Certificate:
    """Withdraw a certificate for good: /verify/ says revoked, with when and why."""
    reason = _require_reason(reason, "revoking")
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.status == CertificateStatus.REVOKED:
        raise CertificateActionError(f"{certificate.serial} is already revoked.")
    previous = certificate.status
    certificate.status = CertificateStatus.REVOKED
    certificate.status_reason = reason
    certificate.status_changed_by = actor
    certificate.status_changed_at = timezone.now()
    certificate.save(
        update_fields=["status", "status_reason", "status_changed_by", "status_changed_at"]
    )
    log(
        instance=certificate,
        action="certificates.revoke",
        user=actor,
        data={"reason": reason, "previous_status": previous},
    )
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate_id: int, reason: str, actor, today=None) -> Certificate:
    """Replace a current certificate with a new one (new serial, code and PDF, the
    holder's name as it is now) on the same course, policy versions, attempt and expiry
    date. The old one reads superseded and points at its replacement."""
    reason = _require_reason(reason, "reissuing")
    today = today or timezone.localdate()
    old = Certificate.objects.select_for_update().get(pk=certificate_id)
    status = old.status_on(today)
    if status not in CURRENT_STATUSES:
        raise CertificateActionError(
            f"{old.serial} is {CertificateStatus(status).label.lower()}; only a current "
            "certificate can be reissued."
        )
    versions = [entry.version for entry in old.versions.select_related("version")]
    old.status = CertificateStatus.SUPERSEDED
    old.status_reason = f"Reissued: {reason}"
    old.status_changed_by = actor
    old.status_changed_at = timezone.now()
    old.save(update_fields=["status", "status_reason", "status_changed_by", "status_changed_at"])
    new = _certificate_create(
        user=old.user,
        course=old.course,
        versions=versions,
        attempt=old.attempt,
        issued_on=today,
        expires_on=old.expires_on,
        status=status,
        recertification_due_on=old.recertification_due_on,
    )
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    log(
        instance=old,
        action="certificates.supersede",
        user=actor,
        data={"reason": reason, "replaced_by": new.serial},
    )
    log(
        instance=new,
        action="certificates.reissue",
        user=actor,
        data={"reason": reason, "replaces": old.serial},
    )
    _queue_render(new)
    return new


def certificates_log(
    *,
    certificate_ids,
    action: str,
    data: dict | None = None,
    user=None,
    labels: dict[int, str] | None = None,
):
    """One audit log entry per certificate for a change made to many at once, written in
    one insert (``log()`` would make one per certificate). ``labels`` (id to
    ``Certificate.label_for``) spares reading them again when the caller has them."""
    if not certificate_ids:
        return
    if labels is None:
        # Plain values, not instances: a fan-out logs thousands at a time.
        labels = {
            pk: Certificate.label_for(serial, course_title, learner_name)
            for pk, serial, course_title, learner_name in Certificate.objects.filter(
                pk__in=certificate_ids
            ).values_list("pk", "serial", "course_title", "learner_name")
        }
    certificates = [(pk, labels[pk]) for pk in certificate_ids if pk in labels]
    if not certificates:
        return
    log_model = registry.get_log_model_for_model(Certificate)
    content_type = ContentType.objects.get_for_model(Certificate, for_concrete_model=False)
    now = timezone.now()
    log_model.objects.bulk_create(
        log_model(
            content_type_id=content_type.pk,
            object_id=str(pk),
            label=label,
            action=action,
            data=data or {},
            timestamp=now,
            user_id=user.pk if user else None,
            # No shared uuid: the admin's history keeps only the newest entry per uuid
            # and action, which would hide all but one certificate's.
        )
        for pk, label in certificates
    )


def certificates_expire(*, today: datetime.date) -> int:
    """Write down what dates have already decided: certificates past their expiry date,
    and those past their recertification due date without renewal, are expired. Each one
    gets a ``certificates.expire`` entry in its history."""
    lapsed = Certificate.objects.filter(status__in=CURRENT_STATUSES, expires_on__lt=today) | (
        Certificate.objects.filter(
            status=CertificateStatus.RECERTIFICATION_DUE, recertification_due_on__lt=today
        )
    )
    with transaction.atomic():
        ids = list(lapsed.select_for_update().values_list("pk", flat=True))
        Certificate.objects.filter(pk__in=ids).update(
            status=CertificateStatus.EXPIRED, status_changed_at=timezone.now()
        )
        certificates_log(certificate_ids=ids, action="certificates.expire", data={"on": str(today)})
    return len(ids)


def certificate_download_record(*, certificate: Certificate, actor) -> None:
    """Note in the audit log that someone other than the holder took a copy."""
    log(instance=certificate, action="certificates.download", user=actor)


def _archive_name(certificate: Certificate) -> str:
    name = slugify(certificate.learner_name)[:60] or "certificate"
    return f"{certificate.serial}-{name}.pdf"


def certificates_zip(*, certificates, actor) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """A ZIP of the stored PDFs of ``certificates`` (ones not rendered yet are left out),
    each download logged. Returns the file, rewound, and how many it holds."""
    # Handed to the response, which closes it.
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    count = 0
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
        for certificate in certificates:
            if not certificate.pdf_sha256:
                continue
            with certificate.pdf.open("rb") as stored:
                bundle.writestr(_archive_name(certificate), stored.read())
            log(
                instance=certificate, action="certificates.download", user=actor, data={"zip": True}
            )
            count += 1
    archive.seek(0)
    return archive, count


def certificate_render(*, certificate_id: int) -> str:
    """Render the PDF of a certificate that has none yet, store it with its SHA-256 and
    return the hash. A certificate that has its PDF keeps it: the bytes never change."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.pdf_sha256:
            return certificate.pdf_sha256
        template = CertificateTemplate.objects.filter(is_default=True).first()
        data = render_pdf(certificate, template)
        digest = hashlib.sha256(data).hexdigest()
        certificate.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
        certificate.pdf_sha256 = digest
        certificate.template = template
        certificate.save(update_fields=["pdf", "pdf_sha256", "template"])
    return digest


CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate with this verification code; None for any string no code can be
    (so a NUL or an over-long value never reaches the database)."""
    if not code or not CODE_SHAPE.fullmatch(code):
        return None
    return Certificate.objects.filter(code=code).prefetch_related("versions").first()

"""Issuing certificates: once per person, course and set of policy versions."""

import calendar
import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from assessments.models import Attempt
from certificates.choices import CertificateStatus
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


def _passing_attempt(*, user, course: CoursePage) -> Attempt | None:
    if course.assessment_id is None:
        return None
    return (
        Attempt.objects.passed_certifying()
        .filter(user=user, assessment_id=course.assessment_id)
        .order_by("-graded_at")
        .first()
    )


def certificate_issue(*, user, course: CoursePage, actor=None, today=None) -> Certificate:
    """Issue the certificate for a completed course on the policy versions it is pinned
    to, or return the valid one that already exists for that set: running twice, or two
    requests at once, gives one certificate (a database constraint settles races)."""
    today = today or timezone.localdate()
    versions = sorted(
        CoursePolicyPin.objects.versions_by_policy(course).values(), key=lambda v: v.title
    )
    version_set = _version_set(versions)
    existing = Certificate.objects.filter(
        user=user, course=course, version_set=version_set, status=CertificateStatus.VALID
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            counter = SerialCounter.objects.select_for_update().get(pk=1)
            counter.last_number += 1
            counter.save(update_fields=["last_number"])
            certificate = Certificate.objects.create(
                serial=_serial(counter.last_number),
                code=secrets.token_urlsafe(CODE_BYTES),
                user=user,
                course=course,
                attempt=_passing_attempt(user=user, course=course),
                learner_name=(user.get_full_name() or user.email)[:300],
                course_title=course.title,
                version_set=version_set,
                issued_on=today,
                expires_on=(
                    add_months(today, course.certificate_validity_months)
                    if course.certificate_validity_months
                    else None
                ),
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
    except IntegrityError:
        return Certificate.objects.get(
            user=user, course=course, version_set=version_set, status=CertificateStatus.VALID
        )
    log(instance=certificate, action="certificates.issue", user=actor)
    transaction.on_commit(
        lambda: certificate_issued.send(sender=Certificate, certificate=certificate)
    )
    return certificate


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


def certificate_for_code(code: str) -> Certificate | None:
    if not code or len(code) > 64:
        return None
    return Certificate.objects.filter(code=code).prefetch_related("versions").first()

"""Certificates: evidence that a person completed a course on exact policy versions."""

import datetime

from django.conf import settings
from django.db import models

from certificates.choices import CURRENT_STATUSES, CertificateStatus


class SerialCounter(models.Model):
    """The last serial number issued: a single row (made by a migration), locked while a
    certificate is numbered, so serials run in order without gaps or repeats."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Last serial number {self.last_number}"


class CertificateQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status__in=CURRENT_STATUSES)


class Certificate(models.Model):
    """An issued certificate. What it says (name, course, versions, dates) is copied in
    at issue, so later edits elsewhere never change it."""

    serial = models.CharField(max_length=30, unique=True)
    code = models.CharField(
        max_length=64, unique=True, help_text="The public verification code (unguessable)."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.ForeignKey(
        "assessments.Attempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text="The attempt that passed the course's final assessment, if it has one.",
    )
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=255)
    version_set = models.CharField(
        max_length=500, help_text="The policy version ids, sorted: one valid certificate each."
    )
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=24, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    recertification_due_on = models.DateField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    pdf = models.FileField(upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "version_set"],
                condition=models.Q(status=CertificateStatus.VALID),
                name="one_valid_certificate_per_version_set",
            )
        ]

    def __str__(self) -> str:
        return f"{self.serial}: {self.course_title} for {self.learner_name}"

    def status_on(self, day: datetime.date) -> str:
        """The status as of ``day``: a valid certificate past its expiry date has expired,
        even before the nightly update writes it down."""
        if self.status in CURRENT_STATUSES and self.expires_on and day > self.expires_on:
            return CertificateStatus.EXPIRED
        return self.status


class CertificateVersion(models.Model):
    """A policy version a certificate names, with its label, title and hash as issued."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="versions")
    version = models.ForeignKey(
        "cms.PolicyVersion", on_delete=models.PROTECT, related_name="certificate_entries"
    )
    policy_title = models.CharField(max_length=255)
    label = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["policy_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "version"], name="certificate_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_title} {self.label}"

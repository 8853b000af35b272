"""Certificates: evidence that a person completed a course on exact policy versions."""

import datetime
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from certificates.choices import CURRENT_STATUSES, CertificateStatus


class SerialCounter(models.Model):
    """The last serial number issued: a single row (made by a migration), locked while a
    certificate is numbered, so serials run in order without gaps or repeats."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Last serial number {self.last_number}"


def _lapsed(today: datetime.date) -> models.Q:
    """Current by status, but past the expiry date or the recertification due date."""
    return models.Q(status__in=CURRENT_STATUSES, expires_on__lt=today) | models.Q(
        status=CertificateStatus.RECERTIFICATION_DUE, recertification_due_on__lt=today
    )


class CertificateQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status__in=CURRENT_STATUSES)

    def vouching_on(self, today: datetime.date):
        """Certificates that still vouch for their holder on ``today``."""
        return self.filter(status__in=CURRENT_STATUSES).exclude(_lapsed(today))

    def in_status(self, status: str, *, today: datetime.date):
        """Certificates whose status on ``today`` is ``status``: a current certificate
        past its expiry date counts as expired before anything writes that down."""
        lapsed = _lapsed(today)
        if status == CertificateStatus.EXPIRED:
            return self.filter(lapsed | models.Q(status=status))
        if status in CURRENT_STATUSES:
            return self.filter(status=status).exclude(lapsed)
        return self.filter(status=status)


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
    template = models.ForeignKey(
        "certificates.CertificateTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
        help_text="The template the PDF was rendered with.",
    )
    pdf = models.FileField(upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-serial"]
        permissions = [
            ("download_certificate", "Can download anyone's certificate PDF"),
            ("revoke_certificate", "Can revoke certificates"),
            ("reissue_certificate", "Can reissue certificates"),
        ]
        indexes = [models.Index(fields=["user", "course"], name="certificate_by_holder")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "version_set"],
                condition=models.Q(status=CertificateStatus.VALID),
                name="one_valid_certificate_per_version_set",
            )
        ]

    def __str__(self) -> str:
        return self.label_for(self.serial, self.course_title, self.learner_name)

    @staticmethod
    def label_for(serial: str, course_title: str, learner_name: str) -> str:
        """How a certificate is named in lists and the audit log."""
        return f"{serial}: {course_title} for {learner_name}"

    def status_on(self, day: datetime.date) -> str:
        """The status as of ``day``: a certificate past its expiry date, or past its
        recertification due date, has expired, even before the sweep writes it down."""
        if self.status in CURRENT_STATUSES and self.expires_on and day > self.expires_on:
            return CertificateStatus.EXPIRED
        if (
            self.status == CertificateStatus.RECERTIFICATION_DUE
            and self.recertification_due_on
            and day > self.recertification_due_on
        ):
            return CertificateStatus.EXPIRED  # not renewed in time
        return self.status

    @property
    def lapsed_unrenewed(self) -> bool:
        """Expired because a policy changed and it was not renewed by the due date,
        rather than because its own expiry date passed."""
        due = self.recertification_due_on
        return bool(due) and (self.expires_on is None or due < self.expires_on)

    @property
    def policy_versions_text(self) -> str:
        return ", ".join(str(entry) for entry in self.versions.all())


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


PLACEHOLDERS = {
    "learner": "the learner's name",
    "course": "the course title",
    "policies": "the policies and versions trained on",
    "issued": "the issue date",
    "expires": "the expiry date (or “does not expire”)",
    "serial": "the serial number",
}
SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_MAX_PIXELS = 3000


def placeholder_problems(wording: str) -> list[str]:
    """Why ``wording`` cannot be used: unknown placeholders or stray braces."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(wording) if name is not None]
    except ValueError:
        return ["Braces must come in pairs around a placeholder, such as {learner}."]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        return [
            f"Unknown placeholder{'s' if len(unknown) > 1 else ''} "
            f"{', '.join('{' + name + '}' for name in unknown)}. Use only: {allowed}."
        ]
    return []


class CertificateTemplate(models.Model):
    """How certificates look. Changing a template never touches certificates already
    issued: their PDFs are rendered once and kept."""

    class Layout(models.TextChoices):
        CLASSIC = "classic", "Classic: centred, with a border"
        BAND = "band", "Band: accent colour down the left edge"

    name = models.CharField(max_length=120, unique=True)
    is_default = models.BooleanField(
        default=False, help_text="Used for new certificates. Only one template is the default."
    )
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.CLASSIC)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#1d4ed8",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour such as #1d4ed8.")],
    )
    signatory_name = models.CharField(max_length=120, blank=True)
    signatory_title = models.CharField(max_length=120, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wording = models.TextField(
        default=("This certifies that {learner} has completed {course}, trained on {policies}."),
        help_text="Placeholders: " + ", ".join(f"{{{k}}} ({v})" for k, v in PLACEHOLDERS.items()),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("is_default"),
        FieldPanel("layout"),
        FieldPanel("logo"),
        FieldPanel("accent_colour"),
        MultiFieldPanel(
            [FieldPanel("signatory_name"), FieldPanel("signatory_title"), FieldPanel("signature")],
            heading="Signed by",
        ),
        FieldPanel("wording"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_certificate_template",
                violation_error_message="Another template is already the default.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        problems = placeholder_problems(self.wording)
        if problems:
            errors["wording"] = problems
        if self.signature_id:
            signature = self.signature
            if signature.file_size and signature.file_size > SIGNATURE_MAX_BYTES:
                errors["signature"] = "The signature image is over 1 MB; use a smaller one."
            elif max(signature.width, signature.height) > SIGNATURE_MAX_PIXELS:
                errors["signature"] = (
                    f"The signature image is {signature.width} by {signature.height} pixels; "
                    f"keep it within {SIGNATURE_MAX_PIXELS} pixels a side."
                )
        if errors:
            raise ValidationError(errors)

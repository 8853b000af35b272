"""The policy library: policy pages and the immutable versions each publish freezes."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import PolicySectionsBlock
from cms.choices import ChangeKind
from cms.forms import PolicyPageForm
from cms.panels import PolicyImpactPanel


class SignedInOnlyMixin:
    """Policies are internal: anyone signed in may read them, nobody else."""

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class PolicyIndexPage(SignedInOnlyMixin, Page):
    """The library at /policies/: every live policy with its current version."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PolicyPage"]
    max_count = 1
    template = "cms/policy_index_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        policies = list(PolicyPage.objects.child_of(self).live().order_by("title"))
        current = PolicyVersion.objects.current_for(policies)
        for policy in policies:
            policy.current = current.get(policy.pk)
        context["policies"] = policies
        return context


class PolicyPage(SignedInOnlyMixin, Page):
    """One policy. Publishing it freezes a PolicyVersion; the history lives at versions/."""

    summary = models.TextField(help_text="Two or three sentences: what this policy is for.")
    sections = StreamField(PolicySectionsBlock(), use_json_field=True)
    change_kind = models.CharField(
        "kind of change",
        max_length=20,
        choices=ChangeKind.choices,
        blank=True,
        help_text="Asked on every publish after the first. The first publish is version 1.0.",
    )
    change_summary = models.TextField(
        blank=True,
        help_text="What changed and why, in words staff will read. Required for material changes.",
    )
    recertification_days = models.PositiveIntegerField(
        "recertify within (days)",
        null=True,
        blank=True,
        help_text="For a material change: how many days staff have to recertify.",
    )
    effective_on = models.DateField(
        "takes effect on",
        null=True,
        blank=True,
        help_text="For a material change: the day the new rules apply. Leave blank for the "
        "day it is published; recertification windows count from this day.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("sections"),
        MultiFieldPanel(
            [
                FieldPanel("change_kind"),
                FieldPanel("change_summary"),
                FieldPanel("recertification_days"),
                FieldPanel("effective_on"),
            ],
            heading="About this change",
        ),
        PolicyImpactPanel(),
    ]
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []
    template = "cms/policy_page.html"
    base_form_class = PolicyPageForm

    @cached_property
    def current_version(self):
        return self.versions.newest_first().first()

    def version_by_label(self, label: str) -> "PolicyVersion":
        major, dot, minor = label.partition(".")
        if not (dot and label.isascii() and major.isdigit() and minor.isdigit()):
            raise Http404("No such version.")
        return get_object_or_404(self.versions, major=int(major), minor=int(minor))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["version"] = self.current_version
        if request.user.is_authenticated and not getattr(request, "is_preview", False):
            context["acknowledgement"] = PolicyAcknowledgement.objects.status_for(
                user=request.user, policy=self
            )
        return context


class PolicyVersionQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-major", "-minor")

    def current_for(self, policies) -> dict[int, "PolicyVersion"]:
        """The newest version of each policy, by policy id, in one query."""
        newest = {}
        for version in self.filter(policy__in=policies).order_by("policy_id", "major", "minor"):
            newest[version.policy_id] = version
        return newest


class PolicyVersionImmutableError(Exception):
    """A published policy version is evidence: it is never changed or removed."""


class PolicyVersion(models.Model):
    """A frozen copy of a policy as it was published: the words staff were trained on."""

    policy = models.ForeignKey(PolicyPage, on_delete=models.PROTECT, related_name="versions")
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    summary = models.TextField()
    sections = models.JSONField(help_text="[{key, heading, body}] exactly as published.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical content.")
    change_kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    change_summary = models.TextField(blank=True)
    recertification_days = models.PositiveIntegerField(null=True, blank=True)
    effective_at = models.DateTimeField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The page revision published; may be purged later."
    )

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-major", "-minor"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "major", "minor"], name="policyversion_unique_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PolicyVersionImmutableError(f"Version {self} is published and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PolicyVersionImmutableError(f"Version {self} is published and cannot be deleted.")

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_material(self) -> bool:
        return self.change_kind == ChangeKind.MATERIAL

    def section(self, key: str) -> dict | None:
        return next((s for s in self.sections if s["key"] == key), None)

    def clean(self):
        if self.is_material and not self.recertification_days:
            raise ValidationError("A material version needs a recertification window.")


class AcknowledgementStatus(NamedTuple):
    version: "PolicyVersion | None"  # the version the person is asked to acknowledge
    latest: "PolicyAcknowledgement | None"  # their newest acknowledgement of this policy
    required: bool


class PolicyAcknowledgementQuerySet(models.QuerySet):
    def status_for(self, *, user, policy: PolicyPage) -> AcknowledgementStatus:
        """Whether someone still has to acknowledge a policy.

        One acknowledgement covers a major version and its editorial (minor) revisions;
        a new material version asks again.
        """
        current = policy.current_version
        latest = (
            self.filter(user=user, version__policy=policy)
            .select_related("version")
            .order_by("-version__major", "-version__minor")
            .first()
        )
        required = current is not None and (latest is None or latest.version.major < current.major)
        return AcknowledgementStatus(version=current, latest=latest, required=required)


class PolicyAcknowledgement(models.Model):
    """A person's statement that they have read and understood one policy version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField()

    objects = PolicyAcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="acknowledgement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version}"

"""HR's view of issued certificates in the admin: a filterable listing with exports,
each certificate's details and history, downloading one PDF or a ZIP of a filtered set
(every download logged), revoking and reissuing with a reason."""

import django_filters
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.forms import Media
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button, HeaderButton, ListingButton

from certificates.choices import CURRENT_STATUSES, CertificateStatus
from certificates.models import Certificate
from certificates.rendering import verification_url
from certificates.services import (
    CertificateActionError,
    certificate_download_record,
    certificate_reissue,
    certificate_revoke,
    certificates_zip,
)
from cms.admin_access import ForbiddenOnDenyViewSetMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from cms.site_address import site_base_url
from courses.models import CoursePage
from learning.forms import CertificateReasonForm
from learning.models import Department
from learning.report_mixins import LoggedExportMixin

URL_PREFIX = "learning_certificates"


class CertificateFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(queryset=CoursePage.objects.all(), label="Course")
    status = django_filters.ChoiceFilter(
        choices=CertificateStatus.choices, method="filter_status", label="Status today"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), field_name="user__employee__department"
    )
    issued_on = django_filters.DateFromToRangeFilter(label="Issued")

    class Meta:
        model = Certificate
        fields = ["course", "status", "department", "issued_on"]

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value, today=timezone.localdate())


def certificate_queryset():
    return Certificate.objects.select_related("user").prefetch_related("versions")


class CertificateIndexView(LoggedExportMixin, FormulaSafeExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return certificate_queryset()

    def get_table(self, object_list):
        today = timezone.localdate()
        rows = list(object_list)
        for certificate in rows:
            certificate.status_today = CertificateStatus(certificate.status_on(today)).label
        return super().get_table(rows)

    def to_row_dict(self, item):
        item.status_today = CertificateStatus(item.status_on(timezone.localdate())).label
        return super().to_row_dict(item)

    @cached_property
    def header_buttons(self):
        if not self.request.user.has_perm("certificates.download_certificate"):
            return []
        query = self.request.GET.copy()
        for name in ("p", "export", "ordering"):
            query.pop(name, None)
        url = reverse(f"{URL_PREFIX}:zip")
        return [
            HeaderButton(
                "Download PDFs (ZIP)",
                url=f"{url}?{query.urlencode()}" if query else url,
                icon_name="download",
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["media"] += Media(css={"all": ["css/certificate_admin.css"]})
        return context

    def get_list_more_buttons(self, instance):
        # Download PDF stays beside the serial; Reissue and Revoke, rarer and weightier,
        # sit in the row's More menu so the row stays narrow on a phone.
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user
        if instance.pdf_sha256 and user.has_perm("certificates.download_certificate"):
            buttons.append(
                ListingButton(
                    "Download PDF",
                    url=reverse(f"{URL_PREFIX}:pdf", args=[instance.pk]),
                    icon_name="download",
                    priority=15,
                )
            )
        current = instance.status_on(timezone.localdate()) in CURRENT_STATUSES
        if current and user.has_perm("certificates.reissue_certificate"):
            buttons.append(
                Button(
                    "Reissue",
                    url=reverse(f"{URL_PREFIX}:reissue", args=[instance.pk]),
                    icon_name="rotate",
                    priority=40,
                )
            )
        if instance.status != CertificateStatus.REVOKED and user.has_perm(
            "certificates.revoke_certificate"
        ):
            buttons.append(
                Button(
                    "Revoke",
                    url=reverse(f"{URL_PREFIX}:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=50,
                )
            )
        return buttons


class CertificateHistoryView(generic.HistoryView):
    # Certificates are never edited here, so seeing their history needs only "view".
    any_permission_required = ["view"]


class CertificateURLFinder(ModelAdminURLFinder):
    """Log entries and search results link a certificate to its details page."""

    edit_url_name = f"{URL_PREFIX}:inspect"

    def get_edit_url(self, instance):
        if self.user and not self.user.has_perm("certificates.view_certificate"):
            return None
        return self.construct_edit_url(instance)


class CertificateInspectView(generic.InspectView):
    template_name = "learning/admin/certificate_inspect.html"
    LABELS = {"verify_url": "Verification address", "pdf_sha256": "PDF SHA-256"}
    EMPTY = "—"

    def get_field_label(self, field_name, field):
        if field_name in self.LABELS:
            return self.LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        # An empty field reads as a dash, never as Python's "None".
        return self.EMPTY if value is None or value == "" else value

    def get_expires_on_display_value(self):
        return self.object.expires_on or "Does not expire"

    def get_pdf_sha256_display_value(self):
        if not self.object.pdf_sha256:
            return "Not yet rendered"
        return format_html('<code class="certificate-hash">{}</code>', self.object.pdf_sha256)

    def get_status_display_value(self):
        certificate = self.object
        label = CertificateStatus(certificate.status_on(timezone.localdate())).label
        if certificate.status_reason:
            return f"{label}: {certificate.status_reason}"
        return label

    def get_versions_display_value(self):
        return ", ".join(
            f"{entry} (SHA-256 {entry.content_hash[:12]}…)" for entry in self.object.versions.all()
        )

    def get_verify_url_display_value(self):
        return verification_url(self.object, base_url=site_base_url(self.request))

    def get_superseded_by_display_value(self):
        return self.object.superseded_by.serial if self.object.superseded_by else self.EMPTY


class CertificateViewSet(ForbiddenOnDenyViewSetMixin, ModelViewSet):
    """Certificates are made only by the issuing services; the admin lists, shows,
    downloads, revokes and reissues them, and never adds, edits or deletes one."""

    model = Certificate
    icon = "doc-full-inverse"
    menu_label = "Certificates"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView
    url_finder_class = CertificateURLFinder
    filterset_class = CertificateFilterSet
    search_fields = ["serial", "learner_name", "user__email", "course_title"]
    search_backend_name = None
    list_display = [
        "serial",
        "learner_name",
        "course_title",
        Column("policy_versions_text", label="Policy versions"),
        "issued_on",
        "expires_on",
        Column("status_today", label="Status"),
    ]
    list_export = [
        "serial",
        "learner_name",
        "user",
        "course_title",
        "policy_versions_text",
        "issued_on",
        "expires_on",
        "status_today",
        "status_reason",
        "pdf_sha256",
    ]
    export_headings = {
        "user": "Email",
        "policy_versions_text": "Policy versions",
        "status_today": "Status",
        "pdf_sha256": "PDF SHA-256",
    }
    export_filename = "certificates"
    inspect_view_fields = [
        "serial",
        "learner_name",
        "user",
        "course_title",
        "versions",
        "attempt",
        "issued_on",
        "expires_on",
        "recertification_due_on",
        "status",
        "status_changed_by",
        "status_changed_at",
        "superseded_by",
        "verify_url",
        "pdf_sha256",
    ]

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit or delete views: only services create or change certificates.
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "delete_url_name": None,
        }

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("<int:pk>/certificate.pdf", certificate_pdf_view, name="pdf"),
            path("zip/", certificates_zip_view, name="zip"),
            path("<int:pk>/revoke/", certificate_revoke_view, name="revoke"),
            path("<int:pk>/reissue/", certificate_reissue_view, name="reissue"),
        ]


def certificate_pdf_view(request, pk):
    if not request.user.has_perm("certificates.download_certificate"):
        return forbidden_response(request)
    certificate = get_object_or_404(Certificate, pk=pk)
    if not certificate.pdf_sha256:
        raise Http404("This certificate's PDF is still being made.")
    certificate_download_record(certificate=certificate, actor=request.user)
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"certificate-{certificate.serial}.pdf",
    )


def _searched(queryset, query: str):
    """The listing's search box, applied the same way to the ZIP."""
    query = query.strip()
    if not query:
        return queryset
    matches = Q()
    for field in CertificateViewSet.search_fields:
        matches |= Q(**{f"{field}__icontains": query})
    return queryset.filter(matches)


def certificates_zip_view(request):
    if not request.user.has_perm("certificates.download_certificate"):
        return forbidden_response(request)
    index = reverse(f"{URL_PREFIX}:index")
    filters = CertificateFilterSet(data=request.GET, queryset=Certificate.objects.all())
    search = SearchForm(request.GET)
    if not (filters.is_valid() and search.is_valid()):
        messages.error(request, "Those filters were not understood; nothing was downloaded.")
        return redirect(index)
    chosen = _searched(filters.qs, search.cleaned_data["q"]).exclude(pdf_sha256="")
    limit = settings.CERTIFICATE_ZIP_MAX
    count = chosen.count()
    if count == 0:
        messages.warning(request, "No certificate with a PDF matches those filters.")
        return redirect(f"{index}?{request.GET.urlencode()}")
    if count > limit:
        messages.error(
            request,
            f"{count} certificates match; a ZIP holds at most {limit}. Narrow the filters.",
        )
        return redirect(f"{index}?{request.GET.urlencode()}")
    archive, _ = certificates_zip(certificates=chosen.iterator(chunk_size=50), actor=request.user)
    return FileResponse(
        archive,
        as_attachment=True,
        content_type="application/zip",
        filename=f"certificates-{timezone.localdate():%Y-%m-%d}.zip",
    )


def _reason_view(request, pk, *, permission, action, title, intro, submit_label, verb):
    if not request.user.has_perm(permission):
        return forbidden_response(request)
    certificate = get_object_or_404(Certificate, pk=pk)
    form = CertificateReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = action(
                certificate_id=certificate.pk,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except CertificateActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, verb(certificate, result))
            return redirect(f"{URL_PREFIX}:inspect", pk=result.pk)
    return TemplateResponse(
        request,
        "learning/admin/certificate_reason.html",
        {
            "form": form,
            "certificate": certificate,
            "page_title": f"{title} {certificate.serial}",
            "intro": intro,
            "submit_label": submit_label,
            "cancel_url": reverse(f"{URL_PREFIX}:inspect", args=[certificate.pk]),
        },
    )


def certificate_revoke_view(request, pk):
    return _reason_view(
        request,
        pk,
        permission="certificates.revoke_certificate",
        action=certificate_revoke,
        title="Revoke",
        intro=(
            "A revoked certificate stops vouching for its holder at once and for good. "
            "Anyone who checks it sees that it was revoked and when; the reason stays with "
            "HR, in the certificate's history."
        ),
        submit_label="Revoke",
        verb=lambda old, new: f"{old.serial} revoked.",
    )


def certificate_reissue_view(request, pk):
    return _reason_view(
        request,
        pk,
        permission="certificates.reissue_certificate",
        action=certificate_reissue,
        title="Reissue",
        intro=(
            "Reissuing makes a new certificate with a new serial, code and PDF, carrying "
            "the holder's name as it is now, on the same course, policy versions and "
            "expiry date. The old certificate then reads superseded."
        ),
        submit_label="Reissue",
        verb=lambda old, new: f"{old.serial} reissued as {new.serial}.",
    )

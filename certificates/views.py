"""The public certificate check at /verify/: anyone may ask whether a certificate is
valid, and learns nothing beyond that certificate."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from certificates.choices import CertificateStatus
from certificates.services import CODE_SHAPE, certificate_for_code
from cms.client_address import client_ip

WINDOW_SECONDS = 60
# Codes are URL-safe tokens; anything else typed into the form cannot name a certificate.


def _over_limit(request) -> bool:
    """Count this lookup against the client's allowance for the current minute."""
    key = f"verify-lookups:{client_ip(request)}:{int(timezone.now().timestamp()) // WINDOW_SECONDS}"
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS * 2)
        count = 1
    return count > settings.VERIFY_LOOKUPS_PER_MINUTE


def _slow_down(request):
    response = render(request, "certificates/verify_limited.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


@require_GET
def verify_form(request):
    code = request.GET.get("code", "").strip()
    if code and not CODE_SHAPE.fullmatch(code):
        return verify(request, code)
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "certificates/verify_form.html")


@require_GET
def verify(request, code):
    if _over_limit(request):
        return _slow_down(request)
    # A code of another shape names no certificate (and a NUL would upset the database).
    certificate = certificate_for_code(code) if CODE_SHAPE.fullmatch(code) else None
    if certificate is None:
        return render(request, "certificates/verify_not_found.html", status=404)
    today = timezone.localdate()
    status = certificate.status_on(today)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "status": status,
            "status_label": CertificateStatus(status).label,
            "is_valid": status in (CertificateStatus.VALID, CertificateStatus.RECERTIFICATION_DUE),
            "versions": list(certificate.versions.all()),
            # What took its place, for a certificate that no longer counts because of it.
            "replacement": certificate.superseded_by
            if status == CertificateStatus.SUPERSEDED
            else None,
        },
    )

"""Render a certificate to PDF with WeasyPrint: A4 landscape, the bundled font, real
text, a QR code of the verification address with the address printed beneath it.

Fonts, stylesheet, the fetcher that reads only the project's own static and media files
and the time limit come from certificates/pdf.py, shared with every PDF the product makes.
"""

import string

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Site

from certificates import pdf
from certificates.models import Certificate, CertificateTemplate
from cms.models import SiteBranding
from cms.site_address import site_base_url

QR_MODULE_PX = 3  # CSS pixels a QR module takes on the page (about 0.8 mm)
# The verification address is printed on one line, never broken, so that copying it
# gives an address that works: within this width (see .verify in the stylesheet), at
# the usual size or smaller for a long one. DejaVu Sans averages under 0.64 em a
# character in an address, and 1 pt is 0.3528 mm.
VERIFY_WIDTH_MM = 120
VERIFY_FONT_PT = 7.5
VERIFY_MIN_FONT_PT = 4.5
STYLESHEET = "certificates/certificate.css"  # loads the bundled DejaVu Sans from fonts/


class CertificateRenderError(pdf.PdfRenderError):
    """The PDF could not be made; the certificate stays without one and can be retried."""


def verification_url(certificate: Certificate, *, base_url: str | None = None) -> str:
    """The certificate's public address; ``base_url`` saves a lookup in a loop."""
    return f"{base_url or site_base_url()}/verify/{certificate.code}/"


def verify_font_pt(url: str) -> float:
    """The size the address is printed at to fit its line: the usual one if it fits."""
    fits = VERIFY_WIDTH_MM / (len(url) * 0.64 * 0.3528)
    return round(max(VERIFY_MIN_FONT_PT, min(VERIFY_FONT_PT, fits)), 2)


def _policies_text(certificate: Certificate) -> str:
    versions = list(certificate.versions.all())
    if not versions:
        return "the course content"
    return ", ".join(f"{v.policy_title} {v.label}" for v in versions)


def _date(day) -> str:
    return f"{day.day} {day:%B %Y}" if day else "does not expire"


def wording_html(template: CertificateTemplate | None, certificate: Certificate) -> str:
    """The template's wording with its placeholders filled; every piece escaped."""
    wording = (
        template.wording
        if template
        else CertificateTemplate._meta.get_field("wording").get_default()
    )
    values = {
        "learner": certificate.learner_name,
        "course": certificate.course_title,
        "policies": _policies_text(certificate),
        "issued": _date(certificate.issued_on),
        "expires": _date(certificate.expires_on),
        "serial": certificate.serial,
    }
    pieces = []
    for literal, name, _, _ in string.Formatter().parse(wording):
        pieces.append(escape(literal))
        if name is not None:
            pieces.append(f"<strong>{escape(values.get(name, ''))}</strong>")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


def _branding() -> SiteBranding | None:
    """The default Site's branding: certificates are made away from any request."""
    site = Site.objects.filter(is_default_site=True).first()
    return SiteBranding.for_site(site) if site is not None else None


def certificate_html(certificate: Certificate, template: CertificateTemplate | None) -> str:
    url = verification_url(certificate)
    branding = _branding()
    # The template's own logo, if it has one, is the certificate's; else the site's.
    logo = (template.logo if template else None) or (branding.logo if branding else None)
    qr = segno.make(url, error="m")
    return render_to_string(
        "certificates/pdf.html",
        {
            "certificate": certificate,
            "template": template,
            "layout": template.layout if template else CertificateTemplate.Layout.CLASSIC,
            "accent": template.accent_colour if template else "#1d4ed8",
            "wording": wording_html(template, certificate),
            "versions": list(certificate.versions.all()),
            "verify_url": url,
            "verify_font_pt": verify_font_pt(url),
            # One pixel a module, scaled up without smoothing: as sharp as a vector
            # drawing and a fraction of the work for the renderer.
            "qr_png": qr.png_data_uri(scale=1, dark="#111111"),
            "qr_size": qr.symbol_size(scale=QR_MODULE_PX)[0],
            "logo": pdf.file_uri(logo.file.path) if logo else "",
            "signature": (
                pdf.file_uri(template.signature.file.path)
                if template and template.signature
                else ""
            ),
            "organisation": branding.organisation_name if branding else settings.WAGTAIL_SITE_NAME,
        },
    )


def render_pdf(certificate: Certificate, template: CertificateTemplate | None) -> bytes:
    html = certificate_html(certificate, template)
    try:
        return pdf.render_pdf(html, stylesheet=STYLESHEET)
    except pdf.PdfRenderError as exc:
        raise CertificateRenderError(str(exc)) from exc

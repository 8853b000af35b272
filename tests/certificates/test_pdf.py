"""The certificate PDF: rendered once, real text, A4 landscape on one page, a QR code
that reads back as the verification address, and bytes that never change."""

import hashlib
import io
import os
import shutil
import subprocess

import cv2
import pytest
from pypdf import PdfReader

from certificates import rendering
from certificates.models import Certificate, CertificateTemplate
from certificates.rendering import CertificateRenderError, render_pdf, verification_url
from certificates.services import certificate_issue, certificate_render
from tests.courses.factories import refunds_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(learner):
    course, _ = refunds_course(certificate_validity_months=12)
    return certificate_issue(user=learner, course=course)


def text_of(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_the_pdf_holds_the_facts_as_real_text(certificate):
    data = render_pdf(certificate, None)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = text_of(data)
    for fact in (
        certificate.learner_name,
        certificate.course_title,
        "Refunds, version 1.0",
        certificate.serial,
    ):
        assert fact in text, fact
    assert verification_url(certificate) in text
    meta = reader.metadata
    assert certificate.serial in meta.title
    assert meta.author
    assert certificate.learner_name in meta.subject
    assert "Refunds 1.0" in meta["/Keywords"]
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    # The bundled font loaded by @font-face, never whatever the system has.
    assert names == {"Certificate-Sans", "Certificate-Sans-Bold"}


def test_the_qr_code_reads_back_as_the_verification_address(certificate, tmp_path):
    if not shutil.which("pdftoppm"):
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is needed to read the QR code in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render_pdf(certificate, None))
    assert verification_url(certificate) in decoded_qr_codes(pdf, tmp_path)


def decoded_qr_codes(pdf, tmp_path) -> set[str]:
    """What a phone camera would read: the page rasterised at two resolutions (288 dpi
    puts each module on whole pixels), read by both of OpenCV's detectors. One detector
    alone misreads a small share of codes, whatever is printed."""
    found = set()
    for dpi in (288, 150):
        prefix = tmp_path / f"page-{dpi}"
        subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(dpi), str(pdf), prefix], check=True)
        image = cv2.imread(str(next(tmp_path.glob(f"page-{dpi}*.png"))), cv2.IMREAD_GRAYSCALE)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            decoded, _, _ = detector.detectAndDecode(image)
            if decoded:
                found.add(decoded)
    return found


def test_hostile_names_are_escaped_and_long_ones_stay_on_one_page(learner):
    learner.first_name = '<script>alert("x")</script> O\'Brien & "Sons"'
    learner.last_name = "محمد " + "Longname" * 18  # 149 characters: the longest allowed
    learner.save()
    course, _ = refunds_course()
    certificate = certificate_issue(user=learner, course=course)
    data = render_pdf(certificate, None)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = text_of(data)
    assert '<script>alert("x")</script>' in text  # shown as text, never run as markup
    assert 'O\'Brien & "Sons"' in text


def test_the_stored_pdf_never_changes_after_template_or_name_edits(certificate, learner):
    first = certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    stored = certificate.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == first == certificate.pdf_sha256

    CertificateTemplate.objects.create(name="New look", is_default=True, layout="band")
    learner.first_name = "Changed"
    learner.save()
    assert certificate_render(certificate_id=certificate.pk) == first
    certificate = Certificate.objects.get(pk=certificate.pk)
    with certificate.pdf.open("rb") as handle:
        assert handle.read() == stored


def test_a_template_with_wording_renders_it_escaped(certificate):
    template = CertificateTemplate.objects.create(
        name="Plain",
        wording="Awarded to {learner} <b>for</b> {course}, serial {serial}.",
        signatory_name="Dana Whitfield",
        signatory_title="Head of Customer Service",
    )
    text = text_of(render_pdf(certificate, template))
    assert f"Awarded to {certificate.learner_name} <b>for</b> {certificate.course_title}" in text
    assert "Dana Whitfield" in text and "Head of Customer Service" in text


def test_a_render_that_runs_too_long_fails_cleanly(certificate, settings):
    settings.CERTIFICATE_RENDER_SECONDS = 0
    with pytest.raises(CertificateRenderError, match="longer than 0 seconds"):
        render_pdf(certificate, None)
    certificate.refresh_from_db()
    assert not certificate.pdf_sha256


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8000",
        "https://training.harbourside-home-goods.example.co.uk",
        "https://learning-and-development.customer-service.harbourside-home-goods.example",
    ],
)
def test_the_verification_address_is_printed_whole_on_one_line(certificate, settings, base_url):
    """Copied from the PDF, the address works: it never breaks at a hyphen of the code or
    anywhere else, however long the site's address is, and stays on the page."""
    settings.BASE_URL = base_url
    Certificate.objects.filter(pk=certificate.pk).update(code="ab-cd-EF_gh-" + "x" * 20)
    certificate.refresh_from_db()
    url = verification_url(certificate)
    assert "-" in certificate.code

    reader = PdfReader(io.BytesIO(render_pdf(certificate, None)))

    assert len(reader.pages) == 1
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert url in lines
    assert rendering.verify_font_pt(url) >= rendering.VERIFY_MIN_FONT_PT

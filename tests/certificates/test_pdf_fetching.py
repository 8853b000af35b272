"""Every PDF the product makes (certificates, evidence packs) reads only the project's
own static and media files: another file on the machine, whatever the case of its
scheme, a path climbing out of the media folder, a symbolic link out of it and another
host are all left out, and a real media image still appears."""

import http.server
import io
import shutil
import threading

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from certificates import pdf, rendering
from certificates.services import certificate_issue
from learning.evidence import employee_record
from learning.evidence_admin import STYLESHEET as EVIDENCE_STYLESHEET
from learning.evidence_admin import evidence_pack_pdf
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def png(path, colour="red"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), colour).save(path, format="PNG")
    return path


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        CountingHandler.hits.append(self.path)
        body = io.BytesIO()
        Image.new("RGB", (4, 4), "blue").save(body, format="PNG")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(body.getvalue())

    def log_message(self, *args):
        pass


@pytest.fixture
def other_host():
    """A web server on this machine standing for another host; it counts requests."""
    CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside(tmp_path):
    """An image outside the media folder, and two ways of reaching it from inside."""
    media = settings.MEDIA_ROOT
    media.mkdir(parents=True, exist_ok=True)
    secret = png(media.parent / f"outside-{media.name}" / "secret.png")
    (media / "link.png").unlink(missing_ok=True)
    (media / "link.png").symlink_to(secret)
    yield secret
    (media / "link.png").unlink(missing_ok=True)
    shutil.rmtree(secret.parent, ignore_errors=True)


@pytest.fixture
def media_image():
    return png(settings.MEDIA_ROOT / "images" / "logo.png", "green")


def hostile_urls(secret, other_host) -> list[str]:
    media = settings.MEDIA_ROOT
    return [
        "FILE:///etc/passwd",
        "file:///etc/passwd",
        "File://localhost/etc/passwd",
        "FILE" + secret.as_uri()[4:],
        f"file://{media}/../{secret.parent.name}/secret.png",
        f"file://{media}/%2e%2e/{secret.parent.name}/secret.png",
        (media / "link.png").as_uri(),
        f"{other_host}/logo.png",
        f"{other_host.replace('http', 'HTTP')}/logo.png",
        "https://example.com/logo.png",
    ]


def images_in(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def with_images(html: str, urls) -> str:
    tags = "".join(f'<img src="{url}" alt="">' for url in urls)
    return html.replace("</body>", f"{tags}</body>")


def test_the_fetcher_refuses_every_address_outside_static_and_media(
    outside, other_host, media_image
):
    fetcher = pdf.LocalFilesFetcher()
    for url in hostile_urls(outside, other_host):
        with pytest.raises(ValueError, match="PDFs do not read"):
            fetcher.fetch(url)
    assert CountingHandler.hits == []

    assert fetcher.fetch(media_image.as_uri()).read()[:4] == b"\x89PNG"
    upper = "FILE" + media_image.as_uri()[4:]
    assert fetcher.fetch(upper).read()[:4] == b"\x89PNG"
    font = pdf.file_uri(pdf.static_path("fonts/DejaVuSans.ttf"))
    assert fetcher.fetch(font).read(4)


def test_a_certificate_leaves_out_what_it_may_not_read_and_keeps_a_media_image(
    learner, outside, other_host, media_image
):
    course, _ = refunds_course(certificate_validity_months=12)
    certificate = certificate_issue(user=learner, course=course)
    html = rendering.certificate_html(certificate, None)
    plain = images_in(pdf.render_pdf(html, stylesheet=rendering.STYLESHEET))

    hostile = pdf.render_pdf(
        with_images(html, hostile_urls(outside, other_host)), stylesheet=rendering.STYLESHEET
    )
    assert images_in(hostile) == plain
    assert CountingHandler.hits == []

    legitimate = pdf.render_pdf(
        with_images(html, [media_image.as_uri()]), stylesheet=rendering.STYLESHEET
    )
    assert images_in(legitimate) > plain


def test_an_evidence_pack_leaves_out_what_it_may_not_read_and_keeps_a_media_image(
    learner, outside, other_host, media_image
):
    employee = EmployeeFactory(user=learner)
    record = employee_record(employee=employee, base_url="https://training.example.com")
    html = render_to_string(
        "learning/reports/evidence_pack.html", {"record": record, "stamp": "Generated"}
    )
    assert evidence_pack_pdf(record, generated_by="HR", generated_at=timezone.now())[:4] == b"%PDF"
    assert images_in(pdf.render_pdf(html, stylesheet=EVIDENCE_STYLESHEET)) == 0

    hostile = with_images(html, hostile_urls(outside, other_host))
    assert images_in(pdf.render_pdf(hostile, stylesheet=EVIDENCE_STYLESHEET)) == 0
    assert CountingHandler.hits == []

    legitimate = with_images(html, [media_image.as_uri()])
    assert images_in(pdf.render_pdf(legitimate, stylesheet=EVIDENCE_STYLESHEET)) == 1


def test_an_evidence_pack_that_takes_too_long_fails_cleanly(client, hr_user, learner, settings):
    employee = EmployeeFactory(user=learner)
    settings.CERTIFICATE_RENDER_SECONDS = 0
    client.force_login(hr_user)

    response = client.get(
        reverse("learning_employee_evidence_pdf", args=[employee.pk]), follow=True
    )

    assert response.status_code == 200
    assert "could not be made just now" in response.content.decode()

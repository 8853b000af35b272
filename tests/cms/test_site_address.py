"""Links made outside a page carry the site's own address: the default Wagtail Site (which
follows the address the development server is served on), the request's address, or
BASE_URL when it is set."""

import datetime
import shutil

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import Site

from certificates.rendering import render_pdf
from certificates.services import certificate_issue
from cms.site_address import default_site_adopt_serving_address, site_base_url
from learning.choices import AssignmentReason
from learning.models import Assignment
from learning.reminders import reminders_claim, reminders_deliver
from tests.certificates.test_pdf import decoded_qr_codes, text_of
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def serve_on(hostname: str, port: int) -> Site:
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = hostname, port
    site.save()
    return site


@pytest.fixture
def course():
    course, _ = refunds_course(certificate_validity_months=12)
    return course


def reminder_body(course) -> str:
    Assignment.objects.create(
        employee=EmployeeFactory(),
        course=course,
        reason=AssignmentReason.MANUAL,
        assigned_at=timezone.now(),
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    reminders_claim(today=timezone.localdate())
    reminders_deliver(today=timezone.localdate())
    (message,) = mail.outbox
    return message.body


def test_a_site_on_port_8102_prints_8102_on_the_certificate_and_in_reminders(
    learner, course, tmp_path
):
    serve_on("127.0.0.1", 8102)
    certificate = certificate_issue(user=learner, course=course)
    address = f"http://127.0.0.1:8102/verify/{certificate.code}/"
    pdf = render_pdf(certificate, None)
    assert address in "".join(text_of(pdf).split())
    if shutil.which("pdftoppm"):
        path = tmp_path / "certificate.pdf"
        path.write_bytes(pdf)
        assert address in decoded_qr_codes(path, tmp_path)
    assert f"http://127.0.0.1:8102/learn/courses/{course.slug}/" in reminder_body(course)


def test_base_url_wins_over_the_site(settings, learner, course):
    serve_on("127.0.0.1", 8102)
    settings.BASE_URL = "https://training.example.com"
    certificate = certificate_issue(user=learner, course=course)
    text = "".join(text_of(render_pdf(certificate, None)).split())
    assert f"https://training.example.com/verify/{certificate.code}/" in text
    assert "8102" not in text
    body = reminder_body(course)
    assert f"https://training.example.com/learn/courses/{course.slug}/" in body
    assert "8102" not in body


def test_a_link_made_for_a_request_uses_the_address_it_came_to():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8102")
    assert site_base_url(request) == "http://127.0.0.1:8102"
    assert site_base_url() == "http://localhost"  # the default Site, untouched


@pytest.fixture
def following(settings):
    settings.SITE_ADDRESS_FROM_REQUESTS = True
    settings.BASE_URL = ""
    return settings


def test_the_development_server_gives_the_placeholder_site_its_address(client, following):
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8102").status_code == 200
    assert site_base_url() == "http://127.0.0.1:8102"
    assert following.WAGTAILADMIN_BASE_URL == "http://127.0.0.1:8102"


def test_a_demo_moved_to_another_local_port_follows_it(client, following):
    serve_on("127.0.0.1", 8000)
    client.get("/healthz", HTTP_HOST="localhost:8102")
    assert site_base_url() == "http://localhost:8102"


def test_an_address_someone_chose_is_never_changed_by_a_request(client, following):
    serve_on("training.example.com", 443)
    client.get("/healthz", HTTP_HOST="127.0.0.1:8102")
    assert site_base_url() == "https://training.example.com"


def test_outside_development_requests_never_change_the_site(client, settings):
    assert settings.SITE_ADDRESS_FROM_REQUESTS is False
    client.get("/healthz", HTTP_HOST="127.0.0.1:8102")
    assert site_base_url() == "http://localhost"


@pytest.mark.parametrize(
    ("addrport", "expected"),
    [
        ("127.0.0.1:8102", "http://127.0.0.1:8102"),
        ("8102", "http://127.0.0.1:8102"),
        ("0.0.0.0:8102", "http://localhost"),  # not an address: the first request decides
    ],
)
def test_serve_gives_the_site_its_address_before_it_starts(following, addrport, expected):
    default_site_adopt_serving_address(addrport)
    assert site_base_url() == expected


def test_base_url_set_means_serve_leaves_the_site_alone(following):
    following.BASE_URL = "https://training.example.com"
    default_site_adopt_serving_address("127.0.0.1:8102")
    assert Site.objects.get(is_default_site=True).port == 80


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1:http", "is not HOST:PORT"),
        ("foo:99999", "between 1 and 65535"),
        ("x:\u00b2", "is not HOST:PORT"),
        ("bad host:8000", "is not HOST:PORT"),
    ],
)
def test_seed_demo_refuses_an_address_no_server_could_use(following, address, why):
    with pytest.raises(CommandError, match=why):
        call_command("seed_demo", "--address", address)
    assert Site.objects.get(is_default_site=True).hostname == "localhost"


def test_serve_refuses_a_bad_address_in_one_line_before_saving_it(following):
    with pytest.raises(CommandError, match="between 1 and 65535"):
        call_command("serve", "foo:99999")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)

"""Learners see their certificates on /learn/ and download the stored PDF; nobody else
can reach it."""

import pytest
from django.urls import reverse

from certificates.services import certificate_issue, certificate_render
from tests.courses.factories import refunds_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(learner):
    course, _ = refunds_course(certificate_validity_months=12)
    issued = certificate_issue(user=learner, course=course)
    certificate_render(certificate_id=issued.pk)
    issued.refresh_from_db()
    return issued


def test_the_learner_sees_and_downloads_their_certificate(client, learner, certificate):
    client.force_login(learner)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "My certificates" in html and certificate.serial in html
    assert "Refunds 1.0" in html
    response = client.get(reverse("learning:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    with certificate.pdf.open("rb") as stored:
        assert body == stored.read()


@pytest.mark.parametrize("role", ["hr_user", "manager", "trainer"])
def test_someone_elses_certificate_is_404(client, certificate, role, request):
    client.force_login(request.getfixturevalue(role))
    assert (
        client.get(reverse("learning:certificate_pdf", args=[certificate.code])).status_code == 404
    )


def test_visitors_are_sent_to_sign_in(client, certificate):
    response = client.get(reverse("learning:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_code_is_404(client, learner):
    client.force_login(learner)
    assert client.get(reverse("learning:certificate_pdf", args=["nope"])).status_code == 404

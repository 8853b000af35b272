"""The public check at /verify/: the state of one certificate, nothing else, a plain
404 for unknown codes, and a limit on how fast anyone can guess."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from tests.courses.factories import refunds_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(learner):
    course, _ = refunds_course(certificate_validity_months=12)
    return certificate_issue(user=learner, course=course)


def verify(client, code):
    return client.get(reverse("certificates:verify", args=[code]))


def test_a_valid_certificate_says_so_with_only_what_it_certifies(client, certificate, learner):
    html = verify(client, certificate.code).content.decode()
    assert ">Valid</h1>" in html
    assert certificate.learner_name in html
    assert "Refunds, version 1.0" in html
    assert certificate.serial in html
    assert learner.email not in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (CertificateStatus.SUPERSEDED, "Not valid: superseded"),
        (CertificateStatus.REVOKED, "Not valid: revoked"),
        (CertificateStatus.EXPIRED, "Not valid: expired"),
    ],
)
def test_a_certificate_that_no_longer_vouches_says_why(client, certificate, status, words):
    Certificate.objects.filter(pk=certificate.pk).update(status=status)
    response = verify(client, certificate.code)
    assert response.status_code == 200
    assert words in response.content.decode()


def test_recertification_due_is_still_valid_with_its_date(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.RECERTIFICATION_DUE,
        recertification_due_on=datetime.date(2027, 1, 31),
    )
    html = verify(client, certificate.code).content.decode()
    assert ">Valid</h1>" in html and "recertification due by 31 January 2027" in html


def test_past_its_expiry_date_a_certificate_reads_expired(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert "Not valid: expired" in verify(client, certificate.code).content.decode()


@pytest.mark.parametrize("code", ["nope", "x" * 64, "x" * 200, "%00"])
def test_an_unknown_code_is_a_plain_404(client, certificate, code):
    response = verify(client, code)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificate not found" in html
    assert certificate.learner_name not in html


def test_guessing_is_rate_limited_per_client(client, certificate, settings):
    settings.VERIFY_LOOKUPS_PER_MINUTE = 5
    for n in range(5):
        assert verify(client, f"guess-{n}").status_code == 404
    limited = verify(client, certificate.code)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert certificate.learner_name not in limited.content.decode()
    other = client.get(
        reverse("certificates:verify", args=[certificate.code]), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_the_form_takes_a_typed_code(client, certificate):
    assert client.get(reverse("certificates:verify_form")).status_code == 200
    response = client.get(reverse("certificates:verify_form"), {"code": f" {certificate.code} "})
    assert response["Location"] == reverse("certificates:verify", args=[certificate.code])


def test_an_expired_certificate_says_whether_it_lapsed_by_date_or_unrenewed(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.EXPIRED)
    assert "It expired on" in verify(client, certificate.code).content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(
        recertification_due_on=datetime.date(2026, 1, 15)
    )
    html = verify(client, certificate.code).content.decode()
    assert "A policy it covers changed, and it was not renewed by 15 January 2026." in html


@pytest.mark.parametrize("code", ["a/b", "../admin", "x" * 65, "two words", "a?b=c", "é"])
def test_a_malformed_code_typed_into_the_form_reads_as_unknown(client, certificate, code):
    response = client.get(reverse("certificates:verify_form"), {"code": code})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificate not found" in html
    assert certificate.learner_name not in html


def test_a_replaced_certificate_names_what_replaced_it_instead_of_an_expiry(
    client, certificate, hr_user
):
    replacement = certificate_reissue(
        certificate_id=certificate.pk, reason="Name changed", actor=hr_user
    )
    certificate.refresh_from_db()
    assert certificate.expires_on > datetime.date.today()

    html = verify(client, certificate.code).content.decode()

    assert "Not valid: superseded" in html
    assert "Expires" not in html
    assert certificate.expires_on.strftime("%Y") + "</dd>" not in html
    link = reverse("certificates:verify", args=[replacement.code])
    assert f'<a href="{link}">Certificate {replacement.serial}</a>' in html
    replaced_on = timezone.localdate(certificate.status_changed_at)
    assert f"<dt>Stopped counting</dt><dd>{date_format(replaced_on, 'j F Y')}</dd>" in html
    # The replacement itself still reads valid, with its expiry.
    html = verify(client, replacement.code).content.decode()
    assert ">Valid</h1>" in html and "<dt>Expires</dt>" in html


def test_a_revoked_certificate_says_when_it_stopped_counting_not_when_it_expires(
    client, certificate, hr_user
):
    certificate_revoke(certificate_id=certificate.pk, reason="Issued in error", actor=hr_user)
    certificate.refresh_from_db()

    html = verify(client, certificate.code).content.decode()

    assert "Expires" not in html
    revoked_on = date_format(timezone.localdate(certificate.status_changed_at), "j F Y")
    assert f"<dt>Stopped counting</dt><dd>Revoked on {revoked_on}</dd>" in html
    assert "Issued in error" not in html

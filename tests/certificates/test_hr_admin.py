"""HR's certificate admin: listing, filters and exports, downloading one PDF or a ZIP of
a filtered set, revoking and reissuing with a reason; everyone else is refused."""

import datetime
import io
import zipfile

import pytest
from django.urls import NoReverseMatch, reverse
from wagtail.models import ModelLogEntry

from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import (
    CertificateActionError,
    certificate_issue,
    certificate_reissue,
    certificate_render,
    certificate_revoke,
)
from tests.courses.factories import refunds_course
from tests.learning.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course, _ = refunds_course(certificate_validity_months=12)
    return course


@pytest.fixture
def certificate(learner, course):
    return certificate_issue(user=learner, course=course)


def rendered(certificate):
    certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def url(name, *args):
    return reverse(f"learning_certificates:{name}", args=args)


def listing(client, **params):
    response = client.get(url("index"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_hr_lists_certificates_with_their_status_today(client, hr_user, certificate, make_user):
    lapsed = certificate_issue(
        user=make_user(last_name="Lapsed"),
        course=certificate.course,
        today=datetime.date(2024, 1, 10),
    )
    client.force_login(hr_user)
    html = listing(client)
    assert certificate.serial in html and lapsed.serial in html
    assert "Refunds 1.0" in html
    expired_only = listing(client, status=CertificateStatus.EXPIRED)
    assert lapsed.serial in expired_only and certificate.serial not in expired_only
    valid_only = listing(client, status=CertificateStatus.VALID)
    assert certificate.serial in valid_only and lapsed.serial not in valid_only


def test_filter_by_department_and_search(client, hr_user, course, make_user):
    support = DepartmentFactory(name="Support")
    inside = EmployeeFactory(department=support, user=make_user(last_name="Inside")).user
    outside = EmployeeFactory(user=make_user(last_name="Outside")).user
    mine = certificate_issue(user=inside, course=course)
    other = certificate_issue(user=outside, course=course)
    client.force_login(hr_user)
    html = listing(client, department=support.pk)
    assert mine.serial in html and other.serial not in html
    html = listing(client, q="Outside")
    assert other.serial in html and mine.serial not in html


def test_unknown_filter_values_do_not_break_the_listing(client, hr_user, certificate):
    client.force_login(hr_user)
    html = listing(client, status="nonsense", course="999999", issued_on_after="soon")
    assert certificate.serial in html


@pytest.mark.parametrize("count", [3, 30])
def test_listing_query_count_does_not_grow(
    client, hr_user, course, make_user, count, django_assert_max_num_queries
):
    for _ in range(count):
        certificate_issue(user=make_user(), course=course)
    client.force_login(hr_user)
    with django_assert_max_num_queries(16):
        response = client.get(url("index"))
    assert response.status_code == 200
    assert response.content.decode().count("Refunds 1.0") >= min(count, 20)  # 20 a page


def test_csv_export_reads_back_and_neutralises_formulas(client, hr_user, course, make_user):
    hostile = make_user(first_name="=HYPERLINK(1)", last_name="Evil")
    issued = certificate_issue(user=hostile, course=course)
    client.force_login(hr_user)
    response = client.get(url("index"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    header, *rows = body.strip().splitlines()
    assert header.startswith("Serial,")
    assert "Policy versions" in header and "PDF SHA-256" in header
    row = next(line for line in rows if issued.serial in line)
    assert "'=HYPERLINK(1) Evil" in row
    assert "Refunds 1.0" in row and "Valid" in row


def test_hr_downloads_any_pdf_and_it_is_logged(client, hr_user, certificate):
    certificate = rendered(certificate)
    client.force_login(hr_user)
    response = client.get(url("pdf", certificate.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    with certificate.pdf.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    entry = ModelLogEntry.objects.get(action="certificates.download")
    assert entry.user_id == hr_user.pk and entry.object_id == str(certificate.pk)


def test_a_pdf_not_made_yet_is_404(client, hr_user, certificate):
    client.force_login(hr_user)
    assert client.get(url("pdf", certificate.pk)).status_code == 404
    assert not ModelLogEntry.objects.filter(action="certificates.download").exists()


def test_zip_holds_exactly_the_filtered_set(client, hr_user, course, make_user):
    support = DepartmentFactory(name="Support")
    inside = [
        rendered(certificate_issue(user=EmployeeFactory(department=support).user, course=course))
        for _ in range(2)
    ]
    outside = rendered(certificate_issue(user=make_user(), course=course))
    client.force_login(hr_user)
    response = client.get(url("zip"), {"department": support.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(bundle.namelist())
    assert [name.split("-", 2)[:2] for name in names] == [
        c.serial.split("-") for c in sorted(inside, key=lambda c: c.serial)
    ]
    assert not any(outside.serial in name for name in names)
    for certificate in inside:
        member = next(name for name in names if name.startswith(certificate.serial))
        with certificate.pdf.open("rb") as stored:
            assert bundle.read(member) == stored.read()
    assert ModelLogEntry.objects.filter(action="certificates.download", user=hr_user).count() == 2


def test_zip_of_an_empty_filter_downloads_nothing_and_says_so(client, hr_user, certificate):
    client.force_login(hr_user)
    response = client.get(url("zip"), {"status": CertificateStatus.REVOKED}, follow=True)
    assert "No certificate with a PDF matches those filters." in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(url("index"))


def test_zip_with_filters_not_understood_downloads_nothing(client, hr_user, certificate):
    client.force_login(hr_user)
    response = client.get(url("zip"), {"status": "nonsense"}, follow=True)
    assert "Those filters were not understood" in response.content.decode()
    assert not ModelLogEntry.objects.filter(action="certificates.download").exists()


def test_zip_over_the_limit_is_refused(client, hr_user, course, make_user, settings):
    settings.CERTIFICATE_ZIP_MAX = 1
    for _ in range(2):
        Certificate.objects.filter(pk=certificate_issue(user=make_user(), course=course).pk).update(
            pdf_sha256="0" * 64, pdf="certificates/x.pdf"
        )
    client.force_login(hr_user)
    response = client.get(url("zip"), follow=True)
    assert "2 certificates match; a ZIP holds at most 1." in response.content.decode()


def test_revoking_needs_a_reason(client, hr_user, certificate):
    client.force_login(hr_user)
    response = client.post(url("revoke", certificate.pk), {"reason": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    with pytest.raises(CertificateActionError, match="Give a reason"):
        certificate_revoke(certificate_id=certificate.pk, reason="", actor=hr_user)


def test_hr_revokes_with_a_reason_and_verify_says_revoked(client, hr_user, certificate):
    client.force_login(hr_user)
    response = client.post(url("revoke", certificate.pk), {"reason": "Issued in error"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.status_reason == "Issued in error"
    assert certificate.status_changed_by == hr_user
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.user_id == hr_user.pk and entry.data["reason"] == "Issued in error"
    public = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Not valid: revoked" in public
    assert "Issued in error" not in public  # the reason stays with HR
    again = client.post(url("revoke", certificate.pk), {"reason": "Twice"})
    assert "is already revoked" in again.content.decode()


def test_hr_reissues_under_the_current_name(client, hr_user, learner, certificate):
    learner.last_name = "Corrected"
    learner.save()
    client.force_login(hr_user)
    response = client.post(url("reissue", certificate.pk), {"reason": "Name corrected"})
    assert response.status_code == 302
    old = Certificate.objects.get(pk=certificate.pk)
    new = old.superseded_by
    assert old.status == CertificateStatus.SUPERSEDED
    assert new.status == CertificateStatus.VALID
    assert new.serial != old.serial and new.code != old.code
    assert new.learner_name.endswith("Corrected")
    assert (new.version_set, new.expires_on, new.attempt_id) == (
        old.version_set,
        old.expires_on,
        old.attempt_id,
    )
    assert [str(v) for v in new.versions.all()] == ["Refunds 1.0"]
    assert ModelLogEntry.objects.get(action="certificates.reissue").data["replaces"] == old.serial
    assert ModelLogEntry.objects.get(action="certificates.supersede").user_id == hr_user.pk
    public = client.get(reverse("certificates:verify", args=[old.code])).content.decode()
    assert "Not valid: superseded" in public


def test_only_a_current_certificate_can_be_reissued(hr_user, learner, course):
    lapsed = certificate_issue(user=learner, course=course, today=datetime.date(2024, 1, 10))
    with pytest.raises(CertificateActionError, match="expired"):
        certificate_reissue(certificate_id=lapsed.pk, reason="Try", actor=hr_user)
    fresh = certificate_issue(user=learner, course=course)
    certificate_revoke(certificate_id=fresh.pk, reason="Error", actor=hr_user)
    with pytest.raises(CertificateActionError, match="revoked"):
        certificate_reissue(certificate_id=fresh.pk, reason="Try", actor=hr_user)
    assert Certificate.objects.count() == 2


def test_reissue_without_a_reason_changes_nothing(client, hr_user, certificate):
    client.force_login(hr_user)
    response = client.post(url("reissue", certificate.pk), {"reason": ""})
    assert response.status_code == 200
    assert Certificate.objects.count() == 1


def test_inspect_shows_the_evidence(client, hr_user, certificate):
    client.force_login(hr_user)
    html = client.get(url("inspect", certificate.pk)).content.decode()
    assert certificate.serial in html
    assert certificate.versions.get().content_hash[:12] in html
    assert f"/verify/{certificate.code}/" in html


def test_inspect_reads_as_finished_words_not_python(client, hr_user, certificate):
    """A certificate not yet rendered, never changed and never superseded."""
    client.force_login(hr_user)
    html = client.get(url("inspect", certificate.pk)).content.decode()
    assert "PDF SHA-256" in html and "Pdf sha256" not in html
    assert "Not yet rendered" in html
    assert ">None<" not in html and "None\n" not in html
    assert "—" in html  # status changed by / at, recertification due, superseded by

    html = client.get(url("inspect", rendered(certificate).pk)).content.decode()
    assert certificate.pdf_sha256 in html and "Not yet rendered" not in html


def test_certificates_cannot_be_added_edited_or_deleted_in_the_admin(client, admin_user):
    for name in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"learning_certificates:{name}", args=[] if name == "add" else [1])
    client.force_login(admin_user)
    assert client.get(url("index")).status_code == 200


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
@pytest.mark.parametrize("view", ["index", "inspect", "pdf", "zip", "revoke", "reissue"])
def test_everyone_but_hr_is_refused(client, certificate, role, view, request):
    certificate = rendered(certificate) if view == "pdf" else certificate
    client.force_login(request.getfixturevalue(role))
    target = url(view) if view in ("index", "zip") else url(view, certificate.pk)
    response = (
        client.post(target, {"reason": "x"})
        if view in ("revoke", "reissue")
        else (client.get(target))
    )
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert not ModelLogEntry.objects.filter(action="certificates.download").exists()


def test_zip_follows_the_search_box_too(client, hr_user, course, make_user):
    wanted = rendered(certificate_issue(user=make_user(last_name="Searchedfor"), course=course))
    rendered(certificate_issue(user=make_user(last_name="Other"), course=course))
    client.force_login(hr_user)
    response = client.get(url("zip"), {"q": "Searchedfor"})
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [name.startswith(wanted.serial) for name in bundle.namelist()] == [True]


def test_hr_reads_a_certificates_history(client, hr_user, certificate):
    certificate_revoke(certificate_id=certificate.pk, reason="Issued in error", actor=hr_user)
    client.force_login(hr_user)
    response = client.get(url("history", certificate.pk))
    assert response.status_code == 200
    assert "Certificate revoked" in response.content.decode()


def test_site_history_links_certificate_events_to_their_details(client, admin_user, certificate):
    certificate_revoke(certificate_id=certificate.pk, reason="Issued in error", actor=admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    assert url("inspect", certificate.pk) in response.content.decode()

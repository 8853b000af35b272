"""Certificate templates: wording with known placeholders only, one default, HR keeps
them, and a new certificate's PDF is rendered after the issue commits."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from certificates.models import Certificate, CertificateTemplate
from certificates.services import certificate_issue
from tests.courses.factories import refunds_course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("wording", "message"),
    [
        ("Well done {name}!", "Unknown placeholder {name}. Use only: {learner}"),
        ("{learner} and {boss} and {when}", "Unknown placeholders {boss}, {when}."),
        ("Unclosed {learner", "Braces must come in pairs"),
    ],
)
def test_wording_with_unknown_placeholders_is_refused(wording, message):
    with pytest.raises(ValidationError) as refused:
        CertificateTemplate(name="T", wording=wording).full_clean()
    assert message in str(refused.value)


def test_only_one_template_is_the_default():
    CertificateTemplate.objects.create(name="One", is_default=True)
    with pytest.raises(ValidationError, match="already the default"):
        CertificateTemplate(name="Two", is_default=True).full_clean()


def test_hr_adds_a_template_and_others_are_refused(client, hr_user, trainer, learner):
    add = reverse("wagtailsnippets_certificates_certificatetemplate:add")
    client.force_login(hr_user)
    data = {
        "name": "Harbourside",
        "layout": "classic",
        "accent_colour": "#0f766e",
        "wording": "{learner} completed {course}.",
        "signatory_name": "",
        "signatory_title": "",
    }
    assert client.post(add, data).status_code == 302
    bad = client.post(add, data | {"name": "Bad", "wording": "{who}"})
    assert bad.status_code == 200 and "Unknown placeholder {who}" in bad.content.decode()
    for person in (trainer, learner):
        client.force_login(person)
        assert client.post(add, data | {"name": "Sneaky"}).status_code == 403
    assert list(CertificateTemplate.objects.values_list("name", flat=True)) == ["Harbourside"]


def test_the_pdf_is_rendered_once_the_issue_commits(learner, django_capture_on_commit_callbacks):
    course, _ = refunds_course()
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(user=learner, course=course)
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.pdf_sha256 and certificate.pdf.name.endswith(".pdf")
    assert certificate.serial not in certificate.pdf.name  # nothing guessable in the name

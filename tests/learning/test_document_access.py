"""Documents (job aids) go only to people who may see a course that uses them, or to staff
with document permissions; signed out, the address alone gets nobody anything. They are
served as the kind of file they are, never sniffed into a page, and only the kinds the
README lists can be uploaded."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document

from tests.courses.factories import add_module, make_course, text
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

HOSTILE = b"<html><body><script>alert(document.cookie)</script>Checklist</body></html>"


def make_document(name="checklist.txt", content=HOSTILE, title="Contact checklist"):
    document = Document(title=title, file=ContentFile(content, name=name))
    document.save()
    return document


@pytest.fixture
def document():
    return make_document()


@pytest.fixture
def course(document):
    return make_course(
        "Contact Centre Basics",
        modules=[("Job aids", [text("<p>Keep this by you.</p>"), job_aid(document)])],
    )


def job_aid(document) -> dict:
    return {"type": "job_aid", "value": document.pk}


def download(client, document):
    return client.get(document.url)


def test_signed_out_the_address_leads_to_sign_in(client, course, document):
    response = download(client, document)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert HOSTILE not in response.content


def test_someone_the_course_is_not_assigned_to_is_refused(client, learner, course, document):
    client.force_login(learner)
    response = download(client, document)
    assert response.status_code == 403
    assert HOSTILE not in response.content


def test_a_learner_on_the_course_gets_it_as_plain_text_never_as_a_page(
    client, learner, course, document
):
    assign(learner, course)
    client.force_login(learner)

    response = download(client, document)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == HOSTILE


def test_a_course_open_to_all_shares_its_documents_with_anyone_signed_in(client, learner, document):
    make_course("Open Course", open_to_all=True, modules=[("Aids", [job_aid(document)])])
    client.force_login(learner)
    assert download(client, document).status_code == 200


def test_a_document_only_in_an_unpublished_module_is_refused(client, learner, document):
    course = make_course("Drafts", modules=[("Visible", [text("<p>Hello.</p>")])])
    add_module(course, "Not yet", [job_aid(document)], publish=False)
    assign(learner, course)
    client.force_login(learner)
    assert download(client, document).status_code == 403


def test_staff_with_document_permissions_get_any_document(client, trainer, learner):
    unused = make_document("unused.txt", b"Nothing uses this.", title="Unused")
    client.force_login(learner)
    assert download(client, unused).status_code == 403
    client.force_login(trainer)
    response = download(client, unused)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Nothing uses this."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", HOSTILE),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("tool.exe", b"MZ"),
        ("archive.zip", b"PK"),
        ("no-extension", b"text"),
    ],
)
def test_uploads_of_other_kinds_are_refused_with_a_form_error(client, trainer, name, content):
    client.force_login(trainer)
    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "Sneaky", "file": SimpleUploadedFile(name, content), "collection": 1},
    )
    assert response.status_code == 200
    assert "File extension" in response.content.decode()
    assert not Document.objects.filter(title="Sneaky").exists()


def test_a_listed_kind_uploads(client, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Returns checklist",
            "file": SimpleUploadedFile("returns.txt", b"1. Receipt"),
            "collection": 1,
        },
    )
    assert response.status_code == 302
    assert Document.objects.filter(title="Returns checklist").exists()

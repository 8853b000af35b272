"""Everything the product renders, each once with real content: every StreamField block
of every page type (in the learner's view and in the editor's preview), every page type,
every email and every PDF.

Block types and page types are found from the models, so a new one fails here until it
is given a sample below.
"""

import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PillowImage
from pypdf import PdfReader, PdfWriter
from wagtail import blocks
from wagtail.documents.models import Document
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.images.models import Image
from wagtail.models import Page, get_page_models
from wagtail.test.utils.form_data import querydict_from_html

from certificates.services import certificate_issue
from cms.models import HomePage, PolicyIndexPage, PolicyPage
from courses.models import CoursePage, ModulePage, ScenarioPage
from learning.services import assignments_create
from tests.cms.factories import publish_policy
from tests.courses.factories import catalogue, choice, make_course, make_scenario, scene
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"
VIDEO_URL = "https://www.youtube.com/watch?v=gallery0001"
OFFLINE_VIDEO_URL = "https://videos.example.com/onboarding/greeting.mp4"


@dataclass
class World:
    policy: PolicyPage
    document: Document
    image: Image


@dataclass
class Sample:
    """A block's stored value, and words from it that its rendering must show."""

    value: object
    shows: list[str]


def samples(world: World) -> dict[tuple[str, str, str], Sample]:
    """A real value for every block type of every page type's StreamFields."""
    return {
        ("courses.ModulePage", "body", "text"): Sample(
            "<p>Listen to the <b>whole</b> question first.</p>", ["<b>whole</b> question"]
        ),
        ("courses.ModulePage", "body", "heading"): Sample(
            "Why the first minute matters", ["Why the first minute matters"]
        ),
        ("courses.ModulePage", "body", "policy_excerpt"): Sample(
            {"policy": world.policy.pk, "section_key": "returns-window"},
            ["The returns window", "within 30 days"],
        ),
        ("courses.ModulePage", "body", "callout"): Sample(
            {"title": "Say what happens next", "text": "<p>Name the day they hear back.</p>"},
            ["Say what happens next", "Name the day they hear back."],
        ),
        ("courses.ModulePage", "body", "example_dialogue"): Sample(
            {
                "title": "A cold opening",
                "lines": [
                    {"speaker": "customer", "line": "My parcel never came."},
                    {"speaker": "staff", "line": "Order number?"},
                ],
                "verdict": "poor",
                "why": "No greeting and no sympathy before the question.",
            },
            ["A cold opening", "My parcel never came.", "No greeting and no sympathy"],
        ),
        ("courses.ModulePage", "body", "image"): Sample(
            {"image": world.image.pk, "alt_text": "The four steps of a call", "decorative": False},
            # A drawing too small to read on a phone opens full size.
            [
                'alt="The four steps of a call"',
                "<img",
                'href="/media/original_images/call-flow',
                "Open the image full size",
            ],
        ),
        ("courses.ModulePage", "body", "video"): Sample(VIDEO_URL, ['title="Gallery video"']),
        ("courses.ModulePage", "body", "job_aid"): Sample(
            world.document.pk, [f"Download the job aid: {world.document.title}", "(PDF"]
        ),
        ("courses.ModulePage", "body", "knowledge_check"): Sample(
            {
                "question": "Within how many days may an unopened item come back?",
                "options": [
                    {"text": "Thirty", "correct": True, "feedback": "Yes."},
                    {"text": "Seven", "correct": False, "feedback": "Look again."},
                ],
            },
            ["Within how many days may an unopened item come back?", "Seven"],
        ),
        ("cms.PolicyPage", "sections", "section"): Sample(
            {
                "key": "returns-window",
                "heading": "The returns window",
                "body": "<p>Customers may return items within 30 days.</p>",
            },
            ["The returns window", "within 30 days"],
        ),
        ("courses.ScenarioPage", "steps", "step"): Sample(
            scene(
                "opening",
                "I was promised a call back yesterday.",
                choice("I'm sorry. Let me find out now.", "calm", mood=1),
                choice("Calls are busy this week.", "cross", mood=-1),
            )["value"],
            ["I was promised a call back yesterday."],
        ),
    }


def stream_block_types() -> set[tuple[str, str, str]]:
    found = set()
    for model in get_page_models():
        for field in model._meta.get_fields():
            if isinstance(field, StreamField):
                found |= {
                    (model._meta.label, field.name, name)
                    for name in field.stream_block.child_blocks
                }
    return found


@pytest.fixture
def world() -> World:
    policy = publish_policy()
    buffer = io.BytesIO()
    PillowImage.new("RGB", (480, 160), "#1d4ed8").save(buffer, format="PNG")
    image = Image.objects.create(
        title="Call flow", file=ImageFile(buffer, name="call-flow.png"), width=480, height=160
    )
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    document = Document(title="Contact checklist")
    document.file.save("contact-checklist.pdf", ContentFile(pdf.getvalue()))
    document.save()
    # The video's embed as YouTube would describe it, so no test reaches the network.
    Embed.objects.create(
        hash=get_embed_hash(VIDEO_URL),
        url=VIDEO_URL,
        type="video",
        html='<iframe title="Gallery video" src="https://www.youtube.com/embed/gallery0001">'
        "</iframe>",
        provider_name="YouTube",
    )
    return World(policy=policy, document=document, image=image)


def every_block(world: World, label: str, field: str) -> list[dict]:
    return [
        {"type": name, "value": sample.value}
        for (model, field_name, name), sample in samples(world).items()
        if (model, field_name) == (label, field)
    ]


def expected(world: World, label: str) -> list[str]:
    return [
        words
        for (model, _, _), sample in samples(world).items()
        if model == label
        for words in sample.shows
    ]


@pytest.fixture
def pages(world, learner) -> dict[str, Page]:
    """One published page of each type, each StreamField holding every block type, and
    the learner assigned to the course."""
    policy = world.policy
    policy.sections = every_block(world, "cms.PolicyPage", "sections")
    policy.save_revision().publish()
    course = make_course(
        "Every block",
        policies=[policy],
        modules=[("All of it", every_block(world, "courses.ModulePage", "body"))],
    )
    steps = [
        {"type": "step", "value": sample["value"]}
        for sample in every_block(world, "courses.ScenarioPage", "steps")
    ] + [
        scene("calm", "Thank you.", outcome="resolved", debrief="Owned and fixed."),
        scene("cross", "Unbelievable.", outcome="customer_lost", debrief="An excuse, not help."),
    ]
    scenario = make_scenario(course, "The missed call back", steps=steps)
    assignments_create(employees=[EmployeeFactory(user=learner)], course=course)
    return {
        "cms.HomePage": HomePage.objects.get(),
        "cms.PolicyIndexPage": PolicyIndexPage.objects.get(),
        "cms.PolicyPage": PolicyPage.objects.get(pk=policy.pk),
        "courses.CourseIndexPage": catalogue(),
        "courses.CoursePage": CoursePage.objects.get(pk=course.pk),
        "courses.ModulePage": ModulePage.objects.get(pk=course.get_modules()[0].pk),
        "courses.ScenarioPage": ScenarioPage.objects.get(pk=scenario.pk),
    }


def test_every_block_type_of_every_page_type_has_a_sample(world):
    missing = stream_block_types() - set(samples(world))
    assert not missing, f"give these blocks a sample in samples(): {sorted(missing)}"


def test_every_page_type_is_in_the_gallery(pages):
    types = {model._meta.label for model in get_page_models() if model is not Page}
    assert types == set(pages)
    assert all(page.live for page in pages.values())


# The learner's view of each page type ------------------------------------------------------


def test_every_page_type_renders_for_the_people_who_read_it(client, learner, world, pages):
    client.force_login(learner)
    for label, page in pages.items():
        response = client.get(page.url, follow=True)
        assert response.status_code == 200, label
        html = response.content.decode()
        # The catalogue is read as the learner's list of courses; a role-play's steps are
        # played one at a time.
        if label != "courses.CourseIndexPage":
            assert page.title in html, label
        if label != "courses.ScenarioPage":
            for words in expected(world, label):
                assert words in html, (label, words)


def test_every_page_type_reads_the_same_to_someone_signed_out_or_sends_them_to_sign_in(pages):
    client = Client()
    for label, page in pages.items():
        response = client.get(page.url, follow=True)
        assert response.status_code == 200, label
        final = response.redirect_chain[-1][0] if response.redirect_chain else page.url
        assert label == "cms.HomePage" or final.startswith("/accounts/login/"), (label, final)


def test_a_scenario_plays_its_first_step(client, learner, world, pages):
    client.force_login(learner)
    scenario = pages["courses.ScenarioPage"]
    course = pages["courses.CoursePage"]
    start = reverse("learning:scenario_start", args=[course.slug, scenario.slug])
    html = client.post(start, {"mode": "practice"}, follow=True).content.decode()
    for words in expected(world, "courses.ScenarioPage"):
        assert words in html


# The editor's preview of each page type ----------------------------------------------------


def stream_form_data(block, value, prefix: str) -> dict[str, str]:
    """``value`` as the page editor posts it: the inverse of ``value_from_datadict``."""
    if isinstance(block, blocks.StreamBlock):
        data = {f"{prefix}-count": str(len(value))}
        for n, child in enumerate(value):
            data |= {
                f"{prefix}-{n}-type": child.block_type,
                f"{prefix}-{n}-deleted": "",
                f"{prefix}-{n}-order": str(n),
                f"{prefix}-{n}-id": child.id or "",
            }
            data |= stream_form_data(child.block, child.value, f"{prefix}-{n}-value")
        return data
    if isinstance(block, blocks.ListBlock):
        items = value.bound_blocks
        data = {f"{prefix}-count": str(len(items))}
        for n, item in enumerate(items):
            data |= {
                f"{prefix}-{n}-deleted": "",
                f"{prefix}-{n}-order": str(n),
                f"{prefix}-{n}-id": item.id or "",
            }
            data |= stream_form_data(block.child_block, item.value, f"{prefix}-{n}-value")
        return data
    if isinstance(block, blocks.StructBlock):
        if isinstance(block, ImageBlock):
            value = block._image_to_struct_value(value)
        data = {}
        for name, child in block.child_blocks.items():
            data |= stream_form_data(child, value[name], f"{prefix}-{name}")
        return data
    if isinstance(block, blocks.BooleanBlock):
        return {prefix: "on"} if value else {}
    form_value = block.value_for_form(value)
    if isinstance(block, blocks.RichTextBlock):
        form_value = block.field.widget.format_value(form_value)
    if isinstance(form_value, Page | Document | Image):
        form_value = form_value.pk
    return {prefix: "" if form_value is None else str(form_value)}


def test_every_page_type_previews_in_the_editor(client, world, pages):
    editor = get_user_model().objects.create_superuser(
        email="editor@example.com", password="x-not-used-x"
    )
    client.force_login(editor)
    for label, page in pages.items():
        page = page.specific
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert edit.status_code == 200, label
        data = querydict_from_html(edit.content.decode(), form_id="page-edit-form")
        for field in type(page)._meta.get_fields():
            if isinstance(field, StreamField):
                stream = getattr(page, field.name)
                for key, value in stream_form_data(stream.stream_block, stream, field.name).items():
                    data[key] = value
        preview = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
        for mode, _ in page.preview_modes:
            answer = client.post(f"{preview}?mode={mode}", data)
            assert answer.json() == {"is_valid": True, "is_available": True}, (label, answer)
            response = client.get(preview, {"mode": mode})
            assert response.status_code == 200, label
            html = response.content.decode()
            assert page.title in html, label
            for words in expected(world, label):
                assert words in html, (label, words)


# Blocks whose content has gone ----------------------------------------------------------------


def module_html(client, learner, course, module) -> str:
    client.force_login(learner)
    response = client.get(reverse("learning:module", args=[course.slug, module.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_job_aid_whose_document_was_deleted_says_it_is_no_longer_available(
    client, learner, world
):
    course = make_course(
        "Deleted aid", modules=[("Aid", [{"type": "job_aid", "value": world.document.pk}])]
    )
    assignments_create(employees=[EmployeeFactory(user=learner)], course=course)
    world.document.delete()
    html = module_html(client, learner, course, course.get_modules()[0])
    assert "This job aid is no longer available" in html
    assert "Download the job aid" not in html


def test_a_video_that_cannot_be_embedded_is_a_plain_link(client, learner):
    course = make_course(
        "Plain video", modules=[("Watch", [{"type": "video", "value": OFFLINE_VIDEO_URL}])]
    )
    assignments_create(employees=[EmployeeFactory(user=learner)], course=course)
    html = module_html(client, learner, course, course.get_modules()[0])
    assert f'<a href="{OFFLINE_VIDEO_URL}">Watch the video</a>' in html
    assert "<iframe" not in html


# Emails --------------------------------------------------------------------------------------


def email_templates() -> set[str]:
    return {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.is_file() and "email" in path.parent.name
    }


@pytest.fixture
def rendered_templates():
    names: set[str] = set()

    def record(sender, template, context, **kwargs):
        names.add(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_every_email_is_sent_once_with_real_words(
    client, make_user, rendered_templates, django_capture_on_commit_callbacks
):
    course = make_course("Emails")
    manager = EmployeeFactory(user=make_user("Managers", email="boss@example.com"))
    late = EmployeeFactory(user=make_user("Learners", email="late@example.com"), manager=manager)
    soon = EmployeeFactory(user=make_user("Learners", email="soon@example.com"), manager=manager)
    today = timezone.localdate()
    assignments_create(employees=[late], course=course, due_date=today - datetime.timedelta(3))
    assignments_create(employees=[soon], course=course, due_date=today + datetime.timedelta(1))
    call_command("send_reminders", stdout=io.StringIO())
    # A manager's own nudge, and the password reset anyone can ask for.
    client.force_login(manager.user)
    team = client.get(reverse("learning:team_member", args=[soon_token(client, soon)]))
    assert team.status_code == 200
    remind = re.search(r'action="([^"]*/remind/)"', team.content.decode())
    assert remind is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind.group(1))
    client.logout()
    client.post(reverse("account_reset_password"), {"email": "soon@example.com"})
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    # A sign-in address changed: the old one is told.
    with django_capture_on_commit_callbacks(execute=True):
        late.user.email = "late.new@example.com"
        late.user.save()

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients.count("boss@example.com") == 1  # told that late@ is overdue
    assert recipients.count("late@example.com") == 2  # overdue, then its address changed
    assert recipients.count("soon@example.com") >= 3  # due soon, nudged, reset
    assert "nobody@example.com" in recipients
    for message in mail.outbox:
        assert message.subject.strip(), message.body
        for leftover in ("{{", "{%", "None"):
            assert leftover not in message.subject + message.body, (leftover, message.body)
    assert course.title in " ".join(m.body for m in mail.outbox)
    assert email_templates() <= rendered_templates, email_templates() - rendered_templates


def soon_token(client, employee) -> str:
    """The address token of a report, as the manager's team page links to them."""
    html = client.get(reverse("learning:team")).content.decode()
    tokens = re.findall(r'href="/learn/team/([^/"]+)/"', html)
    assert tokens
    for token in tokens:
        page = client.get(reverse("learning:team_member", args=[token])).content.decode()
        if employee.user.get_full_name() in page:
            return token
    raise AssertionError("the team page does not link to the report")


# PDFs ----------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_every_pdf_renders_with_its_facts(
    client, learner, hr_user, world, pages, django_capture_on_commit_callbacks
):
    course = pages["courses.CoursePage"]
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(user=learner, course=course)
    client.force_login(learner)
    response = client.get(reverse("learning:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    assert learner.get_full_name() in text
    assert course.title in text

    client.force_login(hr_user)
    employee = learner.employee
    response = client.get(reverse("learning_employee_evidence_pdf", args=[employee.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert learner.get_full_name() in text
    assert course.title in text

    client.force_login(learner)
    response = client.get(world.document.url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1

"""A module's video link saves whether or not its provider can be reached, and shows as a
plain link when it cannot be embedded; the page editor does not autosave."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.blocks import ModuleBodyBlock, VideoBlock
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db

NO_EMBED = "https://video.example.invalid/talks/pace-and-silence"


def test_a_link_that_cannot_be_embedded_still_saves_and_shows_as_a_link():
    block = VideoBlock()
    value = block.clean(block.to_python(NO_EMBED))
    assert value.url == NO_EMBED
    html = block.render(value)
    assert f'<a href="{NO_EMBED}">Watch the video</a>' in html
    assert "<iframe" not in html


def test_a_video_still_needs_a_web_address():
    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python("not a link"))


def test_a_module_with_such_a_video_validates_as_a_whole():
    body = ModuleBodyBlock()
    value = body.to_python([{"type": "video", "value": NO_EMBED}])
    body.clean(value)  # Wagtail's own embed block refused this: "Cannot find an embed"


def test_the_module_editor_does_not_autosave(client, trainer):
    course = make_course("Plain Words")
    module = course.get_modules().get()
    client.force_login(trainer)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
    assert "w-autosave#save" not in page and "data-w-autosave-interval-value" not in page

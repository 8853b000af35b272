"""Site pages and the organisation's branding."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

hex_colour_validator = RegexValidator(
    regex=r"^#[0-9a-fA-F]{6}$",
    message="Enter a colour as # followed by six hexadecimal digits, for example #1d4ed8.",
)


class HomePage(Page):
    """The front door: a welcome for signed-in staff and a sign-in prompt for everyone else."""

    intro = models.CharField(
        max_length=255,
        blank=True,
        help_text="One sentence shown under the title.",
    )
    body = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    template = "cms/home_page.html"


@register_setting(icon="site")
class SiteBranding(BaseSiteSetting):
    organisation_name = models.CharField(max_length=120, default="Your organisation")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown in the page header; a wide logo around 40 pixels tall works best.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#1d4ed8",
        validators=[hex_colour_validator],
        help_text="Buttons and links. Pick a colour dark enough for white text on top.",
    )

    panels = [FieldPanel("organisation_name"), FieldPanel("logo"), FieldPanel("accent_colour")]

    class Meta:
        verbose_name = "site branding"

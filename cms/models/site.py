"""Site pages and the organisation's branding."""

from django.core.cache import cache
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

    @classmethod
    def for_request(cls, request):
        """As Wagtail's, but kept in the cache by host name between requests: finding the
        site is the slowest query of a small page. Saving any branding starts afresh."""
        attr_name = cls.get_cache_attr_name()
        if hasattr(request, attr_name):
            return getattr(request, attr_name)
        generation = cache.get_or_set(BRANDING_GENERATION_KEY, 0, None)
        key = f"site-branding:{generation}:{request.get_host()}"
        branding = cache.get(key)
        if branding is None:
            branding = super().for_request(request)
            branding.logo  # noqa: B018 - loaded now so the cached copy carries it
            # Wagtail leaves the request out when the instance is pickled.
            cache.set(key, branding, BRANDING_CACHE_SECONDS)
        else:
            branding._request = request
            setattr(request, attr_name, branding)
        return branding

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _branding_cache_clear()


BRANDING_GENERATION_KEY = "site-branding:generation"
BRANDING_CACHE_SECONDS = 300  # also bounds how long a changed site host name goes unseen


def _branding_cache_clear() -> None:
    try:
        cache.incr(BRANDING_GENERATION_KEY)
    except ValueError:
        cache.set(BRANDING_GENERATION_KEY, 1, None)

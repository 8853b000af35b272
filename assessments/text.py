"""Question text arriving from files: turned into the rich text the bank stores, keeping
formatting a question needs and nothing that could run in a learner's browser."""

import html
import re

import markdown
import nh3

_ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "sub", "sup"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_START = re.compile(r"^\s*<(p|ul|ol)[\s>]", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


def clean_html(text: str) -> str:
    return nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
    ).strip()


def _paragraphs(escaped: str) -> str:
    parts = [part.strip() for part in _PARAGRAPH_BREAK.split(escaped) if part.strip()]
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in parts)


def rich_text(text: str, text_format: str) -> str:
    """Rich text for a question stem written in Moodle's ``html``, ``markdown``, ``plain``
    or ``moodle`` (auto) format."""
    if text_format == "markdown":
        body = clean_html(markdown.markdown(text))
    elif text_format == "plain" or (text_format == "moodle" and not _TAG.search(text)):
        body = _paragraphs(html.escape(text, quote=False))
    else:
        body = clean_html(text if text_format == "html" else text.replace("\n", "<br>"))
    if body and not _BLOCK_START.match(body):
        body = f"<p>{body}</p>"
    return body


def plain_text(text: str) -> str:
    """Text with any markup removed, for answer options and feedback, which show as
    plain text."""
    stripped = nh3.clean(text.replace("<br>", "\n").replace("<br/>", "\n"), tags=set())
    return html.unescape(stripped).strip()

"""The one place the product turns HTML into PDF (certificates, evidence packs): the
bundled fonts, each stylesheet parsed once per process, the fetcher that reads only the
project's own static and media files, and the time limit on a render.

Anything a document points at outside the static and media folders (another file on
this machine, a path climbing out with ``..`` or a symbolic link, another host over
HTTP, a scheme written in capitals) is refused and simply left out of the PDF; a render
that runs too long fails with PdfRenderError instead of holding a worker.
"""

import concurrent.futures
import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# RFC 3986: a scheme is a letter followed by letters, digits, "+", "-" or ".", and is
# case-insensitive (FILE: and file: are the same thing).
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
LOCAL_HOSTS = {"", "localhost"}


class PdfRenderError(Exception):
    """The PDF could not be made; whatever asked for it can say so or try again."""


def allowed_roots() -> list[Path]:
    """The folders a document may read from, as real paths: media, collected static
    files and the project's own static folders."""
    roots = [Path(settings.MEDIA_ROOT).resolve()]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    roots.extend(Path(folder).resolve() for folder in settings.STATICFILES_DIRS)
    return roots


def local_file_allowed(url: str) -> bool:
    """Whether a ``file:`` address names a file inside the allowed folders once every
    ``..`` and symbolic link is resolved."""
    parts = urlsplit(url)
    if parts.netloc.lower() not in LOCAL_HOSTS:
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root) for root in allowed_roots())


class LocalFilesFetcher(URLFetcher):
    """Fetches inline data and the project's own static and media files, nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        match = SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and local_file_allowed(url):
            return super().fetch(url, headers)
        raise ValueError(f"PDFs do not read {url[:200]}.")


def file_uri(path: str | Path | None) -> str:
    return Path(path).resolve().as_uri() if path else ""


def static_path(name: str) -> str:
    found = finders.find(name)
    if not found:
        raise PdfRenderError(f"The static file {name} is missing.")
    return found


@functools.cache
def shared_style(stylesheet: str) -> tuple[FontConfiguration, CSS]:
    """A fixed stylesheet and its fonts, parsed and loaded once per process: that is a
    third of the work of a render when done for every document."""
    font_config = FontConfiguration()
    css = CSS(
        filename=static_path(stylesheet),
        font_config=font_config,
        url_fetcher=LocalFilesFetcher(),
    )
    return font_config, css


def render_unguarded(html: str, *, stylesheet: str | None = None) -> bytes:
    """The render itself, in the calling thread; use ``render_pdf`` for the time limit."""
    document = HTML(string=html, url_fetcher=LocalFilesFetcher(), base_url=None)
    if stylesheet is None:
        return document.write_pdf()
    font_config, css = shared_style(stylesheet)
    return document.write_pdf(stylesheets=[css], font_config=font_config)


def render_pdf(html: str, *, stylesheet: str | None = None, seconds: int | None = None) -> bytes:
    """``html`` as a PDF with ``stylesheet`` (a static file; none for a document that
    carries its own styles), within ``seconds`` (CERTIFICATE_RENDER_SECONDS unless given)."""
    limit = settings.CERTIFICATE_RENDER_SECONDS if seconds is None else seconds
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(render_unguarded, html, stylesheet=stylesheet)
    try:
        return future.result(timeout=limit)
    except concurrent.futures.TimeoutError:
        # The abandoned render may still be using the shared fonts; later renders get
        # their own.
        shared_style.cache_clear()
        raise PdfRenderError(f"Rendering took longer than {limit} seconds.") from None
    except PdfRenderError:
        raise
    except Exception as exc:
        raise PdfRenderError(f"Rendering failed: {exc}") from exc
    finally:
        pool.shutdown(wait=False)

"""Headers every response carries: a Content-Security-Policy, and ``Cache-Control:
no-store`` on anything served to someone signed in.

The site's own pages run no inline script and no inline style: scripts and stylesheets
come from the site, and the one inline ``<style>`` (the branding colour in base.html)
carries the request's nonce (``{{ request.csp_nonce }}``). The Wagtail admin still
writes inline scripts and styles of its own (inline panels, date pickers, its editors),
so pages under the admin get a policy that allows them, and nothing more: no other
origin, no plugins, no framing by another site.
"""

import secrets

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject

# Where module videos are embedded from (courses.blocks.VideoBlock: YouTube and Vimeo).
VIDEO_FRAMES = (
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
)


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def site_policy(nonce: str) -> str:
    """The learner pages, the public pages and sign-in."""
    return _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'", f"'nonce-{nonce}'"],
            "style-src": ["'self'", f"'nonce-{nonce}'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "media-src": ["'self'"],
            "frame-src": ["'self'", *VIDEO_FRAMES],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'self'"],
        }
    )


def admin_policy() -> str:
    """The Wagtail admin, which needs inline scripts and styles of its own."""
    return _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'", "'unsafe-inline'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:", "blob:"],
            "font-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "media-src": ["'self'", "blob:"],
            "frame-src": ["'self'", *VIDEO_FRAMES],
            "worker-src": ["'self'", "blob:"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'self'"],
        }
    )


def _is_admin(request) -> bool:
    return request.path_info.startswith(settings.ADMIN_PATH_PREFIX)


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce for its inline style, and each response its policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = SimpleLazyObject(lambda: secrets.token_urlsafe(18))
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                admin_policy() if _is_admin(request) else site_policy(str(request.csp_nonce))
            )
        return response


class NoStoreWhenSignedInMiddleware:
    """Pages for someone signed in hold their own training, people's records or the
    admin: no browser or proxy may keep a copy once they have signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

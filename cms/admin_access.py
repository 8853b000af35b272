"""A refused admin request answers 403 instead of Wagtail's redirect to the dashboard.

Wagtail turns PermissionDenied inside the admin into a redirect with a message. For HR
data that hides the refusal from monitoring and tests alike, so the project's own admin
views and viewsets answer with a real 403 page, and signed-in people without any admin
access get the same at every admin URL.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse


def forbidden_response(request):
    return render(request, "403.html", status=403)


class ForbiddenOnDenyMixin:
    """For admin class-based views: PermissionDenied becomes a 403 page."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden_response(request)


class ForbiddenOnDenyViewSetMixin:
    """For Wagtail viewsets: every view the viewset builds answers 403 when refused."""

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, ForbiddenOnDenyMixin):
            view_class = type(view_class.__name__, (ForbiddenOnDenyMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)


class AdminAccessMiddleware:
    """Signed-in people without admin access get a 403 page at every admin URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("wagtailadmin_home")
        if (
            request.path.startswith(admin_root)
            and request.path != reverse("admin_login_redirect")
            and request.user.is_authenticated
            and not request.user.has_perm("wagtailadmin.access_admin")
        ):
            return forbidden_response(request)
        return self.get_response(request)

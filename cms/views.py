"""Plain views of the project package: the health check and error pages."""

from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """One trivial query: tells a load balancer the app and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the database behind the context processors may be why we are here.
    return HttpResponseServerError(get_template("500.html").render())

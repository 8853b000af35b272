"""Views of the project package: health check, error pages and the policy library."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cms.models import PolicyAcknowledgement, PolicyPage
from cms.selectors import policy_get_live, policy_history
from cms.services import policy_acknowledge, policy_version_compare


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


# --- policy library -----------------------------------------------------------------


def _live_policy_or_404(slug: str) -> PolicyPage:
    policy = policy_get_live(slug=slug)
    if policy is None:
        raise Http404("No such policy.")
    return policy


@login_required
@require_GET
def policy_history_view(request, slug):
    policy = _live_policy_or_404(slug)
    context = policy_history(policy=policy, user=request.user)
    context["acknowledgement"] = PolicyAcknowledgement.objects.status_for(
        user=request.user, policy=policy
    )
    return render(request, "cms/policy_history.html", context)


@login_required
@require_GET
def policy_version_view(request, slug, label):
    policy = _live_policy_or_404(slug)
    version = policy.version_by_label(label)
    previous = (
        policy.versions.filter(major__lte=version.major)
        .exclude(pk=version.pk)
        .exclude(major=version.major, minor__gt=version.minor)
        .newest_first()
        .first()
    )
    return render(
        request,
        "cms/policy_version.html",
        {
            "policy": policy,
            "version": version,
            "previous": previous,
            "is_current": version.pk == policy.current_version.pk,
        },
    )


@login_required
@require_GET
def policy_changes_view(request, slug, from_label, to_label):
    policy = _live_policy_or_404(slug)
    old, new = policy.version_by_label(from_label), policy.version_by_label(to_label)
    return render(
        request,
        "cms/policy_changes.html",
        {"policy": policy, "comparison": policy_version_compare(old=old, new=new)},
    )


@login_required
@require_POST
def policy_acknowledge_view(request, slug):
    policy = _live_policy_or_404(slug)
    label = request.POST.get("version", "")
    version = policy.version_by_label(label)
    if version.pk != policy.current_version.pk:
        messages.error(
            request,
            f"Version {label} is no longer current; read version "
            f"{policy.current_version.label} and acknowledge that one.",
        )
        return redirect(policy.url)
    policy_acknowledge(user=request.user, version=version)
    messages.success(request, f"Thank you: you acknowledged {policy.title} {version.label}.")
    return redirect(policy.url)

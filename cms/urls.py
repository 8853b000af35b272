"""URL map of the whole site."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

handler403 = "cms.views.permission_denied"
handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The admin signs in through allauth, where rate limits and two-factor apply.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("learn/", include("learning.urls")),
    path("verify/", include("certificates.urls")),
    path("policies/<slug:slug>/versions/", views.policy_history_view, name="policy_history"),
    path(
        "policies/<slug:slug>/versions/<str:label>/",
        views.policy_version_view,
        name="policy_version",
    ),
    path(
        "policies/<slug:slug>/changes/<str:from_label>/<str:to_label>/",
        views.policy_changes_view,
        name="policy_changes",
    ),
    path(
        "policies/<slug:slug>/acknowledge/",
        views.policy_acknowledge_view,
        name="policy_acknowledge",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

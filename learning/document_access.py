"""Who may download a document (job aids and the other files under *Documents*): staff
with document permissions in the admin, and signed-in people who may open a live course
that uses it (assigned to them, or open to all) or read a live policy that links to it.
Everyone else is refused, signed out included, whatever address they have.

Which pages use a document comes from Wagtail's reference index, which records every
document a page's StreamField blocks and rich text point at.
"""

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from cms.models import PolicyPage
from courses.models import CoursePage
from learning.models import Assignment

DOCUMENT_ACTIONS = ["add", "change", "delete", "choose"]


def _pages_using(document) -> list[int]:
    page_type = ContentType.objects.get_for_model(Page)
    ids = ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
    return [int(pk) for pk in ids.values_list("object_id", flat=True) if str(pk).isdigit()]


def document_viewable_by(*, user, document) -> bool:
    """Whether ``user`` may download ``document``."""
    if not user.is_authenticated or not user.is_active:
        return False
    policy = policy_registry.get_by_type(get_document_model())
    if policy.user_has_any_permission_for_instance(user, DOCUMENT_ACTIONS, document):
        return True
    page_ids = _pages_using(document)
    if not page_ids:
        return False
    pages = Page.objects.live().filter(pk__in=page_ids)
    # The policy library is open to every signed-in member of staff.
    if pages.type(PolicyPage).exists():
        return True
    # A module or role-play belongs to the course it sits under.
    parent_paths = {page.path[: -Page.steplen] for page in pages.only("path")}
    courses = CoursePage.objects.live().filter(Q(pk__in=page_ids) | Q(path__in=parent_paths))
    return (
        courses.filter(open_to_all=True).exists()
        or Assignment.objects.filter(employee__user=user, course__in=courses).exists()
    )


def document_serve_check(document, request):
    """Wagtail's ``before_serve_document`` hook: sign in first, then only if allowed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not document_viewable_by(user=request.user, document=document):
        raise PermissionDenied("This document belongs to training you do not have.")
    return None

"""Certificate templates in the admin."""

from wagtail.snippets.views.snippets import SnippetViewSet

from certificates.models import CertificateTemplate
from cms.admin_access import ForbiddenOnDenyViewSetMixin


class CertificateTemplateViewSet(ForbiddenOnDenyViewSetMixin, SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = "Certificate templates"
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["name", "is_default", "layout", "signatory_name"]

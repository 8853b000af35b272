"""Admin wiring for certificates: templates and log actions."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from certificates.viewsets import CertificateTemplateViewSet

register_snippet(CertificateTemplateViewSet)


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action("certificates.issue", "Issue certificate", "Certificate issued")
    actions.register_action("certificates.download", "Download certificate", "PDF downloaded")
    actions.register_action("certificates.revoke", "Revoke certificate", "Certificate revoked")
    actions.register_action("certificates.reissue", "Reissue certificate", "Certificate reissued")
    actions.register_action(
        "certificates.supersede", "Supersede certificate", "Certificate superseded"
    )
    actions.register_action("certificates.expire", "Expire certificate", "Certificate expired")
    actions.register_action(
        "certificates.recertification_due",
        "Recertification due",
        "Recertification due on a new policy version",
    )

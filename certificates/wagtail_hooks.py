"""Admin wiring for certificates: their log actions."""

from wagtail import hooks


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action("certificates.issue", "Issue certificate", "Certificate issued")

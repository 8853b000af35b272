"""Admin wiring for the policy library: its audit-log actions."""

from wagtail import hooks


@hooks.register("register_log_actions")
def register_policy_log_actions(actions):
    actions.register_action(
        "cms.policy_version", "Record policy version", "Policy version recorded"
    )
    actions.register_action(
        "cms.policy_acknowledge", "Acknowledge policy", "Policy version acknowledged"
    )

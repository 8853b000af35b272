"""Accounts in Wagtail's audit log."""

from wagtail import hooks
from wagtail.log_actions import LogFormatter

from accounts.services import EMAIL_CHANGE_ACTION


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    @actions.register_action(EMAIL_CHANGE_ACTION)
    class EmailChange(LogFormatter):
        label = "Change sign-in email"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return (
                f"Sign-in email changed from {data.get('old_email', '?')} "
                f"to {data.get('new_email', '?')}"
            )

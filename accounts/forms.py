"""Sign-up limited to the email domains HR allows to self-register."""

from allauth.account.forms import SignupForm
from django import forms

from accounts.adapters import email_domain_may_self_register


class DomainRestrictedSignupForm(SignupForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        if email and not email_domain_may_self_register(email):
            raise forms.ValidationError(
                "Accounts for this email address are created by your HR team. "
                "Ask them for an invitation."
            )
        return email

"""Sign-up limited to the email domains HR allows to self-register, and through single
sign-on to the address the provider verified."""

from allauth.account.forms import SignupForm
from allauth.socialaccount.forms import SignupForm as SocialSignupForm
from django import forms

from accounts.adapters import email_domain_may_self_register, provider_verified_email


class DomainRestrictedSignupForm(SignupForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        if email and not email_domain_may_self_register(email):
            raise forms.ValidationError(
                "Accounts for this email address are created by your HR team. "
                "Ask them for an invitation."
            )
        return email


class SingleSignOnSignupForm(SocialSignupForm):
    """Signing up through the company's provider: the address is the one the provider
    verified, shown but not editable, whatever the browser sends."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.verified_email = provider_verified_email(self.sociallogin) or ""
        if "email" in self.fields:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "The address your company sign-in confirmed."
            self.initial["email"] = self.verified_email

    def clean_email(self) -> str:
        if not self.verified_email:
            raise forms.ValidationError(
                "Your company sign-in did not confirm an email address for you. Ask HR to add you."
            )
        self.cleaned_data["email"] = self.verified_email
        return super().clean_email()

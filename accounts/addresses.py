"""Sign-in addresses and who vouches for them: HR (or the HR system) for the accounts it
makes, the company's sign-in provider for single sign-on, the person for self-registration.

allauth keeps one ``EmailAddress`` record per address and trusts only the verified ones:
a single sign-on that matches an account on an address without a verified record makes
the account's password unusable (a guard against someone who registered another
person's address first). Accounts made by HR therefore record their address as verified.
"""

from allauth.account.models import EmailAddress
from django.db import transaction


@transaction.atomic
def account_email_set_verified(*, user) -> EmailAddress:
    """Record ``user``'s sign-in address as verified and primary, because HR or the HR
    system gave it.

    The sign-in address is the one HR keeps: the account's other address records (an
    address HR has since changed, one the person added) are removed, so no one can sign
    in by single sign-on under an address the account no longer has. Another account's
    record of the same address goes too: the address is this account's now (sign-in
    addresses are unique), and an address may be verified for one account only.
    """
    email = user.email.strip().lower()
    EmailAddress.objects.filter(email__iexact=email).exclude(user=user).delete()
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        return EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if not (address.verified and address.primary and address.email == email):
        address.email, address.verified, address.primary = email, True, True
        address.save(update_fields=["email", "verified", "primary"])
    return address


def account_email_unconfirmed(user_ids) -> set[int]:
    """Of these accounts, those whose sign-in address has a record that is not verified:
    accounts a person made for themselves (self-registration records the address
    unverified) and has not confirmed since. One query.

    An account without any record of its address was made by HR or an administrator,
    who vouch for it; it is not listed.
    """
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    records = EmailAddress.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "email", "verified", "user__email"
    )
    unconfirmed: set[int] = set()
    for user_id, email, verified, sign_in_email in records:
        if not verified and email.lower() == sign_in_email.lower():
            unconfirmed.add(user_id)
    return unconfirmed


def account_email_vouched_for(*, user) -> bool:
    """Whether ``user``'s sign-in address stands as theirs: verified, or recorded by no one
    (so made by HR or an administrator, not by self-registration)."""
    return user.pk not in account_email_unconfirmed([user.pk])

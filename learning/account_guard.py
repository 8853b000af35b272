"""Who may change whose sign-in account: HR manages employees, not administrators.

An account counts as beyond HR when its holder is a superuser, is in the HR group
themselves (a colleague: no one in HR acts on another HR account, or on their own), or
holds admin rights the HR group lacks: a permission HR does not have, a page or
collection permission HR does not have, or membership of any other group that opens
the admin. Linking such an account to an employee, changing its sign-in email, or
deactivating or reactivating it is for a superuser only. Everything else on the
employee record (name, department, manager, ...) stays HR's to change.

An account someone registered for themselves (``SELF_REGISTRATION_DOMAINS``) is linked
to an employee by no one, superusers included, until its holder has confirmed the
address (``accounts.addresses``): otherwise whoever registered a new hire's address
first would receive the new hire's employee record.

The employee form, the staff import (checked or applied, in the admin or by the
``import_staff`` command) and ``employee_save`` itself all ask ``account_change_refusal``
(or ``account_change_refusals`` for many at once), so the rule is written once.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from accounts.addresses import account_email_unconfirmed
from learning.choices import Role

User = get_user_model()

ACCESS_ADMIN = ("wagtailadmin", "access_admin")


@dataclass(frozen=True)
class AccountChange:
    """What saving an employee would do to the user account behind it."""

    user_id: int
    email: str  # the account's sign-in address now
    is_active: bool  # and whether it may sign in now
    links: bool = False  # an existing account is being attached to a new employee
    new_email: str | None = None
    new_active: bool | None = None

    @classmethod
    def of(cls, user, **wanted) -> "AccountChange":
        return cls(user_id=user.pk, email=user.email, is_active=user.is_active, **wanted)

    def actions(self) -> list[str]:
        done = []
        if self.links:
            done.append("link it to an employee")
        if self.new_email is not None and self.new_email != self.email:
            done.append("change its sign-in email")
        if self.new_active is not None and self.new_active != self.is_active:
            done.append("deactivate it" if not self.new_active else "reactivate it")
        return done


def _hr_rights() -> tuple[set[int], set[tuple[int, int]], set[tuple[int, int]]]:
    hr = Group.objects.filter(name=Role.HR).first()
    if hr is None:
        return set(), set(), set()
    return (
        set(hr.permissions.values_list("pk", flat=True)),
        set(GroupPagePermission.objects.filter(group=hr).values_list("page_id", "permission_id")),
        set(
            GroupCollectionPermission.objects.filter(group=hr).values_list(
                "collection_id", "permission_id"
            )
        ),
    )


def accounts_beyond_hr(user_ids) -> dict[int, str]:
    """For each of these accounts that HR may not link, re-email or (de)activate: why,
    as words to follow its email address ("is a superuser's account"). Accounts HR
    may manage are left out. A fixed number of queries, however many accounts."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    reasons: dict[int, str] = {}
    for pk in User.objects.filter(pk__in=user_ids, is_superuser=True).values_list("pk", flat=True):
        reasons[pk] = "is a superuser's account"
    hr_groups = set(
        User.groups.through.objects.filter(
            user_id__in=user_ids - set(reasons), group__name=Role.HR
        ).values_list("user_id", flat=True)
    )
    for pk in hr_groups:
        reasons[pk] = "is the account of someone in HR"

    rest = user_ids - set(reasons)
    if not rest:
        return reasons
    hr_permissions, hr_pages, hr_collections = _hr_rights()
    groups_of: dict[int, set[int]] = {}
    for user_id, group_id in User.groups.through.objects.filter(user_id__in=rest).values_list(
        "user_id", "group_id"
    ):
        groups_of.setdefault(user_id, set()).add(group_id)
    group_ids = set().union(*groups_of.values()) if groups_of else set()
    group_names = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    access_admin = Permission.objects.filter(
        content_type__app_label=ACCESS_ADMIN[0], codename=ACCESS_ADMIN[1]
    ).first()

    # A group counts as beyond HR if it opens the admin (HR's own group aside, which
    # no one left here is in) or grants anything HR does not have.
    beyond_groups: set[int] = set()
    for group_id, permission_id in Group.permissions.through.objects.filter(
        group_id__in=group_ids
    ).values_list("group_id", "permission_id"):
        if permission_id not in hr_permissions or (
            access_admin is not None and permission_id == access_admin.pk
        ):
            beyond_groups.add(group_id)
    for group_id, page_id, permission_id in GroupPagePermission.objects.filter(
        group_id__in=group_ids
    ).values_list("group_id", "page_id", "permission_id"):
        if (page_id, permission_id) not in hr_pages:
            beyond_groups.add(group_id)
    for group_id, collection_id, permission_id in GroupCollectionPermission.objects.filter(
        group_id__in=group_ids
    ).values_list("group_id", "collection_id", "permission_id"):
        if (collection_id, permission_id) not in hr_collections:
            beyond_groups.add(group_id)
    for user_id, groups in groups_of.items():
        named = sorted(group_names[g] for g in groups & beyond_groups)
        if named:
            reasons[user_id] = (
                f"has admin rights HR does not have (group{'s' if len(named) > 1 else ''} "
                f"{', '.join(named)})"
            )

    direct = set(
        User.user_permissions.through.objects.filter(user_id__in=rest - set(reasons))
        .exclude(permission_id__in=hr_permissions)
        .values_list("user_id", flat=True)
    )
    for user_id in direct:
        reasons[user_id] = "has admin permissions of its own that HR does not have"
    return reasons


def account_change_refusals(*, actor, changes: list[AccountChange]) -> dict[int, str]:
    """Why ``actor`` may not make each of these account changes, by user id; changes
    that are allowed are left out. A superuser may make them all; no one else (HR, or a
    command run without a person behind it) may touch an account beyond HR."""
    asked = [change for change in changes if change.actions()]
    # Whoever asks, an account a person registered for themselves is linked to an
    # employee only once its address is confirmed: anyone could have registered it.
    unconfirmed = account_email_unconfirmed(change.user_id for change in asked if change.links)
    refusals = {
        change.user_id: (
            f"{change.email} is an account its holder registered themselves and has not "
            "confirmed the address of, so it cannot be linked to an employee. Ask them to "
            "confirm it (the link sent from Email addresses in their account), then try again."
        )
        for change in asked
        if change.user_id in unconfirmed
    }
    if not asked or (actor is not None and actor.is_superuser):
        return refusals
    beyond = accounts_beyond_hr(
        change.user_id for change in asked if change.user_id not in refusals
    )
    for change in asked:
        if change.user_id in beyond:
            refusals[change.user_id] = (
                f"{change.email} {beyond[change.user_id]}, so only a superuser can "
                f"{_join(change.actions())}."
            )
    return refusals


def account_change_refusal(*, actor, change: AccountChange) -> str | None:
    """Why ``actor`` may not make this one account change, or None if they may."""
    return account_change_refusals(actor=actor, changes=[change]).get(change.user_id)


def _join(actions: list[str]) -> str:
    if len(actions) == 1:
        return actions[0]
    return ", ".join(actions[:-1]) + " or " + actions[-1]


def employee_account_refusal(*, actor, employee, email: str, active: bool) -> str | None:
    """Why ``actor`` may not save ``employee`` with this sign-in email and active flag,
    or None if they may. A new employee whose email is an existing account's links to
    that account; an existing one re-emails or (de)activates its own."""
    email = email.strip().lower()
    if employee.pk is None:
        user = User.objects.filter(email=email).first()
        if user is None:
            return None
        change = AccountChange.of(user, links=True, new_active=active)
    else:
        change = AccountChange.of(employee.user, new_email=email, new_active=active)
    return account_change_refusal(actor=actor, change=change)

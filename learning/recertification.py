"""Recertification: when a material policy version takes effect, the people certified on
an older version are put back through the training, in bulk and resumably; and when a
certificate nears its expiry date, its holder is assigned the course again."""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from wagtail.log_actions import log

from assessments.models import Attempt
from assessments.services import (
    SectionScope,
    assessment_questions_citing,
    question_revisions_for,
)
from certificates.choices import CertificateStatus
from certificates.models import Certificate, CertificateVersion
from certificates.services import certificates_expire, certificates_log
from cms.choices import ChangeKind
from cms.models import PolicyVersion
from cms.services import policy_version_compare
from courses.models import CoursePage, CoursePolicyPin
from courses.stale_quotes import CourseToRepublish
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee, ModuleProgress

FAN_OUT_BATCH = 2000
# A delta recertification is passed with the final assessment's questions on the changed
# sections: at least this many of them, or the learner sits the whole final assessment...
RECERTIFICATION_MIN_QUESTIONS = 3
# ... and at most this many, drawn at random when more cite the changed sections.
RECERTIFICATION_MAX_QUESTIONS = 10
# The audit entry a fan-out writes on the policy once it has reached everyone.
FAN_OUT_DONE = "learning.recertification"


@dataclass
class FanOutProgress:
    certificates: int = 0  # marked recertification due
    assignments: int = 0  # recertification assignments created
    finished: bool = False


def recertifying_versions():
    """Material policy versions that asked people to recertify, newest first."""
    # Version 1 of a policy has nothing earlier to recertify from.
    return PolicyVersion.objects.filter(change_kind=ChangeKind.MATERIAL, major__gt=1).order_by(
        "-effective_at", "policy__title", "pk"
    )


def recertification_due_on(version: PolicyVersion) -> datetime.date:
    effective = timezone.localdate(version.effective_at)
    return effective + datetime.timedelta(days=version.recertification_days or 0)


def _not_yet_reached(version: PolicyVersion) -> Q:
    """Certificates the version has still to reach: valid ones, and ones already due for
    recertification on an earlier version whose active holder has no open assignment of
    the course on this version (or a newer one) yet. An open recertification of the
    whole course asked for by a change that took effect no earlier than this one, to
    whichever policy, already covers it (completing it needs the course republished,
    which pins every policy's versions then in force): so a course teaching two changed
    policies never passes its people back and forth, and a later change is never hidden."""
    reached = Assignment.objects.filter(
        Q(policy_version__policy_id=version.policy_id, policy_version__major__gte=version.major)
        | Q(changed_sections=[], policy_version__effective_at__gte=version.effective_at),
        employee__user_id=OuterRef("user_id"),
        course_id=OuterRef("course_id"),
        completed_at__isnull=True,
    )
    # Exists rather than a join, so the batch can lock these rows on PostgreSQL (which
    # refuses FOR UPDATE across the nullable side of an outer join).
    active = Employee.objects.filter(user_id=OuterRef("user_id"), active=True)
    return Q(status=CertificateStatus.VALID) | (
        Q(status=CertificateStatus.RECERTIFICATION_DUE) & Exists(active) & ~Exists(reached)
    )


def _certificates_to_recertify(version: PolicyVersion):
    """Certificates naming an older major version of the version's policy that it has
    still to reach (see ``_not_yet_reached``)."""
    return Certificate.objects.filter(
        _not_yet_reached(version),
        versions__version__policy_id=version.policy_id,
        versions__version__major__lt=version.major,
    )


def recertification_fan_out(
    *, version_id: int, batch_size: int = FAN_OUT_BATCH, max_batches: int | None = None
) -> FanOutProgress:
    """Mark every valid certificate on an older major version of the policy as
    recertification due, and give each active holder a recertification assignment for the
    course, due on the version's effective date plus its window.

    A certificate already due for recertification on an earlier version (2.0 is pending
    when 3.0 comes out) is brought onto this one: the open assignment now names this
    version, its changed sections are those that differ between the version the holder
    is certified on and this one, and only the modules quoting sections changed since
    the version it named are asked for again. Its due date never comes sooner: it moves
    to this version's due date when that is later (the learner cannot finish before the
    course teaches the new version, and now has more to learn), unless it has already
    passed, because a new version does not wipe out an overdue recertification. The
    certificate's recertification due date follows, so it does not lapse in the meantime.
    One whose due date has passed lapses to expired, and its holder gets the whole course.

    Batches commit one by one. A batch takes only certificates this version has not
    reached yet, and an open assignment for the course is never duplicated, so running
    again, or after a crash half way, handles each person exactly once. ``max_batches``
    bounds one call's work; the result says whether everything is done. Editorial
    versions change nothing.
    """
    version = PolicyVersion.objects.get(pk=version_id)
    progress = FanOutProgress()
    if not version.is_material:
        progress.finished = True
        return progress
    due_on = recertification_due_on(version)
    deltas: dict[int, list[str]] = {}
    cursor, batches = 0, 0
    while max_batches is None or batches < max_batches:
        ids = list(
            _certificates_to_recertify(version)
            .filter(pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()[:batch_size]
        )
        if not ids:
            progress.finished = True
            break
        cursor = ids[-1]
        marked, assigned = _fan_out_batch(
            version=version, certificate_ids=ids, due_on=due_on, deltas=deltas
        )
        progress.certificates += marked
        progress.assignments += assigned
        batches += 1
    if progress.finished:
        log(
            instance=version.policy,
            action=FAN_OUT_DONE,
            data={"version": version.label, "due_on": due_on.isoformat()},
        )
    return progress


def _modules_to_redo(course_id: int, policy_id: int, keys: tuple[str, ...], memo) -> list[int]:
    """The modules a recertification asks for again: those quoting a changed section of
    the policy, or every module when the whole course is due."""
    memo_key = (course_id, policy_id, keys)
    if memo_key not in memo:
        modules = CoursePage.objects.get(pk=course_id).get_modules()
        memo[memo_key] = [
            module.pk
            for module in modules
            if not keys
            or any(
                quoted_policy == policy_id and key in keys
                for quoted_policy, key in module.quoted_sections()
            )
        ]
    return memo[memo_key]


def progress_reset(*, assignments: list[tuple[int, int, tuple[str, ...]]], policy_id, memo):
    """Unfinish the modules each (user, course, changed keys) must work through again,
    in one statement per course and kind of change, so old progress cannot complete a
    recertification."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for user_id, course_id, keys in assignments:
        groups.setdefault((course_id, keys), []).append(user_id)
    for (course_id, keys), user_ids in groups.items():
        ModuleProgress.objects.filter(
            user_id__in=user_ids,
            module_id__in=_modules_to_redo(course_id, policy_id, keys, memo),
        ).update(completed_at=None)


def _changed_keys(version: PolicyVersion, old_version_id: int, deltas) -> list[str]:
    if old_version_id not in deltas:
        old = PolicyVersion.objects.get(pk=old_version_id)
        deltas[old_version_id] = policy_version_compare(old=old, new=version).changed_keys
    return deltas[old_version_id]


@transaction.atomic
def _fan_out_batch(*, version, certificate_ids, due_on, deltas) -> tuple[int, int]:
    today = timezone.localdate()
    # Lock first, then choose in a statement of its own: under READ COMMITTED that second
    # statement sees what a concurrent fan-out committed while this one waited for the
    # locks (its assignments), so nobody is handled twice.
    locked = certificate_ids  # SQLite: the write transaction already holds the database
    if connection.features.has_select_for_update:
        locked = list(
            Certificate.objects.select_for_update()
            .filter(pk__in=certificate_ids)
            .values_list("pk", flat=True)
        )
    chosen = list(
        Certificate.objects.filter(_not_yet_reached(version), pk__in=locked).values_list(
            "pk",
            "user_id",
            "course_id",
            "expires_on",
            "recertification_due_on",
            "serial",
            "course_title",
            "learner_name",
        )
    )
    if not chosen:
        return 0, 0
    rows = [row[:5] for row in chosen]
    labels = {row[0]: Certificate.label_for(*row[5:]) for row in chosen}
    # Past its expiry date, or past the date an earlier recertification was due: it lapses
    # rather than falls due, and the holder gets the full course.
    lapsed = {
        pk
        for pk, _, _, expires_on, due in rows
        if (expires_on and expires_on < today) or (due and due < today)
    }
    now = timezone.now()
    Certificate.objects.filter(pk__in=lapsed).update(
        status=CertificateStatus.EXPIRED, status_changed_at=now
    )
    already_due = Q(status=CertificateStatus.RECERTIFICATION_DUE)
    Certificate.objects.filter(pk__in=[pk for pk, *_ in rows if pk not in lapsed]).update(
        status=CertificateStatus.RECERTIFICATION_DUE,
        # Due on the later of this version's date and any earlier recertification's.
        recertification_due_on=Case(
            When(
                already_due & Q(recertification_due_on__gt=due_on), then=F("recertification_due_on")
            ),
            default=Value(due_on),
        ),
        status_changed_at=Case(When(already_due, then=F("status_changed_at")), default=Value(now)),
    )
    certificates_log(
        certificate_ids=lapsed,
        action="certificates.expire",
        data={"on": str(today)},
        labels=labels,
    )
    certificates_log(
        labels=labels,
        certificate_ids=[pk for pk, *_ in rows if pk not in lapsed],
        action="certificates.recertification_due",
        data={"version": f"{version.title} {version.label}", "due_on": str(due_on)},
    )
    named = dict(
        CertificateVersion.objects.filter(
            certificate_id__in=[pk for pk, *_ in rows], version__policy_id=version.policy_id
        ).values_list("certificate_id", "version_id")
    )
    employees = dict(
        Employee.objects.filter(
            user_id__in={user for _, user, *_ in rows}, active=True
        ).values_list("user_id", "pk")
    )
    open_assignments = {}
    whole_course_due = set()  # open recertifications of the whole course: never narrowed
    on_this_policy = {}  # open assignments naming an older version of this policy
    for (
        pk,
        employee_id,
        course_id,
        due_date,
        reason,
        changed,
        named_version,
        policy_id,
    ) in Assignment.objects.filter(
        employee_id__in=employees.values(),
        course_id__in={course for _, _, course, *_ in rows},
        completed_at__isnull=True,
    ).values_list(
        "pk",
        "employee_id",
        "course_id",
        "due_date",
        "reason",
        "changed_sections",
        "policy_version_id",
        "policy_version__policy_id",
    ):
        pair = (employee_id, course_id)
        open_assignments[pair] = (pk, due_date)
        if (reason == AssignmentReason.RECERTIFICATION or named_version) and not changed:
            # Whatever made it (the fan-out, or one it took over), it asks for it all.
            whole_course_due.add(pair)
        elif changed and policy_id != version.policy_id:
            # The delta of another policy's change: one assignment cannot name two, so
            # the whole course it is.
            whole_course_due.add(pair)
        if policy_id == version.policy_id:
            on_this_policy[pair] = named_version
    wanted: dict[tuple[int, int], list[str]] = {}
    moving_on = set()  # recertifications of an earlier version still to come
    for pk, user_id, course_id, *_ in rows:
        employee_id = employees.get(user_id)
        if employee_id is None:
            continue  # deactivated: the certificate is due, but nobody is assigned
        if pk not in lapsed and (employee_id, course_id) in on_this_policy:
            moving_on.add((employee_id, course_id))
        # A certificate still valid earns the delta path: only what changed since the
        # version it was earned on.
        wanted[(employee_id, course_id)] = (
            [] if pk in lapsed else _changed_keys(version, named[pk], deltas)
        )
    for pair in whole_course_due:
        if pair in wanted:
            wanted[pair] = []
    new_rows = [
        Assignment(
            employee_id=employee_id,
            course_id=course_id,
            reason=AssignmentReason.RECERTIFICATION,
            assigned_at=now,
            due_date=due_on,
            policy_version_id=version.pk,
            changed_sections=changed,
        )
        for (employee_id, course_id), changed in wanted.items()
        if (employee_id, course_id) not in open_assignments
    ]
    # The partial unique index still has the last word if someone assigned the course
    # by hand a moment ago.
    Assignment.objects.bulk_create(new_rows, ignore_conflicts=True)
    users = {employee_id: user_id for user_id, employee_id in employees.items()}
    redo = []
    for (employee_id, course_id), changed in wanted.items():
        keys = tuple(changed)
        if (employee_id, course_id) in moving_on:
            # What was relearnt for the earlier version stands; only the modules quoting
            # sections changed since are asked for again (none, if no section changed).
            keys = tuple(_changed_keys(version, on_this_policy[(employee_id, course_id)], deltas))
            if not keys:
                continue
        redo.append((users[employee_id], course_id, keys))
    progress_reset(assignments=redo, policy_id=version.policy_id, memo=deltas)
    # Someone with the course already open keeps that assignment, naming the change, in
    # one statement per kind of change. It is due no later than the recertification,
    # unless it is the recertification of an earlier version still to come: that one is
    # due no sooner than before (see the docstring of recertification_fan_out).
    by_change: dict[tuple[str, ...], list[int]] = {}
    sooner, later = [], []
    for pair, changed in wanted.items():
        if pair not in open_assignments:
            continue
        assignment_pk, _ = open_assignments[pair]
        by_change.setdefault(tuple(changed), []).append(assignment_pk)
        if pair in moving_on:
            later.append(assignment_pk)
        else:
            sooner.append(assignment_pk)
    for changed, assignment_pks in by_change.items():
        # Now a refresher for this version: it waits for the course to teach it.
        Assignment.objects.filter(pk__in=assignment_pks).update(
            policy_version=version, changed_sections=list(changed), opened_at=None
        )
    Assignment.objects.filter(pk__in=sooner, due_date__gt=due_on).update(due_date=due_on)
    Assignment.objects.filter(pk__in=later, due_date__lt=due_on, due_date__gte=today).update(
        due_date=due_on
    )
    return len(rows), len(new_rows)


def recertification_assign_expiring(*, today: datetime.date) -> int:
    """Open the recertification window: holders of a valid certificate that expires within
    its course's window get the full course again, due on the expiry date. One query per
    course with expiring certificates; someone with the course already open keeps it."""
    created = 0
    courses = CoursePage.objects.filter(certificate_validity_months__isnull=False)
    for course in courses.only("pk", "recertification_window_days"):
        horizon = today + datetime.timedelta(days=course.recertification_window_days)
        expiring = list(
            Certificate.objects.filter(
                course=course,
                status=CertificateStatus.VALID,
                expires_on__gte=today,
                expires_on__lte=horizon,
                user__employee__active=True,
            )
            .exclude(
                user__employee__pk__in=Assignment.objects.filter(
                    course=course, completed_at__isnull=True
                ).values("employee_id")
            )
            .values_list("user__employee__pk", "expires_on")
        )
        if not expiring:
            continue
        now = timezone.now()
        with transaction.atomic():
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        employee_id=employee_id,
                        course=course,
                        reason=AssignmentReason.RECERTIFICATION,
                        assigned_at=now,
                        due_date=expires_on,
                    )
                    for employee_id, expires_on in expiring
                ],
                ignore_conflicts=True,
            )
            ModuleProgress.objects.filter(
                user__employee__pk__in=[employee_id for employee_id, _ in expiring],
                module_id__in=course.get_modules().values("pk"),
            ).update(completed_at=None)
        created += len(expiring)
    return created


def recertification_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily pass: open the refreshers whose course is ready (and keep those still
    waiting from falling due), write down expiries, then open the windows that have come
    round."""
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    today = timezone.localdate(now)
    opening = recertifications_open(now=now)
    return {
        "refreshers_opened": opening.opened,
        "expired": certificates_expire(today=today),
        "assigned": recertification_assign_expiring(today=today),
    }


# --- passing a recertification -----------------------------------------------------------


def recertification_waits_for(assignment: Assignment | None, pinned: dict) -> PolicyVersion | None:
    """The policy version an open recertification waits for the course to teach: the one
    it names, while the course (``pinned``: its versions by policy id) is still on an
    older major version of that policy. None when nothing holds it back."""
    if assignment is None or assignment.completed_at is not None:
        return None
    version = assignment.policy_version if assignment.policy_version_id else None
    if version is None:
        return None
    taught = pinned.get(version.policy_id)
    return version if taught is not None and taught.major < version.major else None


@dataclass(frozen=True)
class RefresherWait:
    """Why a recertification after a policy change has not opened yet: its course still
    teaches an older major version of the policy, or the version has not taken effect."""

    version: PolicyVersion  # the version the refresher is for
    taught: PolicyVersion | None  # the older version the course still teaches, if it does
    takes_effect: datetime.datetime | None  # when the version takes effect, if still to come

    @property
    def for_course_update(self) -> bool:
        return self.taught is not None

    @property
    def name(self) -> str:
        return f"{self.version.title} {self.version.label}"

    @property
    def status_label(self) -> str:
        """The refresher's status where an assignment's would be shown."""
        if self.taught is not None:
            return "Waiting for course update"
        return f"Opens on {self.takes_effect_text}"

    @property
    def takes_effect_text(self) -> str:
        return _day(self.takes_effect) if self.takes_effect else ""

    @property
    def hold(self) -> str:
        """What holds completion back, as the course page lists it."""
        holds = []
        if self.taught is not None:
            holds.append(f"the course is being updated to {self.name}")
        if self.takes_effect is not None:
            holds.append(f"{self.name} takes effect on {_day(self.takes_effect)}")
        return " and ".join(holds)

    def for_learner(self) -> str:
        """What the learner reads beside the refresher while it waits."""
        window = self.version.recertification_days or 0
        then = f" You will then have {window} day{'' if window == 1 else 's'} to complete it."
        if self.taught is not None and self.takes_effect is not None:
            return (
                f"Your refresher opens once your course is updated to {self.name} (it still "
                f"teaches {self.taught.label}) and {self.version.label} has taken effect on "
                f"{_day(self.takes_effect)}.{then}"
            )
        if self.taught is not None:
            return (
                f"Your refresher opens when your course is updated to {self.name}; until "
                f"then it still teaches {self.taught.label}, so there is nothing to do yet."
                f"{then}"
            )
        return (
            f"Your refresher opens on {_day(self.takes_effect)}, when {self.name} takes "
            f"effect.{then}"
        )

    def for_hr(self) -> str:
        if self.taught is not None:
            said = (
                f"Waiting for a trainer to republish the course on {self.name} (it still "
                f"teaches {self.taught.title} {self.taught.label})."
            )
        else:
            said = "Waiting for the change to take effect."
        if self.takes_effect is not None and self.taught is not None:
            said += f" {self.name} takes effect on {_day(self.takes_effect)}."
        elif self.takes_effect is not None:
            said = f"Waiting for {self.name} to take effect on {_day(self.takes_effect)}."
        return (
            f"{said} The refresher opens then, due "
            f"{self.version.recertification_days or 0} days later."
        )


def refresher_wait(
    assignment: Assignment | None, pinned: dict, *, now: datetime.datetime | None = None
) -> RefresherWait | None:
    """Why an open recertification after a policy change has not opened yet, or None when
    it is open (or is not one). ``pinned``: the course's versions by policy id. It opens
    by itself once the course teaches the version it names and the version is in effect:
    before then the course would teach the words it replaces, and an attempt could not
    count (see ``recertification_began``)."""
    if assignment is None or assignment.completed_at is not None:
        return None
    if not assignment.policy_version_id:
        return None
    version = assignment.policy_version
    behind = recertification_waits_for(assignment, pinned) is not None
    future = version.effective_at > (now or timezone.now())
    if not behind and not future:
        return None
    return RefresherWait(
        version=version,
        taught=pinned[version.policy_id] if behind else None,
        takes_effect=version.effective_at if future else None,
    )


class RefresherNotOpen(Exception):
    """Something was started in a course whose refresher has not opened yet; the message
    says why, in the learner's words."""

    def __init__(self, wait: RefresherWait):
        super().__init__(wait.for_learner())
        self.wait = wait


def refresher_check_open(*, assignment: Assignment | None, course: CoursePage) -> None:
    """Refuse (RefresherNotOpen) to start anything in the course while the learner's
    recertification waits for it; no query unless the assignment is one."""
    if assignment is None or assignment.completed_at is not None:
        return
    if not assignment.policy_version_id:
        return
    wait = refresher_wait(assignment, CoursePolicyPin.objects.versions_by_policy(course))
    if wait is not None:
        raise RefresherNotOpen(wait)


def recertification_due_from(version: PolicyVersion, ready_on: datetime.date) -> datetime.date:
    """The due-date rule: the later of the version's effective date and the day the course
    is ready on it, plus the version's window."""
    effective = timezone.localdate(version.effective_at)
    return max(effective, ready_on) + datetime.timedelta(days=version.recertification_days or 0)


@dataclass
class OpeningProgress:
    opened: int = 0  # refreshers that opened
    waiting: int = 0  # refreshers still waiting


def _due_dates_move(
    *, assignments, course_id: int, due_on: datetime.date, today: datetime.date
) -> None:
    """Move the due date of ``assignments`` (a queryset of the course's) to ``due_on``
    when it is later, and the recertification date of the certificates they renew with
    them, so that nothing lapses while the course is unready. An assignment already
    overdue stays overdue, and nothing moves sooner."""
    renewing = assignments.filter(employee__user_id=OuterRef("user_id"), due_date__gte=today)
    Certificate.objects.filter(
        Exists(renewing),
        course_id=course_id,
        status=CertificateStatus.RECERTIFICATION_DUE,
        recertification_due_on__gte=today,
        recertification_due_on__lt=due_on,
    ).update(recertification_due_on=due_on)
    assignments.filter(due_date__gte=today, due_date__lt=due_on).update(due_date=due_on)


def recertifications_open(
    *, course_ids=None, version_ids=None, now: datetime.datetime | None = None
) -> OpeningProgress:
    """Open the recertifications whose course now teaches the version they name (once it
    is in effect), recording when, and set their due dates by the rule of
    ``recertification_due_from``, the ready day being the day the course was pinned to
    that version. Those still waiting are kept due no sooner than if the course were
    ready today, so they never fall overdue (nor their certificates lapse) for a course
    the learner cannot take yet. A due date only ever moves later, and one already
    passed stays as it is. A handful of statements per course and version concerned,
    however many people: run when a course is republished and hourly (before reminders);
    safe to run again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Assignment.objects.open().filter(
        policy_version__isnull=False, opened_at__isnull=True
    )
    if course_ids is not None:
        candidates = candidates.filter(course_id__in=course_ids)
    if version_ids is not None:
        candidates = candidates.filter(policy_version_id__in=version_ids)
    groups = list(candidates.order_by().values_list("course_id", "policy_version_id").distinct())
    progress = OpeningProgress()
    if not groups:
        return progress
    versions = PolicyVersion.objects.in_bulk({version_id for _, version_id in groups})
    pins: dict[tuple[int, int], tuple[int, datetime.datetime]] = {}
    for course_id, policy_id, major, pinned_at in CoursePolicyPin.objects.filter(
        course_id__in={course_id for course_id, _ in groups}
    ).values_list("course_id", "version__policy_id", "version__major", "pinned_at"):
        pins[(course_id, policy_id)] = (major, pinned_at)
    with transaction.atomic():
        for course_id, version_id in groups:
            version = versions[version_id]
            group = candidates.filter(course_id=course_id, policy_version_id=version_id)
            pin = pins.get((course_id, version.policy_id))
            if (pin is not None and pin[0] < version.major) or version.effective_at > now:
                _due_dates_move(
                    assignments=group,
                    course_id=course_id,
                    due_on=recertification_due_from(version, today),
                    today=today,
                )
                progress.waiting += group.count()
                continue
            # Ready when the course was pinned to the version (or when it took effect,
            # if later): due from that day, and open since then or since it was made.
            ready = max(version.effective_at, pin[1]) if pin else version.effective_at
            _due_dates_move(
                assignments=group,
                course_id=course_id,
                due_on=recertification_due_from(version, timezone.localdate(ready)),
                today=today,
            )
            progress.opened += group.update(opened_at=Greatest(F("assigned_at"), Value(ready)))
    return progress


def recertifications_waiting_on(courses: list[CourseToRepublish]) -> dict[int, int]:
    """For each course still to republish, by course id: how many people's open
    recertification waits for it, by the rule of ``recertification_waits_for`` (on a
    newer major version of a policy than the course teaches), in one query."""
    waiting = {entry.course.pk: 0 for entry in courses}
    taught = {
        (entry.course.pk, behind.pinned.policy_id): behind.pinned.major
        for entry in courses
        for behind in entry.behind
    }
    if not taught:
        return waiting
    rows = (
        Assignment.objects.open()
        .filter(
            course_id__in=list(waiting),
            policy_version__policy_id__in={policy_id for _, policy_id in taught},
        )
        .values("course_id", "policy_version__policy_id", "policy_version__major")
        .annotate(people=Count("employee_id", distinct=True))
    )
    for row in rows:
        major = taught.get((row["course_id"], row["policy_version__policy_id"]))
        if major is not None and major < row["policy_version__major"]:
            waiting[row["course_id"]] += row["people"]
    return waiting


def is_delta(assignment: Assignment | None) -> bool:
    """An open assignment that asks only for what changed in a material policy version."""
    return bool(
        assignment is not None
        and assignment.completed_at is None
        and assignment.policy_version_id
        and assignment.changed_sections
    )


def recertification_since(assignment: Assignment | None) -> datetime.datetime | None:
    """For an open recertification, when role-plays and assessment passes start to count:
    since the change took effect and the course was assigned. None: any pass counts."""
    if assignment is None or assignment.completed_at is not None:
        return None
    return recertification_began(assignment)


def recertification_began(assignment: Assignment | None) -> datetime.datetime | None:
    """When a recertification, open or done, began counting attempts: the moment of
    ``recertification_since`` that stays put once it is completed. None: not one."""
    if assignment is None:
        return None
    if assignment.policy_version_id:
        return max(assignment.assigned_at, assignment.policy_version.effective_at)
    if assignment.reason == AssignmentReason.RECERTIFICATION:
        return assignment.assigned_at
    return None


@dataclass(frozen=True)
class DeltaAssessment:
    """The short assessment a delta recertification is passed with."""

    scope: SectionScope
    headings: list[str]  # of the changed sections, in the new version
    questions: int  # how many each attempt serves

    @property
    def version(self) -> PolicyVersion:
        return self.scope.version


def delta_assessment_for(*, assignment: Assignment | None, course: CoursePage):
    """The short recertification assessment for a delta recertification: the course's
    final assessment narrowed to the questions that cite the changed sections. None when
    the learner sits the whole final assessment: the course has none, the recertification
    is of the whole course, or fewer than RECERTIFICATION_MIN_QUESTIONS questions cite
    the changed sections."""
    if course.assessment_id is None or not is_delta(assignment):
        return None
    version = assignment.policy_version
    keys = tuple(assignment.changed_sections)
    citing = assessment_questions_citing(
        course.assessment, policy_id=version.policy_id, section_keys=keys
    )
    if citing:
        # Only those with a revision written for the versions the course teaches are
        # served; the others are left out of the sitting, so they do not count towards it.
        taught = pins_by_course(course_ids=[course.pk])[course.pk].values()
        servable = question_revisions_for(Q(pk__in=citing), versions=taught)
        citing = [pk for pk in citing if pk in servable]
    if len(citing) < RECERTIFICATION_MIN_QUESTIONS:
        return None
    return DeltaAssessment(
        scope=SectionScope(version=version, section_keys=keys, most=RECERTIFICATION_MAX_QUESTIONS),
        headings=assignment.changed_section_headings,
        questions=min(len(citing), RECERTIFICATION_MAX_QUESTIONS),
    )


def final_passes_counting(*, user, course: CoursePage, assignment: Assignment | None):
    """The passes of the course's final assessment that count towards completing it now:
    whole-assessment passes, and for a delta recertification also the short attempts made
    for that change; for a recertification only those started since it began. Only
    attempts started once every policy version the course teaches was in effect count:
    the certificate names those versions."""
    counting = Q(scope_version__isnull=True)
    if is_delta(assignment):
        counting |= Q(scope_version_id=assignment.policy_version_id)
    attempts = Attempt.objects.passed_certifying().filter(
        counting, user=user, assessment_id=course.assessment_id
    )
    since = recertification_since(assignment)
    if since is not None:
        # Started since: an attempt begun on the old questions does not count, even if it
        # is submitted or graded after the change.
        attempts = attempts.filter(started_at__gte=since)
    return attempts.started_in_effect(pins_in_effect_from(course_ids=[course.pk]).get(course.pk))


def pins_in_effect_from(*, course_ids) -> dict[int, datetime.datetime]:
    """When the newest policy version each course is pinned to took effect, by course
    id, in one query: a final assessment started before then was not on what the
    course teaches now."""
    return dict(
        CoursePolicyPin.objects.filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(latest=Max("version__effective_at"))
        .values_list("course_id", "latest")
    )


def pins_by_course(*, course_ids) -> dict[int, dict[int, PolicyVersion]]:
    """The policy versions each course is pinned to, by course id then policy id, in one
    query."""
    pinned: dict[int, dict[int, PolicyVersion]] = {pk: {} for pk in course_ids}
    for pin in CoursePolicyPin.objects.filter(course_id__in=course_ids).select_related("version"):
        pinned[pin.course_id][pin.version.policy_id] = pin.version
    return pinned


def completion_held_back(
    *, assignment: Assignment | None, pinned: dict, everything_done: bool, for_hr: bool = False
) -> str:
    """In words, what holds an open recertification back that the learner cannot do
    themselves (the refresher has not opened: see ``refresher_wait``), and what happens
    next; empty when nothing does. ``for_hr`` words it for someone reading another
    person's record."""
    wait = refresher_wait(assignment, pinned)
    if wait is None:
        return ""
    # Work done before the refresher waited (it cannot be started while it does) may
    # already be everything: then the update alone completes it.
    done_already = everything_done and wait.taught is not None
    if for_hr:
        if done_already:
            return (
                f"Waiting for a trainer to republish the course on {wait.name} (it still "
                f"teaches {wait.taught.title} {wait.taught.label}). Everything else is "
                "done: it completes by itself once the course is republished."
            )
        return wait.for_hr()
    if done_already:
        return (
            f"Your course is waiting for its trainer to update it to {wait.name}. You have "
            "done everything it asks: you will be certified as soon as they do, with "
            "nothing more to do."
        )
    return wait.for_learner()


def _day(value) -> str:
    day = timezone.localdate(value) if isinstance(value, datetime.datetime) else value
    return f"{day.day} {day:%b %Y}"


def recertification_reason(
    *, assignment: Assignment, certificate: Certificate | None, today: datetime.date
) -> str:
    """Why an open assignment asks for the course again, in words: the certificate it
    renews ran out (and when), or which policy changed, when, and how much of the course
    that asks for. Empty for an assignment that is not a recertification."""
    version = assignment.policy_version if assignment.policy_version_id else None
    if assignment.reason != AssignmentReason.RECERTIFICATION and version is None:
        return ""
    lapsed_on = None
    if certificate is not None and not assignment.changed_sections:
        if certificate.expires_on and certificate.expires_on < today:
            lapsed_on = certificate.expires_on
        elif certificate.status == CertificateStatus.EXPIRED:
            lapsed_on = certificate.recertification_due_on or timezone.localdate(
                certificate.status_changed_at or assignment.assigned_at
            )
    if lapsed_on is not None:
        said = f"Your certificate expired (valid until {_day(lapsed_on)}): the whole course again."
        if version is not None:
            said += (
                f" It now teaches {version.title} {version.label}, in effect since "
                f"{_day(version.effective_at)}."
            )
        return said
    if version is None:
        if certificate is not None and certificate.expires_on:
            return (
                f"Your certificate expires on {_day(certificate.expires_on)}: take the course "
                "again to renew it."
            )
        return "The whole course again, to renew your certificate."
    headings = assignment.changed_section_headings
    verb = "changes" if version.effective_at > timezone.now() else "changed"
    changed = f"{version.title} {verb} on {_day(version.effective_at)}"
    if headings:
        count = f"{len(headings)} section{'' if len(headings) == 1 else 's'}"
        return f"{changed}: {count} ({', '.join(headings)})."
    return f"{changed}: the whole course again."

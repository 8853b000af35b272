"""The admin home's summaries: HR's (compliance per course, overdue training, expiring
certificates, recertification under way) and trainers' (courses to republish on their
policies' current versions, essays to grade, questions item analysis flags). Each figure
comes from the selector behind its full report and links to that report."""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.forms import Media
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from assessments.choices import AttemptStatus
from assessments.models import Attempt
from assessments.reports import NOTHING as NO_FLAGS
from assessments.reports import item_analysis_rows
from courses.stale_quotes import PolicyBehind, courses_to_republish
from learning.compliance import compliance_totals, matrix_columns
from learning.hr_reports import (
    DUE_SOON_DAYS,
    EXPIRING_PERIOD_DAYS,
    certificates_expiring,
    recertification_counts,
    recertifying_versions,
    training_due_counts,
)
from learning.hr_reports import PERMISSION as HR_PERMISSION
from learning.models import Employee
from learning.recertification import recertifications_waiting_on
from learning.reports import SUMMARY_CACHE_SECONDS

# Trainers: the permissions their full reports ask for. Whoever writes the questions
# sees the trainers' summary; course pages are theirs through page permissions.
ESSAYS_PERMISSION = "assessments.change_attempt"
ITEM_ANALYSIS_PERMISSION = "assessments.change_question"


@dataclass
class CourseCompliance:
    title: str
    percent: int | None
    compliant: int
    required: int
    url: str


@dataclass
class HRSummary:
    courses: list[CourseCompliance]
    overdue: int
    due_soon: int
    expiring: int
    recertifying: int
    recertifying_overdue: int
    today: datetime.date
    worked_out_at: datetime.datetime | None = None
    due_soon_days: int = DUE_SOON_DAYS
    expiring_days: int = EXPIRING_PERIOD_DAYS


def _compliance_by_course(*, course_ids: list[int], today: datetime.date):
    """Compliance reads every active person, so like the matrix's totals it is kept for a
    few minutes: the admin home costs the same for 500 people as for 5,000."""
    key = "admin-home-compliance:" + hashlib.sha256(repr((today, course_ids)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        totals = compliance_totals(Employee.objects.active(), course_ids=course_ids, today=today)
        cached = (totals, timezone.localtime())
        cache.set(key, cached, SUMMARY_CACHE_SECONDS)
    return cached


def hr_summary(*, today: datetime.date) -> HRSummary:
    """HR's figures in six queries, however many people, courses and certificates (the
    compliance figures from the cache, for a few minutes, when they are there)."""
    columns = matrix_columns()
    totals, worked_out_at = _compliance_by_course(
        course_ids=[column.pk for column in columns], today=today
    )
    matrix_url = reverse("learning_compliance")
    courses = []
    for column in columns:
        tally = totals.by_course[column.pk]
        courses.append(
            CourseCompliance(
                title=column.course.title,
                percent=tally.percent,
                compliant=tally.compliant,
                required=tally.required,
                url=f"{matrix_url}?course={column.pk}",
            )
        )
    due = training_due_counts(today=today)
    counts = recertification_counts(recertifying_versions().values("pk"), today=today)
    stop = today + datetime.timedelta(days=EXPIRING_PERIOD_DAYS)
    return HRSummary(
        courses=courses,
        overdue=due["overdue"],
        due_soon=due["due_soon"],
        expiring=certificates_expiring(start=today, stop=stop).count(),
        recertifying=sum(c["affected"] - c["done"] for c in counts.values()),
        recertifying_overdue=sum(c["overdue"] for c in counts.values()),
        today=today,
        worked_out_at=worked_out_at,
    )


@dataclass(frozen=True)
class CourseToRepublishRow:
    course_id: int
    title: str
    behind: tuple[PolicyBehind, ...]
    quotes: int  # quotes of sections changed since the course was published
    waiting: int  # people whose recertification completes only once it is republished


def courses_to_republish_rows() -> list[CourseToRepublishRow]:
    """Every live course behind a policy's current version, with what waits on it, in
    five queries however many courses and people."""
    courses = courses_to_republish()
    waiting = recertifications_waiting_on(courses)
    return [
        CourseToRepublishRow(
            course_id=entry.course.pk,
            title=entry.course.title,
            behind=entry.behind,
            quotes=entry.quotes,
            waiting=waiting[entry.course.pk],
        )
        for entry in courses
    ]


@dataclass
class TrainerSummary:
    to_republish: list[CourseToRepublishRow]
    flagged_questions: int
    questions_analysed: int
    essays_waiting: int | None  # None: this user does not grade essays


def trainer_summary(*, user) -> TrainerSummary:
    """The trainers' figures in eight queries, however many courses, questions and
    attempts."""
    rows = item_analysis_rows()
    essays = None
    if user.has_perm(ESSAYS_PERMISSION):
        essays = Attempt.objects.filter(status=AttemptStatus.AWAITING_GRADING).count()
    return TrainerSummary(
        to_republish=courses_to_republish_rows(),
        flagged_questions=sum(1 for row in rows if row.flags != NO_FLAGS),
        questions_analysed=len(rows),
        essays_waiting=essays,
    )


class HRSummaryPanel(Component):
    name = "hr_summary"
    template_name = "learning/admin/home_hr_summary.html"
    order = 100  # after the background jobs warning, before Wagtail's own panels

    def __init__(self, summary: HRSummary):
        self.summary = summary

    @property
    def media(self):
        return Media(css={"all": ["css/admin_home.css"]})

    def get_context_data(self, parent_context):
        return {
            "summary": self.summary,
            "overdue_url": reverse("learning_overdue_report") + "?status=overdue",
            "expiring_url": reverse("learning_expiring_certificates_report"),
            "recertification_url": reverse("learning_recertification_report"),
            "matrix_url": reverse("learning_compliance"),
        }


class TrainerSummaryPanel(Component):
    name = "trainer_summary"
    template_name = "learning/admin/home_trainer_summary.html"
    order = 110

    def __init__(self, summary: TrainerSummary):
        self.summary = summary

    @property
    def media(self):
        return Media(css={"all": ["css/admin_home.css"]})

    def get_context_data(self, parent_context):
        return {
            "summary": self.summary,
            "essays_url": reverse("assessments_essay_queue"),
            "item_analysis_url": reverse("assessments_item_analysis"),
        }


def hr_summary_panel_for(request) -> HRSummaryPanel | None:
    if not request.user.has_perm(HR_PERMISSION):
        return None
    return HRSummaryPanel(hr_summary(today=timezone.localdate()))


def trainer_summary_panel_for(request) -> TrainerSummaryPanel | None:
    if not request.user.has_perm(ITEM_ANALYSIS_PERMISSION):
        return None
    return TrainerSummaryPanel(trainer_summary(user=request.user))

"""Load the demo organisation; safe to run again, refused under production settings."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from wagtail.models import Revision, Site

from assessments.answers import best_answer, form_fields
from assessments.demo import (
    seed_assessments,
    seed_questions,
    seed_refunds_2_question_updates,
)
from assessments.models import Attempt
from assessments.services import (
    answer_name,
    attempt_save,
    attempt_start,
    attempt_submit,
    served_items,
)
from certificates.models import Certificate
from certificates.services import add_months, certificate_render, certificates_expire
from cms.demo import (
    held_back_published,
    seed_acknowledgements,
    seed_draft_revisions,
    seed_held_back_revisions,
    seed_policies,
)
from cms.models import HomePage, PolicyVersion, SiteBranding
from cms.site_address import ServingAddressError, default_site_adopt_serving_address
from courses.demo import (
    attach_assessments,
    seed_courses,
    seed_refunds_2_course_updates,
    seed_refunds_2_scenario_update,
    seed_scenarios,
)
from courses.models import CoursePage, CoursePolicyPin, ScenarioPage
from learning import demo
from learning.choices import AssignmentReason
from learning.models import (
    Assignment,
    AssignmentRule,
    Department,
    Employee,
    JobRole,
    KnowledgeCheckAnswer,
    Location,
    ModuleProgress,
    ScenarioRun,
)
from learning.recertification import (
    recertification_assign_expiring,
    recertification_fan_out,
    recertifications_open,
)
from learning.services import (
    assignment_rule_save,
    assignments_apply_rules,
    assignments_create,
    employee_save,
    knowledge_check_answer,
    module_complete,
    module_open,
    scenario_run_choose,
    scenario_run_start,
)

User = get_user_model()


# Policies whose material revision the demo publishes after the staff trained on them.
HELD_BACK = ("refunds-and-returns",)


class Command(BaseCommand):
    help = "Create or refresh the demo organisation, its content and its five demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help=(
                "HOST:PORT the demo will be served on, printed on its certificates (make run "
                "passes its own). Ignored when BASE_URL is set or the site has a public address."
            ),
        )

    def handle(self, *args, address: str, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo is for development only and is refused under these settings."
            )
        # Before anything is rendered: the demo's PDFs carry the address it is served on.
        try:
            default_site_adopt_serving_address(address)
        except ServingAddressError as exc:
            raise CommandError(f"--address {exc}") from exc
        with transaction.atomic():
            home = self._site()
            people = self._people()
            # Refunds and Returns 2.0 comes out after the agent's refunds training.
            seed_policies(home=home, hr_group=Group.objects.get(name="HR"), hold_back=HELD_BACK)
            # The agent read everything before Refunds and Returns 2.0 came out.
            agent = User.objects.get(email="agent@example.com")
            held_back_done = held_back_published(slugs=HELD_BACK)
            seed_acknowledgements(user=agent, except_latest_of=HELD_BACK if held_back_done else ())
            seed_courses()
            seed_scenarios()
            seed_questions()
            attach_assessments(seed_assessments())
            self._rules()
            assignments_apply_rules()
            self._agent_history(agent.employee)
            self._colleagues_sit(essentials_slug="customer-service-essentials")
            self._team_history(skip=agent.employee)
            self._material_change()
            # Yesterday the trainer saved Complaints Handling 2.0 as a draft, not yet published.
            seed_draft_revisions(by=User.objects.get(email="trainer@example.com"))
        # Rendered here rather than by a worker, so the demo's PDFs exist at once.
        for pk in Certificate.objects.filter(pdf_sha256="").values_list("pk", flat=True):
            certificate_render(certificate_id=pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(people)} people. Sign in as hr@, trainer@, manager@, "
                f"newhire@ or agent@example.com with password {demo.DEMO_PASSWORD}."
            )
        )

    def _material_change(self) -> None:
        """Refunds and Returns 2.0, published ten days ago as a trainer would, and the
        recertification it starts, run here instead of waiting for a worker."""
        trainer = User.objects.get(email="trainer@example.com")
        for version in seed_held_back_revisions(slugs=HELD_BACK):
            ten_days_ago = timezone.now() - datetime.timedelta(days=10)
            PolicyVersion.objects.filter(pk=version.pk).update(
                effective_at=ten_days_ago, published_at=ten_days_ago, published_by=trainer
            )
            Revision.objects.filter(pk=version.revision_id).update(
                created_at=ten_days_ago, user=trainer
            )
            recertification_fan_out(version_id=version.pk)
            # The fan-out ran the day 2.0 came out.
            Assignment.objects.filter(policy_version=version).update(assigned_at=ten_days_ago)
        # That afternoon the trainer put the refunds questions on 2.0's figures; attempts
        # from before then keep the revisions they served.
        seed_refunds_2_question_updates(
            by=trainer, at=timezone.now() - datetime.timedelta(days=10, hours=-3)
        )
        # And the refund role-play, whose runs until then played its 1.1 script.
        seed_refunds_2_scenario_update(
            by=trainer, at=timezone.now() - datetime.timedelta(days=10, hours=-4)
        )
        if seed_refunds_2_course_updates():
            # Two days later the trainer had the refunds modules on 2.0 and republished.
            eight_days_ago = timezone.now() - datetime.timedelta(days=8)
            CoursePolicyPin.objects.filter(version__policy__slug__in=HELD_BACK).filter(
                version__major__gte=2
            ).update(pinned_at=eight_days_ago)
        # What the worker did after that republish: the refreshers opened that day, due
        # their window after it.
        recertifications_open()

    def _rules(self) -> None:
        for slug, department, role, location in demo.ASSIGNMENT_RULES:
            criteria = {
                "course": CoursePage.objects.get(slug=slug),
                "department": Department.objects.filter(name=department).first(),
                "job_role": JobRole.objects.filter(name=role).first(),
                "location": Location.objects.filter(name=location).first(),
            }
            if not AssignmentRule.objects.filter(**criteria).exists():
                assignment_rule_save(rule=AssignmentRule(**criteria))

    def _agent_history(self, agent: Employee) -> None:
        """Eighteen months in: essentials long done, privacy under way, complaints overdue,
        refunds done four months ago."""
        essentials = CoursePage.objects.get(slug="customer-service-essentials")
        if Assignment.objects.filter(employee=agent, course=essentials).exists():
            return
        user = agent.user
        # The agent joined before onboarding ran on this platform, so HR set the course by hand.
        hr = User.objects.get(email="hr@example.com")
        assignments_create(employees=[agent], course=essentials, actor=hr)
        self._take(user, essentials, essentials.get_modules())
        for scenario in essentials.get_scenarios():
            self._play(user, essentials, scenario, mode="practice", best=False)
            self._play(user, essentials, scenario, mode="assessed", best=True)
        # A near miss first, then a pass the next day (before the rest is backdated).
        self._sit(user, essentials, days_ago=491, right_share=0.6, seed=1)
        self._sit(user, essentials, days_ago=490, right_share=1.0, seed=2)
        self._backdate(user, essentials, assigned=500, started=499, completed=490)
        self._expire(agent, essentials)

        privacy = CoursePage.objects.get(slug="privacy-in-every-conversation")
        self._take(user, privacy, privacy.get_modules()[:1])
        for scenario in privacy.get_scenarios():
            self._play(user, privacy, scenario, mode="practice", best=False)
        self._backdate(user, privacy, assigned=12, started=3)

        complaints = CoursePage.objects.get(slug="complaint-handling-and-de-escalation")
        self._backdate(user, complaints, assigned=45)  # due 30 days later: 15 days ago

        # Refunds Done Right, taken after a run of escalated refund calls: a certificate
        # that is still valid, beside the expired onboarding one.
        refunds = CoursePage.objects.get(slug="refunds-done-right")
        assignments_create(employees=[agent], course=refunds, actor=hr)
        self._take(user, refunds, refunds.get_modules())
        for scenario in refunds.get_scenarios():
            self._play(user, refunds, scenario, mode="assessed", best=True)
        self._sit(user, refunds, days_ago=121, right_share=1.0, seed=3)
        self._backdate(user, refunds, assigned=130, started=125, completed=121)

    def _expire(self, employee: Employee, course) -> None:
        """What the daily sweep did while the certificate ran out: the course assigned
        again when its renewal window opened, then the certificate expired, unrenewed."""
        certificate = Certificate.objects.get(user=employee.user, course=course)
        opened = certificate.expires_on - datetime.timedelta(
            days=course.recertification_window_days
        )
        recertification_assign_expiring(today=opened)
        certificates_expire(today=timezone.localdate())
        window = timezone.make_aware(datetime.datetime.combine(opened, datetime.time(6)))
        Assignment.objects.filter(
            employee=employee, course=course, reason=AssignmentReason.RECERTIFICATION
        ).update(assigned_at=window)
        Certificate.objects.filter(pk=certificate.pk).update(
            status_changed_at=timezone.make_aware(
                datetime.datetime.combine(
                    certificate.expires_on + datetime.timedelta(days=1), datetime.time(2)
                )
            )
        )

    def _team_history(self, *, skip: Employee) -> None:
        """Months of history for everyone else: the rule-made assignments date from when
        the rules went live (or the hire date), and colleagues finished their courses on
        the days in ``demo.COMPLETIONS``; whoever did not is now late."""
        today = timezone.localdate()
        for employee in Employee.objects.exclude(pk=skip.pk).select_related("user"):
            days = min(demo.RULES_LIVE_DAYS, (today - employee.hire_date).days)
            for assignment in Assignment.objects.filter(
                employee=employee, reason=AssignmentReason.RULE, started_at__isnull=True
            ).select_related("course"):
                if (today - timezone.localdate(assignment.assigned_at)).days >= days:
                    continue  # dated already
                self._backdate(employee.user, assignment.course, assigned=days)
        for number, slug, days_ago in demo.COMPLETIONS:
            employee = Employee.objects.select_related("user").get(employee_number=number)
            course = CoursePage.objects.get(slug=slug)
            if Assignment.objects.filter(
                employee=employee, course=course, completed_at__isnull=False
            ).exists():
                continue
            user = employee.user
            if not Assignment.objects.filter(employee=employee, course=course).exists():
                # Not reached by a rule: HR set the course by hand.
                assignments_create(
                    employees=[employee],
                    course=course,
                    actor=User.objects.get(email="hr@example.com"),
                )
            self._take(user, course, course.get_modules())
            for scenario in course.get_scenarios():
                self._play(user, course, scenario, mode="assessed", best=True)
            self._sit(user, course, days_ago=days_ago, right_share=1.0, seed=days_ago)
            self._backdate(
                user, course, assigned=days_ago + 25, started=days_ago + 6, completed=days_ago
            )

    def _sit(self, user, course, *, days_ago: int, right_share: float, seed: int) -> None:
        """Sit the course's final assessment on a day in the past, answering about
        ``right_share`` of the questions right (which ones is fixed by ``seed``)."""
        rng = random.Random(seed)
        when = timezone.now() - datetime.timedelta(days=days_ago)
        attempt = attempt_start(
            user=user,
            assessment=course.assessment,
            policy_versions=CoursePolicyPin.objects.versions_by_policy(course).values(),
            now=when,
            seed=seed,
        )
        data = QueryDict(mutable=True)
        items = [item for item in served_items(attempt) if item.kind != "essay"]
        for item in items:
            answer = best_answer(item.kind, item.block)
            if rng.random() >= right_share:
                answer = _wrong(item.kind, answer)
            for key, values in form_fields(
                item.kind, item.order, answer, answer_name(item)
            ).items():
                data.setlist(key, values)
        attempt_save(
            attempt=attempt,
            sequence=0,
            data=data,
            positions=[item.position for item in items],
            now=when + datetime.timedelta(minutes=12),
        )
        attempt_submit(attempt=attempt, now=when + datetime.timedelta(minutes=14))

    def _colleagues_sit(self, *, essentials_slug: str) -> None:
        """Colleagues who took the essentials assessment, so item analysis has answers."""
        course = CoursePage.objects.get(slug=essentials_slug)
        if Attempt.objects.filter(assessment=course.assessment).count() > 2:
            return
        sitters = (
            Employee.objects.filter(active=True)
            .exclude(user__email__in=["agent@example.com", "newhire@example.com"])
            .select_related("user")
            .order_by("employee_number")[:12]
        )
        for number, employee in enumerate(sitters):
            share = 0.45 + 0.05 * number
            self._sit(
                employee.user,
                course,
                days_ago=200 - 7 * number,
                right_share=share,
                seed=10 + number,
            )

    def _take(self, user, course, modules) -> None:
        """Work through modules as the learner would, answering each check correctly."""
        for module in modules:
            module_open(user=user, course=course, module=module)
            for block in module.body:
                if block.block_type == "knowledge_check":
                    right = next(
                        n for n, option in enumerate(block.value["options"]) if option["correct"]
                    )
                    knowledge_check_answer(
                        user=user, module=module, block_id=block.id, option=str(right)
                    )
            module_complete(user=user, course=course, module=module)

    def _play(self, user, course, scenario: ScenarioPage, *, mode: str, best: bool) -> None:
        """Play a role-play to an ending: along the best path, or always the first reply."""
        run = scenario_run_start(user=user, course=course, scenario=scenario, mode=mode)
        graph = run.script.graph
        best_choices = {step.key: choice for step, choice in graph.best_path() if choice}
        while not run.is_finished:
            step = graph.by_key[run.current_step]
            choice = best_choices.get(step.key) if best else None
            choice = choice or step.choices[0]
            scenario_run_choose(run=run, step_key=step.key, turn=run.turn, choice_id=choice.id)

    def _backdate(
        self,
        user,
        course,
        *,
        assigned: int,
        started: int | None = None,
        completed: int | None = None,
    ) -> None:
        """Move a learner's assignment and progress back in time; arguments are days ago.

        Queryset updates, because this is invented history: no learner or HR action could
        produce it, so no service exists for it.
        """
        now = timezone.now()
        assigned_at = now - datetime.timedelta(days=assigned)
        due_date = (assigned_at + datetime.timedelta(days=course.default_due_days)).date()
        progress = list(
            ModuleProgress.objects.filter(user=user, course=course).order_by("module__path")
        )
        started_at = completed_at = None
        if started is not None and progress:
            # Spread the modules evenly from the first day to the last, twenty minutes each.
            last = started if completed is None else completed
            step = (started - last) / max(len(progress) - 1, 1)
            for n, row in enumerate(progress):
                opened = now - datetime.timedelta(days=started - n * step)
                finished = opened + datetime.timedelta(minutes=20)
                ModuleProgress.objects.filter(pk=row.pk).update(
                    first_opened_at=opened,
                    last_opened_at=finished,
                    completed_at=finished if row.completed_at else None,
                )
                KnowledgeCheckAnswer.objects.filter(user=user, module_id=row.module_id).update(
                    answered_at=opened + datetime.timedelta(minutes=15)
                )
                started_at = started_at or opened
                completed_at = finished if completed is not None else None
        if started_at is not None:
            # Role-plays were played on the last day of the course, a few minutes apart.
            last_day = completed_at or (now - datetime.timedelta(days=started - 1))
            for n, run in enumerate(ScenarioRun.objects.filter(user=user, course=course)):
                played = last_day - datetime.timedelta(minutes=15 * (n + 1))
                ScenarioRun.objects.filter(pk=run.pk).update(
                    started_at=played,
                    finished_at=played + datetime.timedelta(minutes=8) if run.finished_at else None,
                )
        Assignment.objects.filter(employee__user=user, course=course).update(
            assigned_at=assigned_at,
            due_date=due_date,
            started_at=started_at,
            completed_at=completed_at,
        )
        if completed_at is not None:
            issued = completed_at.date()
            months = course.certificate_validity_months
            Certificate.objects.filter(user=user, course=course, pdf_sha256="").update(
                issued_on=issued, expires_on=add_months(issued, months) if months else None
            )

    def _site(self):
        site = Site.objects.get(is_default_site=True)
        if site.site_name != demo.ORGANISATION_NAME:
            site.site_name = demo.ORGANISATION_NAME  # the admin home's title
            site.save(update_fields=["site_name"])
        branding = SiteBranding.for_site(site)
        branding.organisation_name = demo.ORGANISATION_NAME
        branding.logo = demo.organisation_logo()
        branding.save()
        home = HomePage.objects.get()
        title = "Harbourside customer-service academy"
        intro = (
            "Learn the policies behind every customer conversation, practise the hard ones, "
            "and keep your certification current."
        )
        if (home.title, home.intro) != (title, intro):
            home.title, home.intro = title, intro
            home.save_revision().publish()
        return home

    def _people(self) -> list[Employee]:
        today = timezone.localdate()
        units = {
            model: {name: model.objects.get_or_create(name=name)[0] for name in names}
            for model, names in (
                (Department, demo.DEPARTMENTS),
                (JobRole, demo.JOB_ROLES),
                (Location, demo.LOCATIONS),
            )
        }
        groups = {group.name: group for group in Group.objects.all()}
        saved: dict[str, Employee] = {}
        for (
            number,
            first,
            last,
            email,
            department,
            role,
            location,
            manager_number,
            days,
            group_names,
            may_sign_in,
        ) in demo.PEOPLE:
            employee = Employee.objects.filter(employee_number=number).first() or Employee(
                employee_number=number
            )
            employee.department = units[Department][department]
            employee.job_role = units[JobRole][role]
            employee.location = units[Location][location]
            employee.manager = saved.get(manager_number)
            employee.hire_date = demo.hire_date(today, days)
            employee.active = True
            employee = employee_save(
                employee=employee,
                email=demo.demo_email(number, first, last, email),
                first_name=first,
                last_name=last,
            )
            user = employee.user
            if may_sign_in:
                user.set_password(demo.DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.set([groups[name] for name in group_names])
            saved[number] = employee
        return list(saved.values())


def _wrong(kind: str, right):
    """A plausible wrong answer for a scripted learner, in answer-key terms."""
    match kind:
        case "single_choice":
            return 1 if right == 0 else 0
        case "multiple_response":
            return right[:1]
        case "true_false":
            return not right
        case "matching" | "ordering" | "situational_judgement":
            return list(reversed(right))
        case "numerical":
            return str(float(right) + 7)
    return "not sure"

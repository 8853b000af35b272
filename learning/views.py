"""The learner's pages: the training dashboard and the course player."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.answers import AnswerInvalid
from assessments.services import (
    AttemptConflict,
    AttemptRefused,
    attempt_close_if_expired,
    attempt_save,
    attempt_submit,
    served_items,
)
from certificates.models import Certificate
from courses.choices import Competency, ScenarioOutcome
from courses.models import CoursePolicyPin
from courses.scripts import ScenarioNotReady, scenario_script_for_course
from courses.services import KnowledgeCheckError
from learning.choices import AssignmentReason, AssignmentStatus, ScenarioMode
from learning.recertification import (
    RefresherNotOpen,
    completion_held_back,
    recertification_began,
    refresher_check_open,
    refresher_wait,
)
from learning.selectors import (
    assessment_heading,
    attempt_for_learner,
    attempt_history,
    attempt_label,
    attempt_page_view,
    attempt_result_view,
    attempt_summary,
    course_assessment,
    course_for_learner,
    course_progress_for,
    final_assessment_state,
    knowledge_check_answers,
    learner_dashboard,
    module_in_course,
    scenario_debrief,
    scenario_in_course,
    scenario_run_for_learner,
    scenario_runs_for,
    scenario_step_view,
)
from learning.services import (
    ModuleIncompleteError,
    ScenarioRunConflict,
    course_attempt_start,
    knowledge_check_answer,
    module_complete,
    module_open,
    scenario_run_choose,
    scenario_run_start,
)
from learning.team_selectors import manages_a_team


@login_required
@require_GET
def dashboard(request):
    context = learner_dashboard(user=request.user, today=timezone.localdate())
    context["manages_a_team"] = manages_a_team(user=request.user)
    return render(request, "learning/dashboard.html", context)


@login_required
@require_GET
def course_overview(request, course_slug):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    open_assignment = assignment if assignment and assignment.completed_at is None else None
    progress = course_progress_for(
        user=request.user,
        courses=[course],
        assignments={course.pk: open_assignment} if open_assignment else None,
    )[course.pk]
    status = assignment.status_on(timezone.localdate()) if assignment else None
    pins = CoursePolicyPin.objects.versions_by_policy(course)
    final = final_assessment_state(user=request.user, course=course, assignment=assignment)
    held_back = completion_held_back(
        assignment=open_assignment,
        pinned=pins,
        everything_done=progress.completed == progress.total,
    )
    wait = refresher_wait(open_assignment, pins)
    badge, status_label = status, AssignmentStatus(status).label if status else ""
    if wait is not None and status != AssignmentStatus.OVERDUE:
        badge, status_label = "waiting", wait.status_label
    return render(
        request,
        "learning/course_overview.html",
        {
            "held_back": held_back,
            "waiting": wait,
            "holds": progress.holds(wait) if open_assignment else [],
            "course": course,
            "assignment": assignment,
            "progress": progress,
            "modules": [(m, progress.state_of(m)) for m in progress.modules],
            "scenarios": [(s, progress.scenario_state(s)) for s in progress.scenarios],
            "status": status,
            "status_label": status_label,
            "badge": badge,
            "policies": sorted(pins.values(), key=lambda version: version.title),
            "delta": final.delta,
            "recertifying": bool(
                open_assignment and open_assignment.reason == AssignmentReason.RECERTIFICATION
            ),
        },
    )


def _refresher_closed(request, course, assignment, *, wait=None):
    """Instead of a module, role-play or assessment: while the learner's recertification
    waits for the course to teach the new policy version (or for it to take effect),
    nothing in the course can be started, so nobody learns the words being replaced.
    None when it is open."""
    if wait is None:
        try:
            refresher_check_open(assignment=assignment, course=course)
        except RefresherNotOpen as closed:
            wait = closed.wait
        else:
            return None
    return render(
        request,
        "learning/refresher_closed.html",
        {"course": course, "waiting": wait, "message": wait.for_learner()},
        status=403,
    )


def _module_context(request, course, module, *, check_error=None):
    progress = course_progress_for(user=request.user, courses=[course])[course.pk]
    modules = progress.modules
    index = next(i for i, m in enumerate(modules) if m.pk == module.pk)
    answers = knowledge_check_answers(user=request.user, module=module)
    body_items = [dict(item) for item in module.body_segments(course)]  # this learner's copy
    unanswered = 0
    for item in body_items:
        if "check" not in item:
            continue
        item["action"] = reverse(
            "learning:knowledge_check",
            kwargs={"course_slug": course.slug, "module_slug": module.slug, "block_id": item["id"]},
        )
        answer = answers.get(item["id"])
        if answer is None:
            unanswered += 1
        else:
            options = item["check"]["options"]
            chosen = options[answer.option] if answer.option < len(options) else None
            item["feedback"] = {
                "correct": answer.correct,
                "chosen": answer.option,
                "text": chosen["feedback"] if chosen else "",
            }
        if check_error and check_error[0] == item["id"]:
            item["error"] = check_error[1]
    return {
        "course": course,
        "module": module,
        "position": index + 1,
        "module_count": len(modules),
        "previous": modules[index - 1] if index > 0 else None,
        "next": modules[index + 1] if index + 1 < len(modules) else None,
        "is_complete": module.pk in progress.done,
        "body_items": body_items,
        "unanswered": unanswered,
    }


@login_required
@require_GET
def module(request, course_slug, module_slug):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    current = module_in_course(course=course, slug=module_slug)
    try:
        module_open(user=request.user, course=course, module=current, assignment=assignment)
    except RefresherNotOpen as closed:
        return _refresher_closed(request, course, assignment, wait=closed.wait)
    return render(request, "learning/module.html", _module_context(request, course, current))


@login_required
@require_POST
def knowledge_check(request, course_slug, module_slug, block_id):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    current = module_in_course(course=course, slug=module_slug)
    closed = _refresher_closed(request, course, assignment)
    if closed is not None:
        return closed
    try:
        knowledge_check_answer(
            user=request.user, module=current, block_id=block_id, option=request.POST.get("option")
        )
    except KnowledgeCheckError as exc:
        context = _module_context(request, course, current, check_error=(block_id, str(exc)))
        return render(request, "learning/module.html", context, status=400)
    url = reverse(
        "learning:module", kwargs={"course_slug": course.slug, "module_slug": current.slug}
    )
    return redirect(f"{url}#check-{block_id}")


@login_required
@require_POST
def module_finish(request, course_slug, module_slug):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    current = module_in_course(course=course, slug=module_slug)
    try:
        course_done = module_complete(user=request.user, course=course, module=current)
    except RefresherNotOpen as closed:
        return _refresher_closed(request, course, assignment, wait=closed.wait)
    except ModuleIncompleteError as exc:
        messages.error(request, str(exc))
        return redirect("learning:module", course_slug=course.slug, module_slug=current.slug)
    if course_done:
        messages.success(request, f"You have completed {course.title}. Well done.")
        return redirect("learning:course", course_slug=course.slug)
    progress = course_progress_for(user=request.user, courses=[course])[course.pk]
    upcoming = progress.resume_module
    if upcoming is not None and upcoming.pk not in progress.done:
        messages.success(request, f"Module finished. Next up: {upcoming.title}.")
        return redirect("learning:module", course_slug=course.slug, module_slug=upcoming.slug)
    return redirect("learning:course", course_slug=course.slug)


@login_required
@require_GET
def scenario(request, course_slug, scenario_slug):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    current = scenario_in_course(course=course, slug=scenario_slug)
    closed = _refresher_closed(request, course, assignment)
    if closed is not None:
        return closed
    runs = scenario_runs_for(user=request.user, course=course, scenario=current)
    open_assignment = assignment if assignment and assignment.completed_at is None else None
    progress = course_progress_for(
        user=request.user,
        courses=[course],
        assignments={course.pk: open_assignment} if open_assignment else None,
    )[course.pk]
    # The role-play as written for the policy versions the course teaches.
    not_ready = ""
    try:
        shown = scenario_script_for_course(
            scenario=current, pinned=CoursePolicyPin.objects.versions_by_policy(course)
        )
        rule = shown.rule()
    except ScenarioNotReady as refused:
        not_ready, shown, rule = str(refused), current, current.pass_rule()
    return render(
        request,
        "learning/scenario.html",
        {
            "course": course,
            "scenario": current,
            "not_ready": not_ready,
            "shown": shown,
            "runs": runs,
            "unfinished": next((r for r in runs if not r.is_finished), None),
            # As completing the course counts it: on a recertification, a pass before it
            # began may not.
            "passed": current.pk in progress.passed,
            "rule": rule,
            "required_outcomes": [
                ScenarioOutcome(value).label.lower() for value in rule.required_outcomes
            ],
            "competency_minimums": [
                (Competency(key).label, minimum)
                for key, minimum in rule.competency_minimums.items()
            ],
        },
    )


@login_required
@require_POST
def scenario_start(request, course_slug, scenario_slug):
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    current = scenario_in_course(course=course, slug=scenario_slug)
    mode = request.POST.get("mode")
    if mode not in ScenarioMode.values:
        return HttpResponseBadRequest("Choose practice or assessed.")
    try:
        run = scenario_run_start(user=request.user, course=course, scenario=current, mode=mode)
    except RefresherNotOpen as closed:
        return _refresher_closed(request, course, assignment, wait=closed.wait)
    except ScenarioNotReady as refused:
        messages.error(request, str(refused))
        return redirect("learning:scenario", course_slug=course.slug, scenario_slug=current.slug)
    return redirect(
        "learning:scenario_run",
        course_slug=course.slug,
        scenario_slug=current.slug,
        run_id=run.public_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_run(request, course_slug, scenario_slug, run_id):
    """One step of a run (GET), or a choice on it (POST, then back here)."""
    course, _ = course_for_learner(user=request.user, slug=course_slug)
    current = scenario_in_course(course=course, slug=scenario_slug)
    run = scenario_run_for_learner(user=request.user, scenario=current, public_id=run_id)
    context = {"course": course, "scenario": current, "run": run}
    if request.method == "POST":
        try:
            turn = int(request.POST.get("turn", ""))
        except ValueError:
            turn = -1
        try:
            scenario_run_choose(
                run=run,
                step_key=request.POST.get("step", ""),
                turn=turn,
                choice_id=request.POST.get("choice", ""),
            )
        except ScenarioRunConflict as exc:
            context["conflict"] = str(exc)
            return render(request, "learning/scenario_conflict.html", context, status=409)
        return redirect(request.path, permanent=False)
    if run.is_finished:
        context |= scenario_debrief(run)
        return render(request, "learning/scenario_debrief.html", context)
    context |= scenario_step_view(run)
    return render(request, "learning/scenario_step.html", context)


# ---------------------------------------------------------------------------------------------
# Assessments
# ---------------------------------------------------------------------------------------------


def _assessment_context(request, course_slug, which):
    """The course, the assessment named by ``which`` and the learner's assignment."""
    course, assignment = course_for_learner(user=request.user, slug=course_slug)
    assessment = course_assessment(course=course, which=which)
    return course, assessment, assignment


def _counted_since(which, assignment):
    """A recertification counts the final assessment's attempts afresh, as starting one
    does, and they keep its numbering once it is done; None when every attempt counts."""
    return recertification_began(assignment) if which == "final" else None


def _attempt_url(course, which, attempt, name="attempt", page=None) -> str:
    url = reverse(
        f"learning:{name}",
        kwargs={"course_slug": course.slug, "which": which, "attempt_id": attempt.public_id},
    )
    return f"{url}?page={page}" if page else url


@login_required
@require_GET
def assessment(request, course_slug, which):
    course, current, assignment = _assessment_context(request, course_slug, which)
    closed = _refresher_closed(request, course, assignment)
    if closed is not None:
        return closed
    history = attempt_history(
        user=request.user, assessment=current, since=_counted_since(which, assignment)
    )
    final = None
    if which == "final":
        final = final_assessment_state(user=request.user, course=course, assignment=assignment)
    everything = history.current + history.earlier
    return render(
        request,
        "learning/assessment.html",
        {
            "course": course,
            "which": which,
            "assessment": current,
            "history": history,
            "passed": final.passed if final else any(e.attempt.passed for e in everything),
            "delta": final.delta if final else None,
            "heading": assessment_heading(
                assessment=current, course=course, short=bool(final and final.delta)
            ),
            "minimums": list(current.minimums.all()),
        },
    )


@login_required
@require_POST
def assessment_start(request, course_slug, which):
    course, current, assignment = _assessment_context(request, course_slug, which)
    try:
        attempt = course_attempt_start(user=request.user, course=course, assessment=current)
    except RefresherNotOpen as closed:
        return _refresher_closed(request, course, assignment, wait=closed.wait)
    except AttemptRefused as refused:
        if refused.attempt is not None:
            messages.info(request, "You already have an attempt in progress; here it is.")
            return redirect(_attempt_url(course, which, refused.attempt))
        messages.error(request, str(refused))
        return redirect("learning:assessment", course_slug=course.slug, which=which)
    return redirect(_attempt_url(course, which, attempt))


_ATTEMPT_ACTIONS = {"previous", "next", "check", "save", "finish", "autosave"}


def _sequence(data) -> int:
    """The save sequence a form names; -1 (never current) when it names none."""
    try:
        return int(data.get("sequence", ""))
    except ValueError:
        return -1


def _page_number(value) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 0


def _conflict(request, context, message):
    context["conflict"] = message
    return render(request, "learning/attempt_conflict.html", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, course_slug, which, attempt_id):
    """One page of an open attempt (GET), or its answers saved (POST, then on)."""
    course, current, assignment = _assessment_context(request, course_slug, which)
    sitting = attempt_for_learner(user=request.user, assessment=current, public_id=attempt_id)
    context = {
        "course": course,
        "which": which,
        "assessment": current,
        "attempt": sitting,
        "heading": assessment_heading(assessment=current, course=course, short=sitting.is_scoped),
    }
    if not sitting.is_open:
        if request.method == "POST":
            return _conflict(
                request,
                context,
                "This attempt has been submitted; its answers can no longer change.",
            )
        return redirect(_attempt_url(course, which, sitting, "attempt_result"))
    if attempt_close_if_expired(attempt=sitting):
        messages.warning(request, "Time ran out; the answers you had saved were submitted.")
        return redirect(_attempt_url(course, which, sitting, "attempt_result"))
    items = served_items(sitting)
    page = _page_number(
        request.POST.get("page") if request.method == "POST" else request.GET.get("page")
    )
    posted, errors = None, {}
    if request.method == "POST":
        view = attempt_page_view(sitting, items, page)
        positions = [entry["item"].position for entry in view["questions"]]
        action = request.POST.get("action", "next")
        if action not in _ATTEMPT_ACTIONS:
            context["problem"] = "That button is not part of this page."
            return render(request, "learning/attempt_invalid.html", context, status=400)
        if action == "autosave":
            return _autosave(sitting, request.POST, positions)
        try:
            result = attempt_save(
                attempt=sitting,
                sequence=_sequence(request.POST),
                data=request.POST,
                positions=positions,
                check=action == "check",
            )
        except AttemptConflict as exc:
            return _conflict(request, context, str(exc))
        except AnswerInvalid as exc:
            context["problem"] = str(exc)
            return render(request, "learning/attempt_invalid.html", context, status=400)
        if not result.errors:
            targets = {"previous": page - 1, "next": page + 1, "check": page, "save": page}
            if action == "finish" or targets.get(action, page + 1) > view["pages"]:
                return redirect(_attempt_url(course, which, sitting, "attempt_submit"))
            return redirect(_attempt_url(course, which, sitting, page=max(1, targets[action])))
        # Nothing was saved: the page shows what was typed, the header what is saved.
        posted, errors = request.POST, result.errors
    context |= attempt_page_view(sitting, items, page, posted=posted, errors=errors)
    context["errors"] = errors
    context["attempt_label"] = attempt_label(
        attempt=sitting, since=_counted_since(which, assignment)
    )
    return render(request, "learning/attempt_page.html", context, status=400 if errors else 200)


def _autosave(sitting, data, positions) -> JsonResponse:
    """The script's background save: the same rules as a button press, answered in JSON."""
    try:
        result = attempt_save(
            attempt=sitting, sequence=_sequence(data), data=data, positions=positions
        )
    except AttemptConflict as exc:
        return JsonResponse({"message": str(exc)}, status=409)
    except AnswerInvalid as exc:
        return JsonResponse({"message": str(exc)}, status=400)
    if result.errors:
        message = " ".join(f"Question {n}: {error}" for n, error in result.errors.items())
        return JsonResponse({"message": f"Not saved yet. {message}"}, status=400)
    saved_at = timezone.localtime().strftime("%H:%M")
    return JsonResponse({"sequence": result.attempt.save_sequence, "saved_at": saved_at})


@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit_view(request, course_slug, which, attempt_id):
    """The summary before submitting (GET) and the submission itself (POST): a repeat,
    a retry or a second tab gets the one result."""
    course, current, assignment = _assessment_context(request, course_slug, which)
    sitting = attempt_for_learner(user=request.user, assessment=current, public_id=attempt_id)
    if request.method == "POST" or not sitting.is_open:
        if sitting.is_open:
            attempt_submit(attempt=sitting)
        return redirect(_attempt_url(course, which, sitting, "attempt_result"))
    summary = attempt_summary(sitting, served_items(sitting))
    return render(
        request,
        "learning/attempt_submit.html",
        {
            "course": course,
            "which": which,
            "assessment": current,
            "attempt": sitting,
            "heading": assessment_heading(
                assessment=current, course=course, short=sitting.is_scoped
            ),
            "attempt_label": attempt_label(
                attempt=sitting, since=_counted_since(which, assignment)
            ),
            **summary,
        },
    )


@login_required
@require_GET
def attempt_result(request, course_slug, which, attempt_id):
    course, current, assignment = _assessment_context(request, course_slug, which)
    sitting = attempt_for_learner(user=request.user, assessment=current, public_id=attempt_id)
    if sitting.is_open:
        return redirect(_attempt_url(course, which, sitting))
    context = {
        "course": course,
        "which": which,
        "assessment": current,
        "attempt": sitting,
        "heading": assessment_heading(assessment=current, course=course, short=sitting.is_scoped),
    }
    context["attempt_label"] = attempt_label(
        attempt=sitting, since=_counted_since(which, assignment)
    )
    context |= attempt_result_view(sitting, course)
    return render(request, "learning/attempt_result.html", context)


@login_required
@require_GET
def certificate_pdf(request, code):
    """The learner's own certificate, as stored; anyone else's is 404, as if it did not
    exist."""
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None or not certificate.pdf_sha256:
        raise Http404("No such certificate.")
    response = FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.serial}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

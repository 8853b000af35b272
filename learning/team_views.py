"""A manager's team pages under /learn/team/: the team's training at a glance, one
member's training, and a reminder to one member about one course."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from learning.reminders import NudgeRefused, assignment_nudge
from learning.team_selectors import (
    is_in_managers_group,
    member_assignment,
    member_training,
    team_manager,
    team_member,
    team_overview,
)


@login_required
@require_GET
def team(request):
    """Anyone someone reports to sees their team. A member of the Managers group whom
    nobody reports to yet is told so; anyone else gets a 403 saying what the page is for."""
    manager = team_manager(user=request.user)
    if manager is None:
        if is_in_managers_group(user=request.user):
            return render(request, "learning/team.html", {"overview": None})
        return render(request, "learning/team_forbidden.html", status=403)
    overview = team_overview(manager=manager, today=timezone.localdate())
    return render(request, "learning/team.html", {"manager": manager, "overview": overview})


def _member_or_404(request, token):
    manager = team_manager(user=request.user)
    if manager is None:
        raise Http404("No such person in your team.")
    return team_member(manager=manager, token=token)


@login_required
@require_GET
def team_member_detail(request, member):
    person = _member_or_404(request, member)
    training = member_training(member=person, today=timezone.localdate())
    return render(request, "learning/team_member.html", {"training": training})


@login_required
@require_POST
def team_member_remind(request, member, assignment_id):
    person = _member_or_404(request, member)
    assignment = member_assignment(member=person, assignment_id=assignment_id)
    try:
        assignment_nudge(assignment=assignment, actor=request.user, today=timezone.localdate())
    except NudgeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Reminder sent to {person.full_name} about {assignment.course.title}.",
        )
    return redirect("learning:team_member", member=member)

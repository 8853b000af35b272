"""Background jobs in the admin, for HR and trainers: the recent jobs and the workers
(Reports → Background jobs), one job in full, and the admin home's warning when jobs
are waiting with no worker to take them."""

import uuid

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django_tasks_db.models import DBTaskResult
from wagtail.admin.ui.components import Component

from cms.admin_access import forbidden_response
from learning.jobs import (
    is_housekeeping,
    job_rows,
    jobs_counts,
    jobs_recent,
    worker_status,
)

PERMISSION = "learning.view_background_jobs"
# A traceback may quote a learner's data: in full only for those who may see anyone's
# training record; others read its last line.
TRACEBACK_PERMISSION = "learning.view_compliance"
PER_PAGE = 50


def jobs_index_view(request):
    if not request.user.has_perm(PERMISSION):
        return forbidden_response(request)
    housekeeping = request.GET.get("housekeeping") == "1"
    own, housekeeping_count = jobs_counts()
    paginator = Paginator(jobs_recent(housekeeping=housekeeping), PER_PAGE)
    paginator.count = own + housekeeping_count if housekeeping else own  # counted above
    page = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "learning/admin/jobs_index.html",
        {
            "page_title": "Background jobs",
            "housekeeping": housekeeping,
            "housekeeping_count": housekeeping_count,
            "jobs": job_rows(list(page.object_list)),
            "items": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "status": worker_status(),
        },
    )


def job_detail_view(request, job_id: uuid.UUID):
    if not request.user.has_perm(PERMISSION):
        return forbidden_response(request)
    result = DBTaskResult.objects.filter(pk=job_id).first()
    if result is None:
        raise Http404("No such job.")
    job = job_rows([result])[0]
    return TemplateResponse(
        request,
        "learning/admin/job_detail.html",
        {
            "page_title": job.name,
            "job": job,
            "status": worker_status(),
            "show_traceback": request.user.has_perm(TRACEBACK_PERMISSION),
            # The task's code path means something to whoever runs the servers, not to
            # trainers; HR may pass it on when asking for help.
            "show_task_path": request.user.has_perm(TRACEBACK_PERMISSION),
            "housekeeping": is_housekeeping(job.task_path),
        },
    )


def jobs_urls():
    return [
        path("reports/background-jobs/", jobs_index_view, name="learning_jobs"),
        path("reports/background-jobs/<uuid:job_id>/", job_detail_view, name="learning_job"),
    ]


class JobsWaitingPanel(Component):
    """On the admin home: jobs are waiting and no worker has been seen within the lease."""

    name = "background_jobs_waiting"
    template_name = "learning/admin/jobs_waiting_panel.html"
    order = 50

    def __init__(self, status):
        self.status = status

    def get_context_data(self, parent_context):
        return {"status": self.status}


def jobs_waiting_panel_for(request) -> JobsWaitingPanel | None:
    if not request.user.has_perm(PERMISSION):
        return None
    status = worker_status()
    return JobsWaitingPanel(status) if status.stalled else None

"""The learner's pages under /learn/."""

from django.urls import path

from learning import team_views, views

app_name = "learning"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", team_views.team, name="team"),
    path("team/<str:member>/", team_views.team_member_detail, name="team_member"),
    path(
        "team/<str:member>/assignments/<int:assignment_id>/remind/",
        team_views.team_member_remind,
        name="team_member_remind",
    ),
    path(
        "certificates/<str:code>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("courses/<slug:course_slug>/", views.course_overview, name="course"),
    path(
        "courses/<slug:course_slug>/role-plays/<slug:scenario_slug>/",
        views.scenario,
        name="scenario",
    ),
    path(
        "courses/<slug:course_slug>/role-plays/<slug:scenario_slug>/start/",
        views.scenario_start,
        name="scenario_start",
    ),
    path(
        "courses/<slug:course_slug>/role-plays/<slug:scenario_slug>/runs/<uuid:run_id>/",
        views.scenario_run,
        name="scenario_run",
    ),
    path(
        "courses/<slug:course_slug>/assessments/<which>/",
        views.assessment,
        name="assessment",
    ),
    path(
        "courses/<slug:course_slug>/assessments/<which>/start/",
        views.assessment_start,
        name="assessment_start",
    ),
    path(
        "courses/<slug:course_slug>/assessments/<which>/attempts/<uuid:attempt_id>/",
        views.attempt,
        name="attempt",
    ),
    path(
        "courses/<slug:course_slug>/assessments/<which>/attempts/<uuid:attempt_id>/submit/",
        views.attempt_submit_view,
        name="attempt_submit",
    ),
    path(
        "courses/<slug:course_slug>/assessments/<which>/attempts/<uuid:attempt_id>/result/",
        views.attempt_result,
        name="attempt_result",
    ),
    path("courses/<slug:course_slug>/<slug:module_slug>/", views.module, name="module"),
    path(
        "courses/<slug:course_slug>/<slug:module_slug>/check/<str:block_id>/",
        views.knowledge_check,
        name="knowledge_check",
    ),
    path(
        "courses/<slug:course_slug>/<slug:module_slug>/complete/",
        views.module_finish,
        name="module_complete",
    ),
]

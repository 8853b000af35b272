"""Each demo login's story in Chromium, from sign-in to its end, on the demo exactly as
`make run` serves it: the real web server and the background worker, each journey on its
own copy of one seeded database, with axe-core on every page the journey opens.

The browser never learns an answer from the page. Where a journey has to answer rightly
(knowledge checks, the role-play, the final assessment) it reads the answer key from the
journey's own database once the page that asks has been served, as a learner who had read
the course would know it.
"""

import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect
from pypdf import PdfReader

from learning.demo import DEMO_PASSWORD
from tests.certificates.test_pdf import decoded_qr_codes

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the demo journeys copy an SQLite file per journey; they run on SQLite only",
    ),
]

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
ONBOARDING = "Customer Service Essentials"
ONBOARDING_SLUG = "customer-service-essentials"
REFUNDS = "Refunds Done Right"
REFUNDS_SLUG = "refunds-done-right"
COMPLAINTS = "Complaint Handling and De-escalation"
COMPLAINTS_SLUG = "complaint-handling-and-de-escalation"
DEPARTMENT = "Returns and Billing"
HOLDER = "Ben Carter"  # in Returns and Billing, certified on the complaints course
REPORT = "Amara Nwosu"  # an agent two levels below the manager
REPORT_EMAIL = "agent@example.com"
START_OR_CONTINUE = re.compile(r"^(Start the course|Continue where you left off)$")
CHECK = re.compile(r"^(Check my answer|Check again)$")
START_ATTEMPT = re.compile(r"^(Start the assessment|Start another attempt)$")


# The demo, served as `make run` serves it ------------------------------------------------


def demo_environment(database: Path, media: Path) -> dict[str, str]:
    """The environment of `make run`, pointed at one journey's database and media."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {"BASE_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "SQLITE_PATH": str(database),
        "MEDIA_ROOT": str(media),
        "PYTHONUNBUFFERED": "1",
    }
    return environment


def manage(environment: dict[str, str], *arguments: str) -> str:
    finished = subprocess.run(
        [sys.executable, MANAGE, *arguments],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory):
    """`migrate` and `seed_demo` once, into a database every journey copies; the work the
    demo queued (its certificates' PDFs, say) done once here rather than in every journey."""
    folder = tmp_path_factory.mktemp("demo")
    database, media = folder / "demo.sqlite3", folder / "media"
    media.mkdir()
    environment = demo_environment(database, media)
    manage(environment, "migrate", "--noinput", "--verbosity", "0")
    manage(environment, "seed_demo", "--verbosity", "0")
    manage(environment, "worker", "--batch", "--verbosity", "0")
    return database, media


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DemoSite:
    url: str
    environment: dict[str, str] = field(repr=False)
    folder: Path = field(repr=False)

    def query(self, code: str):
        """Run Python against this journey's database; ``code`` sets ``result``."""
        script = f"import json\n{code}\nprint('RESULT ' + json.dumps(result))"
        output = manage(self.environment, "shell", "--verbosity", "0", "--command", script)
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))

    def log(self) -> str:
        return (self.folder / "serve.log").read_text(errors="replace")


def stop(process: subprocess.Popen) -> None:
    """As Ctrl-C in the terminal: `serve` stops the web server and the worker with it."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def demo_site(seeded_demo, tmp_path):
    """`manage.py serve` (the web server and the task worker, as `make run` starts them)
    on this journey's own copy of the demo."""
    template, template_media = seeded_demo
    database, media = tmp_path / "demo.sqlite3", tmp_path / "media"
    with sqlite3.connect(template) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    shutil.copytree(template_media, media)
    environment = demo_environment(database, media)
    port = free_port()
    site = DemoSite(url=f"http://127.0.0.1:{port}", environment=environment, folder=tmp_path)
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, MANAGE, "serve", "--noreload", f"127.0.0.1:{port}"],
            env=environment,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert serve.poll() is None, site.log()
            try:
                health = f"{site.url}/healthz"  # always http, on this machine
                with urllib.request.urlopen(health, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the demo did not answer /healthz in a minute"
            time.sleep(0.2)
        yield site
        assert serve.poll() is None, "the web server or the worker stopped:\n" + site.log()
    finally:
        stop(serve)


# The browser -------------------------------------------------------------------------------


# Fade-ins end within a second; some admin animations (a pulsing badge) run far longer.
SETTLED = """() => Promise.race([
    new Promise(resolve => setTimeout(resolve, 1500)),
    Promise.all(document.getAnimations()
        .filter(animation => animation.effect?.getComputedTiming().iterations !== Infinity)
        .map(animation => animation.finished.catch(() => null))),
])"""


@dataclass
class Journey:
    """One person's browser tab; every page it lands on is checked with axe-core."""

    page: object
    site: DemoSite = field(repr=False)
    axe: Axe = field(default_factory=Axe, repr=False)
    visited: list[str] = field(default_factory=list, repr=False)
    checked: set[str] = field(default_factory=set, repr=False)
    failures: list[str] = field(default_factory=list, repr=False)
    barriers: list[str] = field(default_factory=list, repr=False)

    def accessible(self, context: str | None = None) -> None:
        """Run axe-core on the page (or on ``context``, a CSS selector). What it finds is
        reported when the journey ends, so one run lists every page's problems."""
        self.page.wait_for_load_state()
        # Judge the page as it settles, not half way through a fade-in.
        self.page.evaluate(SETTLED)
        results = self.axe.run(self.page, context=context) if context else self.axe.run(self.page)
        if results.violations_count:
            self.barriers.append(f"{self.page.url}\n{results.generate_report()}")
        self.checked.add(self.path)

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def go(self, path: str, context: str | None = None) -> None:
        answer = self.page.goto(path)
        assert answer is not None and answer.ok, f"{path} answered {answer and answer.status}"
        self.accessible(context)

    def click(self, locator, context: str | None = None) -> None:
        """Follow a link or press a button that loads a new page, then check that page."""
        with self.page.expect_navigation():
            locator.click()
        self.accessible(context)

    def sign_in(self, email: str) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.click(self.page.get_by_role("button", name="Sign in"))
        assert "/accounts/login/" not in self.page.url

    def sign_out(self) -> None:
        """Forget the session, as on the phone of someone who scans a certificate."""
        self.page.context.clear_cookies()

    def finish(self) -> None:
        """Nothing answered 5xx, axe-core found nothing, and no page was left unchecked."""
        assert not self.failures, self.failures
        assert not self.barriers, "\n\n".join(self.barriers)
        unchecked = [path for path in self.visited if path not in self.checked]
        assert not unchecked, f"pages never checked with axe-core: {unchecked}"


@pytest.fixture
def journey(chromium, demo_site):
    context = chromium.new_context(base_url=demo_site.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    trip = Journey(page=page, site=demo_site)

    def navigated(frame):
        if frame == page.main_frame and frame.url.startswith(demo_site.url):
            trip.visited.append(urlsplit(frame.url).path)

    def answered(response):
        if response.status >= 500 and response.url.startswith(demo_site.url):
            trip.failures.append(f"{response.status} {response.request.method} {response.url}")

    page.on("framenavigated", navigated)
    page.on("response", answered)
    yield trip
    context.close()


def downloaded(journey: Journey, locator) -> tuple[str, bytes]:
    with journey.page.expect_download() as info:
        locator.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def reload_until(journey: Journey, locator, seconds: float = 60) -> None:
    """Reload the page until ``locator`` shows: work the background worker finishes."""
    deadline = time.monotonic() + seconds
    while not locator.count():
        assert time.monotonic() < deadline, f"still waiting on {journey.page.url}"
        time.sleep(0.5)
        journey.page.reload()
    journey.accessible()


# What a learner knows once they have read the course ---------------------------------------

KNOWLEDGE_CHECK_KEYS = """
from courses.models import CoursePage
course = CoursePage.objects.get(slug={slug!r})
result = {{
    module.slug: {{
        block.id: next(n for n, option in enumerate(block.value["options"]) if option["correct"])
        for block in module.body
        if block.block_type == "knowledge_check"
    }}
    for module in course.get_modules()
}}
"""

ROLE_PLAY_BEST_PATH = """
from learning.models import ScenarioRun
run = ScenarioRun.objects.get(public_id={run!r})
result = {{step.key: choice.id for step, choice in run.script.graph.best_path() if choice}}
"""

ASSESSMENT_KEY = """
from assessments.answers import best_answer, form_fields
from assessments.models import Attempt
from assessments.services import answer_name, served_items
attempt = Attempt.objects.get(public_id={attempt!r})
result = {{
    "per_page": attempt.assessment.questions_per_page,
    "items": [
        form_fields(item.kind, item.order, best_answer(item.kind, item.block), answer_name(item))
        for item in served_items(attempt)
    ],
}}
"""


QUOTE = re.compile(r"From (.+?), version (\d+\.\d+)")
TAUGHT = re.compile(r"^(.+), version (\d+\.\d+)$")


def finish_modules(journey: Journey, course_slug: str, keys: dict) -> tuple[list[str], set]:
    """From the module on screen to the last one: every knowledge check answered rightly,
    each module finished. Returns the modules' titles and the policy versions they quote."""
    page, titles, quoted = journey.page, [], set()
    while page.get_by_role("button", name="Finish this module").count():
        slug = journey.path.rstrip("/").rsplit("/", 1)[-1]
        titles.append(page.locator("h1").inner_text())
        quoted |= set(QUOTE.findall(page.locator("main").inner_text()))
        for block_id, right in keys[slug].items():
            check = page.locator(f"#check-{block_id}")
            check.locator(f'input[type="radio"][value="{right}"]').check()
            journey.click(check.get_by_role("button", name=CHECK))
            feedback = page.locator(f"#check-{block_id}").get_by_role("status")
            expect(feedback.get_by_text("That's right."), slug).to_be_visible()
        journey.click(page.get_by_role("button", name="Finish this module"))
        assert journey.path.startswith(f"/learn/courses/{course_slug}/")
    return titles, quoted


def versions_taught(journey: Journey) -> set:
    """The policy versions the course page on screen says the course teaches."""
    heading = journey.page.get_by_role("heading", name="Policies this course teaches")
    listed = heading.locator("xpath=following-sibling::ul[1]").get_by_role("listitem")
    return {TAUGHT.match(line).groups() for line in listed.all_inner_texts()}


def play_to_the_best_ending(journey: Journey) -> None:
    """An assessed run of the role-play on screen, replying as the course teaches."""
    page = journey.page
    journey.click(page.get_by_role("button", name="Start an assessed run"))
    run = journey.path.rstrip("/").rsplit("/", 1)[-1]
    best = journey.site.query(ROLE_PLAY_BEST_PATH.format(run=run))
    replies = 0
    while page.locator(".scenario-choice").count():
        step = page.locator('input[name="step"]').input_value()
        journey.click(page.locator(f'.scenario-choice[value="{best[step]}"]'))
        replies += 1
        assert replies < 40, "the role-play should end"


def answer(page, fields: dict[str, list[str]]) -> None:
    """Fill in one question the way a learner does: click, pick and type."""
    for name, values in fields.items():
        control = page.locator(f'[name="{name}"]').first
        tag = control.evaluate("element => element.tagName.toLowerCase()")
        kind = control.get_attribute("type")
        if tag == "select":
            control.select_option(values[0])
        elif kind in ("radio", "checkbox"):
            for value in values:
                page.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            control.fill(values[0])


def pass_assessment(journey: Journey, start_button: str) -> None:
    """Start an attempt on the assessment page on screen, answer rightly and submit."""
    page = journey.page
    journey.click(page.get_by_role("button", name=start_button))
    attempt = journey.path.rstrip("/").rsplit("/", 1)[-1]
    key = journey.site.query(ASSESSMENT_KEY.format(attempt=attempt))
    items, per_page = key["items"], key["per_page"]
    for first in range(0, len(items), per_page):
        for fields in items[first : first + per_page]:
            answer(page, fields)
        if first == 0:
            # With JavaScript on, the page saves itself a moment after a change.
            page.get_by_role("status").get_by_text("Answers saved at").wait_for()
        last = first + per_page >= len(items)
        name = "Save and review before submitting" if last else "Save and continue"
        journey.click(page.get_by_role("button", name=name))
    assert page.get_by_text(f"You have answered {len(items)} of {len(items)} questions").count()
    journey.click(page.get_by_role("button", name="Submit my answers"))


def certificate_row(journey: Journey, course: str):
    certificates = journey.page.get_by_role("region", name="My certificates")
    return certificates.get_by_role("row").filter(has_text=course)


# The journeys ------------------------------------------------------------------------------


def test_new_hire_finishes_onboarding_and_their_certificate_reads_valid(journey, tmp_path):
    page = journey.page
    journey.sign_in("newhire@example.com")
    assert journey.path == "/learn/"
    card = page.locator(".course-card", has_text=ONBOARDING)
    expect(card.get_by_text("Not started")).to_be_visible()

    journey.click(card.get_by_role("link", name=ONBOARDING, exact=True))
    expect(page.get_by_role("heading", name=ONBOARDING, level=1)).to_be_visible()
    module_titles = page.locator(".module-list").first.get_by_role("listitem").all_inner_texts()
    keys = journey.site.query(KNOWLEDGE_CHECK_KEYS.format(slug=ONBOARDING_SLUG))

    journey.click(page.get_by_role("link", name="Start the course"))
    finished, quoted = finish_modules(journey, ONBOARDING_SLUG, keys)
    assert len(finished) == len(keys) == len(module_titles)
    assert journey.path == f"/learn/courses/{ONBOARDING_SLUG}/"
    assert quoted and quoted <= versions_taught(journey), quoted
    for title in finished:
        row = page.locator(".module-list__item--completed", has_text=title)
        expect(row, title).to_be_visible()

    journey.click(page.locator(".module-list", has_text="Not played").get_by_role("link").first)
    play_to_the_best_ending(journey)
    expect(page.get_by_role("heading", name="How it ended:")).to_be_visible()
    expect(page.get_by_text("passed", exact=False).first).to_be_visible()
    journey.click(page.get_by_role("link", name=f"Back to {ONBOARDING}"))

    journey.click(page.get_by_role("link", name="Final assessment"))
    pass_assessment(journey, START_ATTEMPT)
    expect(page.get_by_role("heading", name="Attempt 1: passed")).to_be_visible()
    expect(page.get_by_text("You scored 100%")).to_be_visible()

    journey.go("/learn/")
    row = certificate_row(journey, ONBOARDING)
    reload_until(journey, row.get_by_role("link", name=f"Download PDF for {ONBOARDING}"))
    expect(row.get_by_role("cell", name="Valid", exact=True)).to_be_visible()
    name, pdf = downloaded(journey, row.get_by_role("link", name=f"Download PDF for {ONBOARDING}"))
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    (address,) = decoded_qr_codes(tmp_path / "certificate.pdf", tmp_path)

    journey.sign_out()
    journey.go(urlsplit(address).path)
    assert page.locator("h1").inner_text() == "Valid"
    expect(page.get_by_text(ONBOARDING, exact=True)).to_be_visible()
    assert page.get_by_text("Leo Fernandes").count()
    journey.finish()
    assert address.startswith(f"{journey.site.url}/verify/"), "the QR code names another site"


def test_agent_recertifies_on_the_changed_policy_and_the_old_certificate_reads_superseded(
    journey,
):
    page = journey.page
    journey.sign_in("agent@example.com")
    assert journey.path == "/learn/"
    card = page.locator(".course-card", has_text=REFUNDS).filter(has_text="Recertification")
    expect(card.get_by_text("Refunds and Returns changed on")).to_be_visible()
    old = certificate_row(journey, REFUNDS)
    expect(old.get_by_role("cell", name="Recertification due", exact=True)).to_be_visible()
    old_address = old.get_by_role("link", name="Check").get_attribute("href")

    journey.click(card.get_by_role("link", name="What changed"))
    expect(page.get_by_role("rowheader", name="2.0 current")).to_be_visible()
    journey.click(page.get_by_role("link", name="Compare with 1.1"))
    expect(page.get_by_text("45 days").first).to_be_visible()

    journey.go("/learn/")
    card = page.locator(".course-card", has_text=REFUNDS).filter(has_text="Recertification")
    journey.click(card.get_by_role("link", name=REFUNDS, exact=True))
    expect(page.get_by_role("link", name="Recertification assessment")).to_be_visible()
    keys = journey.site.query(KNOWLEDGE_CHECK_KEYS.format(slug=REFUNDS_SLUG))
    journey.click(page.get_by_role("link", name=START_OR_CONTINUE))
    finished, quoted = finish_modules(journey, REFUNDS_SLUG, keys)
    assert finished, "the changed sections are taught again"
    assert journey.path == f"/learn/courses/{REFUNDS_SLUG}/"
    assert quoted == {("Refunds and Returns", "2.0")}, quoted

    journey.click(page.get_by_role("link", name="Recertification assessment"))
    heading = f"{REFUNDS}: recertification assessment"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("This is the short version of the final assessment.")).to_be_visible()
    pass_assessment(journey, START_ATTEMPT)
    expect(page.get_by_role("heading", name="passed")).to_be_visible()
    journey.click(page.get_by_role("link", name=REFUNDS).first)
    expect(page.get_by_text("Completed").first).to_be_visible()

    journey.go("/learn/")
    rows = certificate_row(journey, REFUNDS)
    new = rows.filter(has=page.get_by_role("cell", name="Valid", exact=True))
    reload_until(journey, new.get_by_role("link", name=f"Download PDF for {REFUNDS}"))
    assert "Refunds and Returns 2.0" in new.inner_text()
    _, pdf = downloaded(journey, new.get_by_role("link", name=f"Download PDF for {REFUNDS}"))
    assert pdf.startswith(b"%PDF")

    journey.sign_out()
    journey.go(old_address)
    assert page.locator("h1").inner_text() == "Not valid: superseded"
    expect(page.get_by_text("A newer certificate replaced it")).to_be_visible()
    journey.finish()


def report_counts(journey: Journey, policy: str, label: str) -> dict[str, str]:
    """The recertification report's row for ``policy`` ``label``, by column heading."""
    page = journey.page
    table = page.get_by_role("table").first
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    row = (
        table.get_by_role("row")
        .filter(has_text=policy)
        .filter(has=page.get_by_role("cell", name=label, exact=True))
    )
    cells = [c.strip() for c in row.locator("td, th").all_inner_texts()]
    return dict(zip(headings, cells, strict=False))


def test_a_policy_change_runs_from_the_trainer_to_a_new_certificate_and_hr_sees_it_done(
    journey,
):
    """Complaints Handling 2.0, saved as a draft in the demo: the trainer reads what it will
    set in motion, publishes it, works the course's update list and republishes; the
    manager, certified on 1.0, waits, then recertifies; HR sees her move to done."""
    page = journey.page
    journey.sign_in("manager@example.com")
    journey.go("/learn/")
    old = certificate_row(journey, COMPLAINTS)
    old_address = old.get_by_role("link", name="Check").get_attribute("href")
    expect(old.get_by_role("cell", name="Valid", exact=True)).to_be_visible()
    journey.sign_out()

    # The trainer: the impact preview beside the draft, then publish.
    journey.sign_in("trainer@example.com")
    journey.go("/admin/pages/")
    for parent in ("Harbourside customer-service academy", "Policies"):
        journey.click(page.get_by_role("link", name=f"Explore child pages of '{parent}'"))
    journey.click(page.get_by_role("link", name="Complaints Handling", exact=True).first)
    assert journey.path.endswith("/edit/")
    impact = page.locator(".policy-impact")
    expect(impact.get_by_text("this becomes version 2.0")).to_be_visible()
    expect(impact.locator(".policy-impact__tally")).to_contain_text("1 added")
    expect(impact.locator(".policy-impact__tally")).to_contain_text("2 reworded")
    expect(impact.get_by_role("link", name=COMPLAINTS)).to_be_visible()
    expect(impact.get_by_role("link", name="Final response deadline").first).to_be_visible()
    journey.click(impact.get_by_role("link", name=re.compile(r"^See all \d+ names?$")))
    expect(page.get_by_text("Grace Whitfield").first).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="More actions").click()
    journey.click(page.get_by_role("button", name="Publish", exact=True))
    expect(page.get_by_text("Version 2.0 is material")).to_be_visible()
    journey.click(page.get_by_role("link", name=f"Update list: {COMPLAINTS}"))
    expect(page.get_by_role("heading", name=f"Update list: {COMPLAINTS}")).to_be_visible()

    # The manager's refresher is assigned, but waits for the course.
    journey.sign_out()
    journey.sign_in("manager@example.com")
    journey.go("/learn/")
    waiting = page.locator(".course-card", has_text=COMPLAINTS).filter(has_text="Recertification")
    reload_until(journey, waiting.get_by_text("Waiting for course update"))
    expect(waiting.get_by_text("opens when your course is updated")).to_be_visible()
    assert not waiting.get_by_role("link", name="Start").count()
    journey.sign_out()

    # The trainer works the update list: one question revised, the rest confirmed but
    # one, and the course published again with that one still open, recorded.
    journey.sign_in("trainer@example.com")
    journey.go("/admin/")
    page.get_by_role("button", name="Reports").click()
    journey.click(page.get_by_role("link", name="Courses to update"))
    journey.click(page.get_by_role("link", name=COMPLAINTS).first)
    # Wagtail's snippet editor has no level-one heading of its own; judge its form.
    journey.click(page.get_by_role("link", name="Final response deadline"), context="form")
    page.locator('input[name$="-answers-0-value-value"]').first.fill("8")
    journey.click(page.get_by_role("button", name="Save").first)
    journey.go(journey_update_list_path(journey))
    for title in ("Acknowledge, investigate, respond", "Complaint Against the Clock"):
        journey.click(page.get_by_role("button", name=f"Still correct: {title}"))
    for title in ("Escalate the same day", "Deadlines"):
        journey.click(page.get_by_role("button", name=f"Still correct: {title}"))
    expect(page.get_by_text("Done: revised on")).to_be_visible()
    expect(page.get_by_text("Done: confirmed still correct by Tom Okafor").first).to_be_visible()
    journey.click(page.get_by_role("link", name="Edit the course"))
    page.get_by_role("button", name="More actions").click()
    journey.click(page.get_by_role("button", name="Publish", exact=True))
    expect(page.get_by_text("The update list still has 1 item open").first).to_be_visible()
    page.get_by_label(re.compile(r"^Publish anyway with 1 item open")).check()
    page.get_by_role("button", name="More actions").click()
    journey.click(page.get_by_role("button", name="Publish", exact=True))
    expect(page.get_by_text(f"Page '{COMPLAINTS}' has been published.")).to_be_visible()
    journey.go("/admin/reports/courses-to-update/")
    row = page.get_by_role("row").filter(has_text=COMPLAINTS)
    expect(row.get_by_text("by Tom Okafor")).to_be_visible()
    journey.sign_out()

    # The manager: the refresher opens, she passes it, a new certificate replaces the old.
    journey.sign_in("manager@example.com")
    journey.go("/learn/")
    card = page.locator(".course-card", has_text=COMPLAINTS).filter(has_text="Recertification")
    reload_until(journey, card.get_by_role("link", name="Start"))
    journey.click(card.get_by_role("link", name=COMPLAINTS, exact=True))
    assert ("Complaints Handling", "2.0") in versions_taught(journey)
    keys = journey.site.query(KNOWLEDGE_CHECK_KEYS.format(slug=COMPLAINTS_SLUG))
    journey.click(page.get_by_role("link", name=START_OR_CONTINUE))
    finished, quoted = finish_modules(journey, COMPLAINTS_SLUG, keys)
    assert finished, "the module quoting the changed sections is taught again"
    assert ("Complaints Handling", "2.0") in quoted and ("Complaints Handling", "1.0") not in quoted
    role_play = page.get_by_role("link", name="Complaint Against the Clock")
    if role_play.count():
        journey.click(role_play.first)
        play_to_the_best_ending(journey)
        journey.go(f"/learn/courses/{COMPLAINTS_SLUG}/")
    journey.click(page.get_by_role("link", name=re.compile("assessment$")).first)
    pass_assessment(journey, START_ATTEMPT)
    expect(page.get_by_role("heading", name="passed")).to_be_visible()

    journey.go("/learn/")
    rows = certificate_row(journey, COMPLAINTS)
    new = rows.filter(has=page.get_by_role("cell", name="Valid", exact=True))
    reload_until(journey, new.get_by_role("link", name=f"Download PDF for {COMPLAINTS}"))
    assert "Complaints Handling 2.0" in new.inner_text()
    journey.sign_out()
    journey.go(old_address)
    assert page.locator("h1").inner_text() == "Not valid: superseded"

    # HR: the refresher reads done.
    journey.sign_in("hr@example.com")
    journey.go("/admin/reports/recertification/")
    counts = report_counts(journey, "Complaints Handling", "2.0")
    assert int(counts["Done"]) >= 1, counts
    assert int(counts["People affected"]) > int(counts["Done"]), counts
    journey.click(
        page.get_by_role("row")
        .filter(has_text="Complaints Handling")
        .get_by_role("link", name=counts["Done"], exact=True)
    )
    expect(page.get_by_text("Grace Whitfield").first).to_be_visible()
    journey.finish()


def journey_update_list_path(journey: Journey) -> str:
    """The update list of the complaints course, found from its title in the report."""
    course_id = journey.site.query(
        "from courses.models import CoursePage\n"
        f"result = CoursePage.objects.get(slug={COMPLAINTS_SLUG!r}).pk\n"
    )
    return f"/admin/courses/{course_id}/update-list/"


def test_hr_filters_and_exports_the_matrix_reads_a_record_and_revokes_a_certificate(
    journey, tmp_path
):
    page = journey.page
    journey.sign_in("hr@example.com")
    assert journey.path == "/admin/"

    journey.go("/admin/reports/compliance/")
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("button", name="Department").click()
    page.get_by_role("combobox", name="Department").select_option(label=DEPARTMENT)
    page.wait_for_url(re.compile(r"department=\d+"))
    matrix = page.get_by_role("region", name="Compliance matrix")
    matrix.get_by_role("link", name=HOLDER).wait_for()
    journey.accessible()
    shown = matrix.locator("tbody th a").all_inner_texts()
    assert HOLDER in shown and "Chloe Bennett" not in shown  # Customer Support

    page.keyboard.press("Escape")
    page.get_by_role("button", name="Actions").click()
    name, exported = downloaded(journey, page.get_by_role("link", name="Download CSV"))
    assert name.endswith(".csv")
    header, *rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert header[:2] == ["Employee number", "Name"]
    assert sorted(row[1] for row in rows) == sorted(shown)

    journey.click(matrix.get_by_role("link", name=HOLDER))
    expect(page.get_by_role("heading", name=HOLDER).first).to_be_visible()
    name, pack = downloaded(journey, page.get_by_role("link", name="Evidence pack (PDF)"))
    assert name.endswith(".pdf") and pack.startswith(b"%PDF")
    assert HOLDER in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pack)).pages)
    certificates = page.get_by_role("region", name="Certificates")
    record = certificates.locator(".record-item", has_text=COMPLAINTS)
    serial = record.get_by_role("heading").inner_text().split(":")[0]
    address = urlsplit(record.locator(".record-hash").first.inner_text().strip()).path
    assert address.startswith("/verify/")

    page.get_by_role("button", name="Training").click()
    journey.click(page.get_by_role("link", name="Certificates", exact=True))
    page.get_by_role("textbox", name="Search term").fill(serial)
    page.get_by_role("row").filter(has_text=serial).wait_for()
    journey.accessible()
    row = page.get_by_role("row").filter(has_text=serial)
    row.get_by_role("button", name="More options").click()
    journey.click(row.get_by_role("link", name="Revoke"))
    page.get_by_label("Reason").fill("Issued on an attempt taken under someone else's sign-in.")
    journey.click(page.get_by_role("button", name="Revoke"))
    expect(page.get_by_text(f"{serial} revoked.")).to_be_visible()

    journey.go("/admin/reports/compliance/")
    row = page.get_by_role("region", name="Compliance matrix").get_by_role("row")
    expect(row.filter(has_text=HOLDER).get_by_text("Revoked").first).to_be_visible()

    journey.sign_out()
    journey.go(address)
    assert page.locator("h1").inner_text() == "Not valid: revoked"
    expect(page.get_by_text("It was revoked on")).to_be_visible()
    journey.finish()


def test_manager_reads_the_team_opens_one_report_and_sends_a_reminder(journey):
    page = journey.page
    journey.sign_in("manager@example.com")
    assert journey.path == "/learn/team/"
    team = page.get_by_role("table").first
    for name in ("Daniel Kowalski", "Chloe Bennett", REPORT, "Mei Chen"):
        expect(team.get_by_role("link", name=name), name).to_be_visible()
    assert not page.get_by_text("Jack Doyle").count()  # someone else's report

    journey.click(team.get_by_role("link", name=REPORT))
    expect(page.get_by_role("heading", name=REPORT, level=1)).to_be_visible()
    open_training = page.get_by_role("region", name=re.compile(r"^Open training"))
    row = open_training.get_by_role("row").filter(has=page.get_by_role("button")).first
    course = row.get_by_role("cell").first.inner_text().splitlines()[0]
    journey.click(row.get_by_role("button", name=re.compile(r"^Send reminder")))
    expect(page.get_by_role("status").get_by_text(REPORT).first).to_be_visible()
    row = open_training.get_by_role("row").filter(has_text=course)
    expect(row.get_by_text("Reminded today")).to_be_visible()

    email = journey.site.log()
    assert f"To: {REPORT_EMAIL}" in email, "the reminder email was not sent"
    assert f"{journey.site.url}/learn/courses/" in email
    journey.finish()

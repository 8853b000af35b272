"""The seeded demo, walked link by link as each demo login sees it: no page may fail.

The crawl starts from a role's landing pages and follows every same-site link it finds,
with GET only. It visits every route it can reach, but only a few addresses of each (one
question's edit form stands for all of them), and leaves alone anything that signs out or
destroys. Run with ``-s`` to see how many pages each role reached.
"""

import io
import re
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from wagtail.models import Page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor == "postgresql",
        reason="the demo crawl runs once in CI, on SQLite",
    ),
]

# The landing pages of each role; the crawl reaches everything else from these.
LANDINGS = {
    "anonymous": ["/", "/policies/", "/verify/", "/learn/", "/accounts/login/"],
    "newhire@example.com": ["/", "/learn/", "/policies/"],
    "agent@example.com": ["/", "/learn/", "/policies/"],
    "manager@example.com": ["/", "/learn/", "/learn/team/", "/policies/"],
    "trainer@example.com": ["/", "/admin/", "/learn/", "/policies/"],
    "hr@example.com": ["/", "/admin/", "/learn/", "/policies/"],
}
# Fewer pages than this means a role's sign-in or navigation quietly broke.
AT_LEAST = {
    "anonymous": 5,
    "newhire@example.com": 30,
    "agent@example.com": 40,
    "manager@example.com": 30,
    "trainer@example.com": 150,
    "hr@example.com": 120,
}
# How many addresses of one route (one page type, for Wagtail's page views) are opened.
PER_ROUTE = 2
# A safety stop: a role that reaches this many pages has found a link that never ends.
PER_ROLE = 900
# Signing out ends the walk; these words in an address mark an action, not a page.
SKIPPED = re.compile(
    r"logout|sign-?out|delete|revoke|withdraw|unpublish|remove|disable|deactivate|"
    r"/start/|/submit/|/complete/|/remind/"
)
SKIPPED_PREFIXES = ("/static/", "/media/")
# The admin's menu is drawn by script from JSON in the page; its addresses are links too.
MENU_URL = re.compile(r'"url": "(/[^"]*)"')
ID = re.compile(r"\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_on(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return resolved(base, parser.hrefs + MENU_URL.findall(html))


def resolved(base: str, hrefs: list[str]) -> list[str]:
    """The same-site addresses among ``hrefs``, absolute paths, actions left out."""
    found = []
    for href in hrefs:
        url = urldefrag(urljoin(base, href.strip()))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another site, mailto:, tel:, javascript:
        path = parts.path
        if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
            continue
        local = path + (f"?{parts.query}" if parts.query else "")
        if SKIPPED.search(local):
            continue
        found.append(local)
    return found


def route_of(url: str) -> str | None:
    """What makes two addresses the same kind of page: the route, its named arguments
    except ids, and for Wagtail's page views the type of page."""
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        return f"page {path}"
    named = []
    for name, value in sorted(match.kwargs.items()):
        if name in ("page_id", "parent_page_id", "pk") and "pages" in match.view_name:
            page = Page.objects.filter(pk=value).select_related("content_type").first()
            named.append(page.content_type.model if page else "?")
        elif not ID.fullmatch(str(value)):
            named.append(f"{name}={value}")
    return " ".join([match.view_name, *named])


def crawl(client: Client, landings: list[str]) -> tuple[int, set[str], list[str]]:
    queue = deque((url, None) for url in landings)
    seen = set(landings)
    visits: Counter[str] = Counter()
    failures: list[str] = []
    visited = 0
    while queue:
        if visited >= PER_ROLE:
            failures.append(f"stopped after {PER_ROLE} pages with {len(queue)} still queued")
            break
        url, shown_on = queue.popleft()
        route = route_of(url)
        if route is not None and visits[route] >= PER_ROUTE:
            continue
        visits[route or url] += 1
        visited += 1
        try:
            response = client.get(url)
        except Exception as error:  # a view or template error, raised by the test client
            first_line = str(error).splitlines()[0] if str(error) else ""
            failures.append(f"{url}: {type(error).__name__}: {first_line}")
            continue
        if response.status_code >= 500:
            failures.append(f"{url}: answered {response.status_code}")
            continue
        if response.status_code == 403 and shown_on is not None:
            # A link the role is shown but may not follow is a broken page too.
            failures.append(f"{url}: answered 403, linked from {shown_on}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            found = resolved(url, [response["Location"]])
        elif response.get("Content-Type", "").startswith("text/html"):
            found = links_on(response.content.decode(), url)
        else:
            continue
        for link in found:
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    return visited, set(visits), failures


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The real demo, seeded once for this module and rolled back after it; each test
    runs inside it and rolls back its own changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", LANDINGS)
def test_every_page_a_role_can_reach_answers_without_an_error(demo, role):
    client = Client()
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(email=role))
    started = time.monotonic()
    visited, routes, failures = crawl(client, LANDINGS[role])
    print(
        f"\ncrawl {role}: {visited} pages, {len(routes)} routes, {time.monotonic() - started:.1f}s"
    )
    assert not failures, "\n".join(failures)
    assert visited >= AT_LEAST[role], f"{role} reached only {visited} pages"

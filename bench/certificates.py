"""Certificate benchmarks: rendering one PDF, memory over many renders, a batch, and the
public verify page with few and very many certificates on record."""

import gc
import os
import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
from weasyprint import HTML

from bench.harness import Result, compare
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.rendering import render_pdf
from certificates.services import certificate_issue
from courses.models import CoursePage

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 1024 / 1024


def one_line_pdf() -> bytes:
    return HTML(string="<p>One line of text.</p>").write_pdf()


def sample_certificate() -> Certificate:
    user = get_user_model().objects.create_user(
        email="bench-holder@example.com", first_name="Bench", last_name="Holder"
    )
    return certificate_issue(user=user, course=CoursePage.objects.get(slug="refunds-done-right"))


def render_against_one_line(certificate) -> Result:
    return compare(
        "certificate PDF vs one-line WeasyPrint PDF",
        lambda: render_pdf(certificate, None),
        one_line_pdf,
        rounds=5,
        iterations=4,
    )


def memory_growth(certificate, renders: int = 500) -> str:
    for _ in range(20):  # warm caches first: fonts, stylesheet, template
        render_pdf(certificate, None)
    gc.collect()
    before = resident_mb()
    for _ in range(renders):
        render_pdf(certificate, None)
    gc.collect()
    growth = resident_mb() - before
    return f"{'resident memory growth over ' + str(renders) + ' renders':<44} {growth:>8.1f} MB"


def batch_against_single(certificate, batch: int = 200) -> str:
    singles = []
    for _ in range(15):
        start = time.perf_counter()
        render_pdf(certificate, None)
        singles.append(time.perf_counter() - start)
    single = statistics.median(singles)
    start = time.perf_counter()
    for _ in range(batch):
        render_pdf(certificate, None)
    each = (time.perf_counter() - start) / batch
    return (
        f"{'per certificate in a batch of ' + str(batch) + ' vs one warm':<44} "
        f"{each / single:>8.2f}x  {each * 1000:.1f} ms vs {single * 1000:.1f} ms"
    )


def fill_certificates(total: int, certificate: Certificate) -> None:
    """Superseded rows in bulk until ``total`` certificates are on record."""
    missing = total - Certificate.objects.count()
    rows = (
        Certificate(
            serial=f"BULK-{n:07d}",
            code=f"bulk-code-{n:07d}-not-a-real-one",
            user_id=certificate.user_id,
            course_id=certificate.course_id,
            learner_name=certificate.learner_name,
            course_title=certificate.course_title,
            version_set=certificate.version_set,
            issued_on=certificate.issued_on,
            status=CertificateStatus.SUPERSEDED,
        )
        for n in range(Certificate.objects.count(), Certificate.objects.count() + missing)
    )
    Certificate.objects.bulk_create(rows, batch_size=2000)


def verify_page(certificate, baseline) -> list[Result]:
    client = Client()
    url = f"/verify/{certificate.code}/"

    def check():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    results = []
    # The per-client limit still counts every lookup; it just never refuses one here.
    with override_settings(VERIFY_LOOKUPS_PER_MINUTE=10**9):
        for total in (1_000, 100_000):
            fill_certificates(total, certificate)
            name = f"/verify/<code>/ with {total:,} certificates"
            results.append(compare(name, check, baseline))
    return results


def run(baseline) -> tuple[list[Result], list[str]]:
    certificate = sample_certificate()
    results = [render_against_one_line(certificate)]
    notes = [batch_against_single(certificate), memory_growth(certificate)]
    results.extend(verify_page(certificate, baseline))
    return results, notes

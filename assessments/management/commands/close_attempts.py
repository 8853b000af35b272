"""Submit timed attempts whose time has run out; safe to run from cron every minute."""

from django.core.management.base import BaseCommand

from assessments.services import attempts_close_expired


class Command(BaseCommand):
    help = "Submit, with what was saved, every attempt whose time limit and grace have passed."

    def handle(self, *args, **options):
        closed = attempts_close_expired()
        self.stdout.write(f"Closed {closed} attempt(s) at their time limit.")

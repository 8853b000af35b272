"""Daily training upkeep: write down expired certificates, open recertification windows,
and send the reminder emails now due. Safe to run from cron every few minutes."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from learning.tasks import schedule_reminders, send_reminders_now


class Command(BaseCommand):
    help = (
        "Expire lapsed certificates, assign recertifications whose window has opened, "
        "and send due reminders; each reminder is sent once however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Instead, queue the background job that repeats this every hour.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            queued = schedule_reminders()
            self.stdout.write("Queued the hourly job." if queued else "Already queued.")
            return
        result = send_reminders_now(today=timezone.localdate())
        self.stdout.write(
            f"Expired {_count(result['expired'], 'certificate')}; "
            f"assigned {_count(result['assigned'], 'recertification')}; "
            f"sent {_count(result['sent'], 'reminder')}."
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

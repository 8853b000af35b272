"""Create or update staff from an HR system's CSV export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.services import StaffFileError, staff_import


class Command(BaseCommand):
    help = (
        "Import staff from a CSV file (employee_number, first_name, last_name, email, "
        "department, job_role, location, manager_employee_number, hire_date, active). "
        "Any bad row is reported with its line and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Path to the CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            result = staff_import(data=data, dry_run=dry_run)
        except StaffFileError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {file.name}.")
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))

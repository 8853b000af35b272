"""Import questions from a GIFT or Moodle XML file into a question bank."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.gift import QuestionFileError
from assessments.services import QUESTION_FILE_FORMATS, questions_import


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT or Moodle XML file into the named bank (made if "
        "missing). Questions that cannot be imported are listed with their position and "
        "why; a file refused as a whole imports nothing and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The question file.")
        parser.add_argument(
            "--format", required=True, choices=sorted(QUESTION_FILE_FORMATS), dest="file_format"
        )
        parser.add_argument("--bank", required=True, help="The bank's name.")

    def handle(self, *args, path: Path, file_format: str, bank: str, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            result = questions_import(data=data, file_format=file_format, bank_name=bank)
        except QuestionFileError as exc:
            raise CommandError(f"{path.name} was not imported: {exc}") from exc
        for skipped in result.skipped:
            title = f" “{skipped.title}”" if skipped.title else ""
            self.stdout.write(
                f"Skipped question {skipped.position}{title} (line {skipped.line}): "
                f"{skipped.reason}"
            )
        self.stdout.write(result.summary)

"""What HR's admin reports and listings share: every spreadsheet export is written to the
audit log, and a filter value that is not among the choices is dropped with a notice
instead of breaking the page."""

from django.db.models import Q
from django.utils.functional import cached_property
from wagtail.log_actions import log

EXPORT_ACTION = "learning.export"


class LoggedExportMixin:
    """For Wagtail index and report views with ``list_export``: each CSV or XLSX download
    leaves a ``learning.export`` entry on the user who took it, naming the report and the
    format, with who and when."""

    export_log_name = None  # the report's name in the log; ``export_filename`` if unset

    def export_log_data(self) -> dict:
        """Anything more the log entry should say about this export."""
        return {}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        user = self.request.user
        log(
            instance=user,
            action=EXPORT_ACTION,
            user=user,
            data={
                "report": self.export_log_name or self.export_filename,
                "format": spreadsheet_format,
                **self.export_log_data(),
            },
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class UnknownFiltersIgnoredMixin:
    """For Wagtail listings with a ``filterset_class``: a value that does not validate (an
    unknown id, a word where a number belongs) is dropped and named in
    ``ignored_filters``, and the listing shows the rest."""

    ignored_filters: tuple[str, ...] = ()

    @cached_property
    def filters(self):
        if not self.filterset_class:
            return None
        data = self.request.GET.copy()
        filterset = self.filterset_class(data=data, request=self.request)
        ignored = []
        if not filterset.is_valid():
            for name in filterset.errors:
                field = filterset.form.fields.get(name)
                if field is None:
                    continue
                ignored.append(str(field.label or name))
                # A range filter reads two keys, such as expires_on_after and _before.
                suffixes = getattr(field.widget, "suffixes", ())
                for key in [name, *(f"{name}_{suffix}" for suffix in suffixes if suffix)]:
                    data.pop(key, None)
            filterset = self.filterset_class(data=data, request=self.request)
        self.ignored_filters = tuple(ignored)
        return filterset

    def chosen(self, name):
        """The cleaned value of one filter, or None when it was not given."""
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data.get(name)
        return None

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["ignored_filters"] = self.ignored_filters
        return context


def filter_by_person_words(queryset, query: str, *, employee: str = "employee__"):
    """Every word must match the person's first name, last name, email or employee
    number; ``employee`` is the path from the queryset's model to the Employee."""
    for word in query.split():
        queryset = queryset.filter(
            Q(**{f"{employee}user__first_name__icontains": word})
            | Q(**{f"{employee}user__last_name__icontains": word})
            | Q(**{f"{employee}user__email__icontains": word})
            | Q(**{f"{employee}employee_number__icontains": word})
        )
    return queryset

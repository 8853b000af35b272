"""Spreadsheet exports that a spreadsheet program can open without running anything."""

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For Wagtail index and report views with ``list_export``: CSV cells never run.

    Wagtail already stores XLSX cells that look like formulas as text; CSV has no cell
    types, so a leading quote marks the cell as text for the spreadsheet program.
    """

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise_formula(self.preprocess_field_value(field, value, "csv"))
                for field, value in row_dict.items()
            }
        )

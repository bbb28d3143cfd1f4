"""What the official or the evaluator attaches to the written report. One entry point:
:func:`export_form`, for a filled form of any kind (and a hand-made 自评表).

- the PDF (LibreOffice): :mod:`.printable` prepares the copy (the kind decides what its form
  hides and how its rows fit: :attr:`perfeval_xl.kinds.FormKind.prepare_print`), in black and white;
- :mod:`.values`: a values-only copy that opens anywhere;
- the report section (Word): the kind's writer (:attr:`perfeval_xl.kinds.FormKind.write_report`)
  in the conventions of :mod:`.word`.

Every file is written beside its target and renamed when complete.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_output
from ..errors import FileError
from ..kinds import kind_of
from ..libreoffice import PDF, convert
from ..reader import evaluate
from .printable import printable_copy
from .values import values_copy

__all__ = ["Exported", "export_form"]


@dataclass
class Exported:
    """The files written, and the scored form they describe (a 自评表's or a 评分表's result)."""

    pdf: Path | None
    values: Path | None
    report: Path | None
    result: Any


def export_form(form: str | Path, *, pdf: Path | None = None, values: Path | None = None,
                report: Path | None = None, sheet: str | None = None, year: int | None = None,
                profile: str | None = None) -> Exported:
    """Write the PDF, the values-only copy and/or the report section of a filled form."""
    form = Path(form)
    results = evaluate(form, sheet=sheet, year=year, profile=profile)
    if len(results) > 1 and (report is not None):
        names = "、".join(r.sheet or "" for r in results)
        raise FileError(f"{form.name} 中有 {len(results)} 张自评表（{names}），导出报告时请用 --sheet 指定一张")
    result = results[0]
    written_pdf = written_values = written_report = None
    with tempfile.TemporaryDirectory(prefix="perfeval-export-") as tmp:
        source = _calculable(form, Path(tmp))
        if pdf is not None:
            copy = printable_copy(source, Path(tmp) / "print" / f"{pdf.stem}.xlsx",
                                  sheets=[r.sheet or "" for r in results])
            produced = convert([copy], PDF, Path(tmp) / "out")[0]
            with atomic_output(pdf) as temporary:
                shutil.copyfile(produced, temporary)
            written_pdf = pdf
        if values is not None:
            written_values = values_copy(source, values)
    if report is not None:
        written_report = kind_of(result).write_report(result, report)
    return Exported(written_pdf, written_values, written_report, result)


def _calculable(form: Path, tmp: Path) -> Path:
    """``form`` itself; an .xls, .et, .ods or .xlsb saved as .xlsx by LibreOffice; or for an
    xlwings-mode form a copy whose UDF calls are native formulas (LibreOffice cannot run the UDFs)."""
    import openpyxl

    from ..form.metadata import read_meta
    from ..kinds.self.native import is_xlwings_form, native_copy
    from ..libreoffice import CALC_XLSX
    from ..reader.opening import check_workbook_file

    if check_workbook_file(form).kind != "xlsx":
        return convert([form], CALC_XLSX, tmp / "xlsx")[0]

    workbook = openpyxl.load_workbook(form, read_only=True, data_only=True, keep_links=False)
    try:
        meta = read_meta(workbook)
    finally:
        workbook.close()
    if not is_xlwings_form(meta):
        return form
    return native_copy(form, meta, tmp / "native" / form.name)

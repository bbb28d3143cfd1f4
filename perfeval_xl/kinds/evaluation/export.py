"""What the evaluator attaches to the evaluation report, from a filled 评分表 form. One entry point:
:func:`export_evaluation_form` (``perfeval-xl export`` on a form of kind ``evaluation``).

- the PDF (LibreOffice): A4 landscape, one page wide, the table's header repeated on every page,
  each row as tall as its text;
- the values-only copy (:func:`perfeval_xl.export.values.values_copy`, shared with the 自评表),
  its rows fitted to their text;
- the report section (Word, :mod:`.report`): the table and the analysis in seed 000's pattern.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ...atomic import atomic_output
from ...export.values import values_copy
from ...form.metadata import read_meta
from ...libreoffice import PDF, convert
from .engine import EvaluationResult
from .layout import SHEET, layout_from_meta
from .reader import evaluate_form
from .report import write_evaluation_report
from .table import fit_table_rows

__all__ = ["EvaluationExported", "export_evaluation_form"]


@dataclass
class EvaluationExported:
    """The files written, and the scored 评分表 they describe."""

    pdf: Path | None
    values: Path | None
    report: Path | None
    result: EvaluationResult


def export_evaluation_form(form: str | Path, *, pdf: Path | None = None, values: Path | None = None,
                           report: Path | None = None) -> EvaluationExported:
    """Write the PDF, the values-only copy and/or the report section of a filled 评分表 form."""
    form = Path(form)
    result = evaluate_form(form)
    written_pdf = written_values = None
    with tempfile.TemporaryDirectory(prefix="perfeval-export-") as tmp:
        if pdf is not None:
            copy = _fitted(form, Path(tmp) / "print" / f"{pdf.stem}.xlsx")
            produced = convert([copy], PDF, Path(tmp) / "out")[0]
            pdf.parent.mkdir(parents=True, exist_ok=True)
            pdf.write_bytes(produced.read_bytes())
            written_pdf = pdf
        if values is not None:
            written_values = _fitted(values_copy(form, values), values)
    written_report = write_evaluation_report(result, report) if report is not None else None
    return EvaluationExported(written_pdf, written_values, written_report, result)


def _fitted(source: Path, dest: Path) -> Path:
    """``source`` saved to ``dest`` with every table row as tall as its text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(source)
    fit_table_rows(workbook[SHEET], layout_from_meta(read_meta(workbook)))
    with atomic_output(dest) as temporary:
        workbook.save(temporary)
    return dest

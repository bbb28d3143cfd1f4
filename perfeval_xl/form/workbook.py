"""The workbook every form kind is written into, and how it is finished: said once for all kinds.

A form is written under a temporary name beside its target and renamed when complete
(:func:`perfeval_xl.atomic.atomic_output`). Its sheets are the kind's main sheet, the hidden 计算
and 参数 sheets and the very hidden _meta sheet; when the kind's parts are written, the sheets are
protected (optionally with a password) and hidden, the locked content fingerprinted, the _meta
record written (sealed with the bureau's key when one is given: :mod:`perfeval_xl.seal`) and the
file closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from .. import __version__
from ..atomic import write_failure
from ..errors import FileError, os_reason
from ..seal import SealKey, seal
from .addresses import CALC_SHEET, META_SHEET, PARAMS_SHEET
from .metadata import content_cells, encode_cells, fingerprint, recorded_fingerprint, spec_hash, write_metadata
from .recording import Formula, RecordingSheet
from .sheet import FormWorkbook, FormWorksheet
from .styles import Styles

PROTECTION = {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
              "format_rows": True}


@dataclass
class FormBook:
    """A form being written: the workbook, its formats and its four sheets."""

    workbook: FormWorkbook
    styles: Styles
    main: RecordingSheet
    calc: RecordingSheet
    params: RecordingSheet
    meta: FormWorksheet
    path: Path  # the target (named in messages)


def open_form(temporary: Path, path: Path, sheet: str, password: str | None, title: str, subject: str,
              company: str, generated_at: dt.datetime) -> FormBook:
    """A new form workbook at ``temporary`` (``path`` is its final name) with its sheets."""
    try:
        workbook = FormWorkbook(str(temporary), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "in_memory": True,
        })
        workbook.protection_password = password
    except OSError as exc:
        raise FileError(f"无法写入 {path}：{os_reason(exc)}") from None
    workbook.set_properties({
        "title": title,
        "subject": subject,
        "author": "perfeval-xl",
        "company": company,
        "created": generated_at.replace(tzinfo=None),
        "comments": "由 perfeval-xl 生成；只可在浅黄色单元格中填写。",
    })
    styles = Styles(workbook)
    main = RecordingSheet(workbook.add_worksheet(sheet, worksheet_class=FormWorksheet))
    calc = RecordingSheet(workbook.add_worksheet(CALC_SHEET, worksheet_class=FormWorksheet))
    params = RecordingSheet(workbook.add_worksheet(PARAMS_SHEET, worksheet_class=FormWorksheet))
    meta = workbook.add_worksheet(META_SHEET, worksheet_class=FormWorksheet)
    return FormBook(workbook, styles, main, calc, params, meta, path)


def protect(book: FormBook, password: str | None) -> str:
    """Protect every sheet, hide the helpers, show the main sheet; the fingerprint of the locked
    content (the main, 参数 and 计算 sheets)."""
    for sheet in (book.main, book.calc, book.params, book.meta):
        sheet.protect(password or "", PROTECTION)
    book.calc.hide()
    book.params.hide()
    book.meta.very_hidden()
    book.main.activate()
    return recorded_fingerprint([book.main, book.params, book.calc])


def issued(book: FormBook, *, kind: str, template_version: str, mode: str, profile: str, spec: Any,
           generated_at: dt.datetime, digest: str, layout: str) -> dict[str, str]:
    """The _meta record of what was issued: the kind and template version, the generator, mode,
    rules, project, the spec's hash, the fingerprints, the layout (as the kind records it), and
    which cells of the main sheet are inputs and formulas."""
    main = book.main
    formulas = [key for key, (content, _) in main.records.items() if isinstance(content, Formula)]
    return {
        "kind": kind,
        "template_version": template_version,
        "generator": f"perfeval-xl {__version__}",
        "mode": mode,
        "profile": profile,
        "year": str(spec.year),
        "project": spec.project,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "spec_hash": spec_hash(spec),
        "fingerprint": digest,
        "layout": layout,
        "content_fingerprint": fingerprint(content_cells([main])),
        "inputs": encode_cells(main.unlocked),
        "formula_cells": encode_cells(formulas),
    }


def finish(book: FormBook, values: dict[str, str], key: SealKey | None) -> None:
    """Write the _meta record (sealed with ``key``) and close the workbook."""
    if key is not None:
        values.update(seal(key, values, [(address, kind, text)
                                         for _, address, kind, text in content_cells([book.main])]))
    write_metadata(book.meta, values, book.styles.get(font_size=9))
    try:
        book.workbook.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise write_failure(book.path, exc) from None


__all__ = ["FormBook", "finish", "issued", "open_form", "protect"]

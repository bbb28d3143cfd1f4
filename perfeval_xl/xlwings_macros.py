"""What the buttons of the xlwings-mode 自评表 run (through the add-in's RunPython).

- 检查本表 → :func:`check`: the engine on the workbook's current inputs, its
  findings in a message box (and, when they are many, in a text file beside
  the workbook);
- 导出附件 → :func:`export`: the PDF and the values-only copy beside the workbook
  (named as ``perfeval-xl export`` names them), by the export library
  (``perfeval_xl.export.export_form``).

Both take the workbook from ``xlwings.Book.caller()``; tests pass a stand-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import display
from .engine import ProjectResult, score_project
from .errors import PerfEvalError
from .findings import Severity
from .form.addresses import META_SHEET
from .kinds.self.layout import SHEET
from .kinds.self.reader import compare_shown, read_ours_values
from .reader.cells import GridSheet

CHECK_TITLE = "检查本表"
EXPORT_TITLE = "导出附件"
SHOWN = 15  # findings in the message box; the rest go to the text file


def check(book: Any = None) -> str:
    """Check the calling workbook; show and return the message."""
    book = book or _caller()
    try:
        form = read_ours_values({SHEET: GridSheet(SHEET, _grid(book), [])}, _meta(book), book.name)
        result = score_project(form.spec)
        result.findings[:0] = form.findings + compare_shown(form, result)
    except PerfEvalError as exc:
        message = f"无法检查本表：{exc}"
    else:
        message = check_message(result, Path(book.fullname))
    book.app.alert(message, title=CHECK_TITLE)
    return message


def check_message(result: ProjectResult, workbook: Path) -> str:
    """The message box text: the summary, then the findings, errors first."""
    found = sorted(result.all_findings(), key=lambda f: list(Severity).index(f.severity))
    counts = {s: sum(1 for f in found if f.severity is s) for s in Severity}
    head = (f"总分 {display.number(result.total)}，{'评价等级 ' + result.grade if result.grade else '尚未填写完整，暂不定级'}。"
            f"错误 {counts[Severity.ERROR]} 条，警告 {counts[Severity.WARNING]} 条，提示 {counts[Severity.NOTE]} 条。")
    if not found:
        return head + "\n未发现问题。"
    lines = [f.render() for f in found]
    text = head + "\n\n" + "\n".join(lines[:SHOWN])
    if len(lines) > SHOWN:
        report = workbook.with_name(workbook.stem + "-检查结果.txt")
        try:
            report.write_text(head + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
            text += f"\n……另有 {len(lines) - SHOWN} 条，完整列表见 {report}"
        except OSError:
            text += f"\n……另有 {len(lines) - SHOWN} 条（可运行 perfeval-xl check 查看全部）"
    return text


def export(book: Any = None) -> str:
    """Export the calling workbook's attachments (PDF and values-only copy) beside it."""
    from .export import export_form

    book = book or _caller()
    path = Path(book.fullname)
    book.save()  # the export reads the file: it must hold what is on screen
    try:
        done = export_form(path, pdf=path.with_suffix(".pdf"), values=path.with_name(f"{path.stem}-数值.xlsx"))
    except PerfEvalError as exc:
        message = f"导出失败：{exc}"
    else:
        written = [p for p in (done.pdf, done.values) if p is not None]
        message = "已导出：\n" + "\n".join(str(p) for p in written)
    book.app.alert(message, title=EXPORT_TITLE)
    return message


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _grid(book: Any) -> list[list[Any]]:
    sheet = book.sheets[SHEET]
    return sheet.used_range.options(ndim=2).value or []


def _meta(book: Any) -> dict[str, str]:
    sheet = book.sheets[META_SHEET]
    rows = sheet.used_range.options(ndim=2).value or []
    return {str(r[0]): "" if r[1] is None else str(r[1]) for r in rows if r and r[0] and len(r) > 1}

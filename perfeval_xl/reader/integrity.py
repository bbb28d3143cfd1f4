"""Whether a form of ours is as it was issued: said once for every form kind.

A form's _meta records what was issued (:mod:`perfeval_xl.form.metadata`): a fingerprint of every
locked cell (labels, names, targets, weights, formulas, rule numbers), a content fingerprint of the
main sheet's locked constants with the positions of its inputs and formulas, its template version,
and — when issued with the bureau's key — its seal. A kind's reader asks here:

- with openpyxl (formulas, protection): :func:`workbook_altered` — the full fingerprint, and the
  formula cells that now hold a number;
- from values alone (python-calamine): :func:`content_entries` and :func:`content_fingerprint` —
  the constants where _meta says neither inputs nor formulas are;
- :func:`check_seal` / :func:`unsealed` — the seal under the bureau's key;
- :func:`recalculated` — whether a spreadsheet program last calculated the stored results (only
  then are they compared with the engine's).

Every finding names the kind's main sheet and says what to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from .. import findings as F
from ..errors import FormError
from ..findings import Finding
from ..form.addresses import META_SHEET
from ..form.metadata import RECALC_PROBE_ROW, canonical, decode_cells, fingerprint, fingerprint_joined, workbook_cells
from ..kinds import FormKind
from ..seal import Entry, SealKey, explain, verify
from .cells import COLUMN_NAMES, Sheet

VALUES_ONLY = "values-only"  # _meta's mode of a values-only copy (perfeval_xl.export.values)
ADVICE = "请使用财政局下发的原表重新填写，或联系财政局核实"
_ADDRESS = re.compile(r"([A-Z]+)(\d+)")


class BrokenMeta(FormError):
    """_meta holds what no form could have (the readers add the file's name: :func:`named`)."""


def named(source: str, exc: BrokenMeta) -> FormError:
    return FormError(f"{Path(source).name} 的{exc}")


def broken_meta(kind: FormKind, what: str) -> BrokenMeta:
    """_meta holds something no form of ``kind`` has (written by hand): the form cannot be read."""
    return BrokenMeta(f"{kind.sheet}中隐藏的下发记录（_meta）已损坏或被改动（{what}不是任何{kind.sheet}会有的），"
                     f"无法按下发时的版式读取；{ADVICE}")


def listed_cells(meta: dict[str, str], key: str, kind: FormKind) -> frozenset[tuple[int, int]]:
    """The cells _meta lists under ``key`` ("inputs", "formula_cells"), or FormError."""
    try:
        return decode_cells(meta.get(key, ""))
    except (ValueError, KeyError):
        raise broken_meta(kind, "可填写或公式单元格的范围") from None


def altered(kind: FormKind, detail: str = "") -> Finding:
    """The locked content differs from what was issued (``detail``: the formulas now numbers)."""
    return F.error("form-altered", kind.sheet,
                   f"表中锁定的内容（{kind.locked_content}、公式或计分参数）与下发时不一致{detail}；{ADVICE}",
                   f"{kind.sheet}!A1")


def values_copy(kind: FormKind) -> Finding:
    return F.note("values-copy", kind.sheet, "这是只含数值的副本（公式已换成数值），按表中填写的数值重新计算")


def unprotected(kind: FormKind) -> Finding:
    """Sheet protection taken off the main sheet: every locked cell can then be typed over."""
    return F.warning(
        "protection-removed", kind.sheet,
        f"{kind.sheet}的工作表保护已被取消，锁定的单元格（{kind.locked_cells}）可以被改动；锁定内容是否与下发时一致见其他提示，"
        "请向填报单位核实为何取消保护", f"{kind.sheet}!A1")


def unsealed(key: SealKey, kind: FormKind) -> Finding:
    """With a key, a workbook that is not one of our forms cannot show it was issued."""
    return F.error("seal-invalid", kind.sheet,
                   f"该表没有财政局的印章：不是用本局密钥下发的{kind.sheet}（手工制作，或下发记录已被删除），"
                   f"无法证明由财政局下发；{ADVICE}")


def has_formulas(formulas: Any, meta: dict[str, str], kind: FormKind) -> bool:
    """Whether any of the main sheet's formula cells (as _meta lists them) still holds a formula:
    a form whose _meta merely says "values-only" but keeps its formulas is no copy."""
    sheet = formulas[kind.sheet]
    return any(sheet.cell(row + 1, col + 1).data_type == "f" for row, col in listed_cells(meta, "formula_cells", kind))


def workbook_altered(formulas: Any, meta: dict[str, str]) -> bool:
    """Whether the locked cells of an openpyxl workbook (formulas included) differ from those issued."""
    return fingerprint(workbook_cells(formulas)) != meta.get("fingerprint")


def replaced_formulas(formulas: Any, kind: FormKind, cells: list[tuple[str, int, int, str]]) -> str:
    """The detail of an altered form: which of ``cells`` (sheet, row, col, how to name it) no longer
    hold a formula ("" when none)."""
    replaced = []
    for sheet_name, row, col, name in cells:
        if sheet_name not in formulas.sheetnames:
            continue
        c = formulas[sheet_name].cell(row + 1, col + 1)
        if c.value is not None and c.data_type != "f":
            replaced.append(name)
    return f"；公式被改成数值的单元格：{'、'.join(replaced[:10])}" if replaced else ""


def content_entries(sheet: Sheet, meta: dict[str, str], kind: FormKind) -> list[Entry]:
    """(address, kind, text) of the main sheet's locked constants, from values (see
    :func:`perfeval_xl.form.metadata.content_cells`): every filled cell that _meta lists neither as
    an input nor as a formula."""
    skip = listed_cells(meta, "inputs", kind) | listed_cells(meta, "formula_cells", kind)
    entries = []
    for (row, col), value in sheet.filled():
        if (row - 1, col - 1) in skip:
            continue
        if isinstance(value, str):
            kind_code, text = "s", value
        else:
            kind_code, text = canonical(value)
        name = COLUMN_NAMES[col - 1] if col <= len(COLUMN_NAMES) else xl_col_to_name(col - 1)
        entries.append((f"{name}{row}", kind_code, text))
    return entries


def content_fingerprint(entries: list[Entry], kind: FormKind) -> str:
    """The fingerprint of the main sheet's locked constants, from values.

    Written for speed (it runs on every file of a consolidation); it hashes exactly what
    :func:`~perfeval_xl.form.metadata.fingerprint` hashes for the same cells."""
    prefix = kind.sheet + "\x1f"
    joined = [f"{prefix}{address}\x1f{code}\x1f{text}" for address, code, text in entries]
    joined.sort()
    return fingerprint_joined(joined)


def content_altered(entries: list[Entry], meta: dict[str, str], kind: FormKind) -> bool:
    """Whether the main sheet's locked constants differ from those the form was issued with."""
    expected = meta.get("content_fingerprint")
    return bool(expected) and content_fingerprint(entries, kind) != expected


def check_seal(key: SealKey, meta: dict[str, str], entries: list[Entry], kind: FormKind,
               names: dict[int, str], labels: dict[int, str]) -> list[Finding]:
    """A ``seal-invalid`` error unless the form's seal holds under ``key``, naming what differs:
    a cell of a table row by the row's name (``names``: 1-based row -> 三级指标) and the column's
    label (``labels``: 0-based column -> 分值, 年度指标值 …), any other cell by its address."""
    found = verify(key, meta, entries)
    if found.valid:
        return []

    def describe(address: str) -> str:
        found_cell = _ADDRESS.fullmatch(address)
        if not found_cell:
            return address
        letters, row = found_cell.group(1), int(found_cell.group(2))
        col = COLUMN_NAMES.index(letters) if letters in COLUMN_NAMES else -1
        if row not in names or col not in labels:
            return f"单元格 {address}"
        name = f"“{names[row]}”" if names[row] else ""
        return f"第 {row} 行{name}的{labels[col]}（{address}）"

    return [F.error("seal-invalid", kind.sheet, explain(found, key, meta, describe), f"{kind.sheet}!A1")]


def recalculated(values: Any) -> bool:
    """Whether the stored results of an openpyxl workbook (read with data_only) come from a
    spreadsheet program: the _meta probe shows 2 once anything recalculated it (a values-only copy
    keeps it)."""
    return bool(values[META_SHEET].cell(row=RECALC_PROBE_ROW + 1, column=2).value == 2)


def recalculated_meta(meta: dict[str, str]) -> bool:
    """:func:`recalculated` from _meta's values (the fast path)."""
    return meta.get("recalc_probe") in ("2", "2.0")


__all__ = [
    "VALUES_ONLY",
    "BrokenMeta",
    "altered",
    "broken_meta",
    "check_seal",
    "content_altered",
    "content_entries",
    "content_fingerprint",
    "has_formulas",
    "listed_cells",
    "named",
    "recalculated",
    "recalculated_meta",
    "replaced_formulas",
    "unprotected",
    "unsealed",
    "values_copy",
    "workbook_altered",
]

"""The values-only copy: every formula replaced by the value it computes.

The form is recalculated by LibreOffice first (a file filled by a program other
than a spreadsheet may carry no results at all), then each formula cell of the
original gets the recalculated value. Layout, styles, validation and protection
stay; macros do not (it is saved as .xlsx), so the copy opens anywhere and shows
exactly what the form showed.
"""

from __future__ import annotations

import re
import tempfile
import warnings
import zipfile
from pathlib import Path

import openpyxl

from ..atomic import atomic_output
from ..form.addresses import META_SHEET
from ..form.metadata import read_meta
from ..libreoffice import recalculate
from ..reader import form_kind
from ..reader.integrity import VALUES_ONLY


def values_copy(form: Path, dest: Path) -> Path:
    """Write the values-only copy of ``form`` to ``dest`` (.xlsx)."""
    with tempfile.TemporaryDirectory(prefix="perfeval-values-") as tmp:
        source = Path(tmp) / ("source" + form.suffix.lower())
        source.write_bytes(form.read_bytes())
        recalculated = recalculate([source], Path(tmp) / "recalculated")[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            original = openpyxl.load_workbook(form, keep_vba=False)
            computed = openpyxl.load_workbook(recalculated, data_only=True)
        for ws in original.worksheets:
            if ws.title not in computed.sheetnames:
                continue
            values = computed[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        c.value = values[c.coordinate].value
    kind = form_kind(read_meta(original), original.sheetnames)
    if kind is not None:  # rows tall enough for the text typed since the form was made
        kind.fit_rows(original)
    if META_SHEET in original.sheetnames:
        _mark_values_only(original[META_SHEET])
    with atomic_output(dest) as temporary:
        original.save(temporary)
        _order_font_elements(temporary)
    return dest


# The order the Open XML SDK (and so Excel's strictest readers) expects inside <font>; openpyxl
# writes name, family, b, color, sz …, which the SDK's schema check reports as errors.
FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
              "name", "family", "charset", "scheme")
_FONT = re.compile(rb"<font>((?:<\w+\b[^<>]*/>)*)</font>")
_CHILD = re.compile(rb"<(\w+)\b[^<>]*/>")


def _order_font_elements(path: Path) -> None:
    """Rewrite the <font> elements of a saved workbook's styles in the schema's order."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    rank = {name.encode(): i for i, name in enumerate(FONT_ORDER)}

    def ordered(match: re.Match[bytes]) -> bytes:
        children = [(m.group(1), m.group(0)) for m in _CHILD.finditer(match.group(1))]
        if any(name not in rank for name, _ in children):
            return match.group(0)
        return b"<font>" + b"".join(text for _, text in sorted(children, key=lambda c: rank[c[0]])) + b"</font>"

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "xl/styles.xml":
                data = _FONT.sub(ordered, data)
            archive.writestr(info, data)


def _mark_values_only(meta: object) -> None:
    """Say in _meta that this copy has no formulas, so a reader does not call it altered."""
    for row in meta.iter_rows(min_col=1, max_col=2):  # type: ignore[attr-defined]
        if row[0].value == "mode":
            row[1].value = VALUES_ONLY

"""The mark perfeval-xl puts on the workbooks it writes that are not forms to fill in.

A review (汇总.xlsx), a manifest (生成清单.xlsx) and a targets list (绩效目标清单.xlsx) carry
the custom document property ``perfeval-xl-file`` naming what they are, so that a
consolidation finds them among the returned forms and passes over them
(:mod:`perfeval_xl.consolidate.own_outputs`). Excel, WPS and LibreOffice keep custom
properties when they save a file.
"""

from __future__ import annotations

from typing import Any

MARKER = "perfeval-xl-file"
KINDS = {"review": "汇总表", "manifest": "生成清单", "targets": "绩效目标清单"}


def mark(workbook: Any, kind: str) -> None:
    """Mark an xlsxwriter workbook as perfeval-xl's ``kind`` of file (a key of KINDS)."""
    if kind not in KINDS:
        raise ValueError(kind)
    workbook.set_custom_property(MARKER, kind)

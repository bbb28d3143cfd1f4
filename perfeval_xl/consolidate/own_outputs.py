"""perfeval-xl's own files among the returns: recognised and passed over with a note.

A finance bureau keeps its review (汇总.xlsx), the manifest of the forms it sent
(生成清单.xlsx) and its targets list next to the returned forms, and often writes
the next review into the same folder. None of them is a return. Our writers mark
each (:mod:`perfeval_xl.filemarks`: a custom document property ``perfeval-xl-file`` =
review / manifest / targets), which Excel, WPS and LibreOffice keep when they save it; a file
whose properties were lost is still known by its sheets (汇总 + 问题清单 + 说明;
项目 + 问题; 绩效目标 + 填写说明) unless it also holds a form. The file named as
the output of this run is never read either. Only the zip's directory and two
small parts are read, and only from files whose zip directory (read from the end of the
file) looks like one of ours: a form costs some 20 microseconds.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..filemarks import KINDS, MARKER

SIGNATURES = (  # kind, sheets that together name it
    ("review", frozenset({"汇总", "问题清单", "说明"})),
    ("manifest", frozenset({"项目", "问题"})),
    ("targets", frozenset({"绩效目标", "填写说明"})),
)
FORM_SHEETS = frozenset({"自评表", "_meta"})  # a workbook holding a form of ours is a return
PART_LIMIT = 1 << 20  # a part larger than this is not one we wrote

_PROPERTY = re.compile(r'<property\b[^>]*\bname="' + re.escape(MARKER) + r'"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>')
_SHEET_NAME = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"')


def _part(archive: zipfile.ZipFile, name: str) -> str | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > PART_LIMIT:
        return None
    return archive.read(info).decode("utf-8", "replace")


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


TAIL = 1 << 13  # the end of a file, where a zip keeps its directory of parts (ours: some 4 KB)


def _worth_opening(path: Path) -> bool:
    """Whether a file may be one of ours, from the part names in its zip directory (its last bytes):
    one with custom properties, or laid out as our review (charts, seven sheets or more) or as a
    manifest or list (three sheets) would be. A form of ours (four sheets) or a typical return is
    passed in a fraction of the time opening it would take."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL))
            tail = handle.read()
    except OSError:
        return False
    if b"PK\x05\x06" not in tail:  # no end of a zip directory in reach: let the full check decide
        return True
    if b"docProps/custom.xml" in tail or b"xl/charts/" in tail or b"xl/worksheets/sheet7.xml" in tail:
        return True
    return b"xl/worksheets/sheet3.xml" in tail and b"xl/worksheets/sheet4.xml" not in tail


def own_kind(path: Path) -> str | None:
    """Which of perfeval-xl's own files ``path`` is (a key of KINDS), or None for anything else,
    including files that cannot be opened (the reader then says why)."""
    if not _worth_opening(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            custom = _part(archive, "docProps/custom.xml")
            if custom is not None:
                found = _PROPERTY.search(custom)
                if found and found.group(1) in KINDS:
                    return found.group(1)
            workbook = _part(archive, "xl/workbook.xml")
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError):
        return None
    if workbook is None:
        return None
    names = {_unescape(n) for n in _SHEET_NAME.findall(workbook)}
    if names & FORM_SHEETS:
        return None
    for kind, sheets in SIGNATURES:
        if sheets <= names:
            return kind
    return None


@dataclass
class OwnFile:
    """A file passed over, and why."""

    path: Path
    note: str


def note_for(kind: str) -> str:
    return f"perfeval-xl 生成的{KINDS[kind]}，不是回收的自评表，未读取"


OUTPUT_NOTE = "本次汇总要写出的汇总表，未作为回收的自评表读取"


def set_aside(files: Iterable[Path], output: Path | None) -> tuple[list[Path], list[OwnFile]]:
    """Split ``files`` into the returns to read and perfeval-xl's own files (with a note each)."""
    target = _resolved(output) if output is not None else None
    keep: list[Path] = []
    own: list[OwnFile] = []
    for path in files:
        if target is not None and _resolved(path) == target:
            own.append(OwnFile(path, OUTPUT_NOTE))
            continue
        kind = own_kind(path)
        if kind is None:
            keep.append(path)
        else:
            own.append(OwnFile(path, note_for(kind)))
    return keep, own


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()

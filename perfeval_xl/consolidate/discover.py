"""Which files a consolidation reads: files, folders (recursively) and glob patterns."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..reader.opening import WORKBOOK_SUFFIXES


@dataclass
class Discovery:
    """The files found, and what was passed over."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not workbooks, by extension
    missing: list[str] = field(default_factory=list)  # inputs that match nothing


def _candidate(path: Path) -> bool:
    name = path.name
    return not name.startswith("~$") and not name.startswith(".")


def discover(inputs: list[str]) -> Discovery:
    """Expand ``inputs``. A file named explicitly is always read; in folders and globs
    only workbook extensions are, and Office's "~$" lock files and hidden files never."""
    found = Discovery()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for item in inputs:
        path = Path(item)
        if path.is_file():
            add(path)
        elif path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    child = Path(root) / name
                    if not _candidate(child):
                        continue
                    if child.suffix.lower() in WORKBOOK_SUFFIXES:
                        add(child)
                    else:
                        found.skipped.append((child, f"不是 Excel 文件（{child.suffix or '无扩展名'}），已跳过"))
        elif any(ch in item for ch in "*?["):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                found.missing.append(item)
            for match in matches:
                child = Path(match)
                if child.is_file() and _candidate(child) and child.suffix.lower() in WORKBOOK_SUFFIXES:
                    add(child)
        else:
            found.missing.append(item)
    return found

"""Open whatever the user points a command at: a spec file or a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import FileError
from .kinds import KINDS, SELF, FormKind, get_kind, spec_kind
from .pathtext import refuse_special
from .reader.opening import WORKBOOK_SUFFIXES
from .seal import SealKey
from .spec import ProjectSpec, load_spec

SPEC_SUFFIXES = {".yaml", ".yml", ".json"}


def _kind(path: Path) -> str:
    if not path.exists():
        raise FileError(f"找不到文件 {path}，请检查路径是否正确")
    if path.is_dir():
        raise FileError(f"{path} 是文件夹，请指定一个项目文件（.yaml/.json）或自评表（.xlsx）")
    refuse_special(path, FileError, "一个项目文件（.yaml/.json）或自评表（.xlsx）")
    suffix = path.suffix.lower()
    if suffix in SPEC_SUFFIXES:
        return "spec"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    raise FileError(
        f"无法识别文件 {path} 的类型（{suffix or '无扩展名'}），"
        f"请提供项目文件（.yaml、.yml、.json）或自评表（{'、'.join(sorted(WORKBOOK_SUFFIXES))}）"
    )


def load_projects(path: str | Path) -> list[ProjectSpec]:
    """The 自评表 projects in ``path``: one for a spec file, one per 自评表 sheet for a workbook."""
    path = Path(path)
    if _kind(path) == "spec":
        return [load_spec(path)]
    from .reader import read_projects

    return [read.spec for read in read_projects(path)]


def spec_kind_of(path: Path) -> FormKind:
    """The kind a spec file declares (an unknown kind: the 自评表's loader says what is wrong)."""
    declared = spec_kind(path)
    return get_kind(declared if declared in KINDS else SELF)


def load_spec_file(path: str | Path) -> Any:
    """The spec in a spec file, of the kind it declares (``kind:``; none is a 自评表)."""
    path = Path(path)
    if _kind(path) != "spec":
        return load_projects(path)[0]  # a 自评表 workbook as a spec (as before kinds)
    return spec_kind_of(path).load_spec(path)


def evaluate_input(path: str | Path, *, sheet: str | None = None, year: int | None = None,
                   profile: str | None = None, key: SealKey | None = None) -> list[Any]:
    """Score what ``path`` holds: a spec of any kind, or every form of a workbook — ours of any
    kind, or hand-made 自评表 — cross-checked (``key``: its seal checked too)."""
    path = Path(path)
    if _kind(path) == "spec":
        kind = spec_kind_of(path)
        return [kind.score(kind.load_spec(path))]
    from .reader import evaluate

    return evaluate(path, sheet=sheet, year=year, profile=profile, key=key)

"""Open whatever the user points a command at: a spec file or a workbook."""

from __future__ import annotations

from pathlib import Path

from .engine import ProjectResult, score_project
from .errors import FileError
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
    """The projects in ``path``: one for a spec file, one per 自评表 sheet for a workbook."""
    path = Path(path)
    if _kind(path) == "spec":
        return [load_spec(path)]
    from .reader import read_projects

    return [read.spec for read in read_projects(path)]


def evaluate_input(path: str | Path, *, sheet: str | None = None, year: int | None = None,
                   profile: str | None = None, key: SealKey | None = None) -> list[ProjectResult]:
    """Score what ``path`` holds: a spec, or every 自评表 of a workbook (cross-checked; ``key``:
    its seal checked too)."""
    path = Path(path)
    if _kind(path) == "spec":
        return [score_project(load_spec(path))]
    from .reader import evaluate

    return evaluate(path, sheet=sheet, year=year, profile=profile, key=key)

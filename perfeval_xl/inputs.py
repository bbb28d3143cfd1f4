"""Open whatever the user points a command at: a spec file (and, later, a workbook)."""

from __future__ import annotations

from pathlib import Path

from .errors import FileError
from .spec import ProjectSpec, load_spec

SPEC_SUFFIXES = {".yaml", ".yml", ".json"}


def load_projects(path: str | Path) -> list[ProjectSpec]:
    """The projects in ``path``: one for a spec file."""
    path = Path(path)
    if not path.exists():
        raise FileError(f"找不到文件 {path}，请检查路径是否正确")
    if path.is_dir():
        raise FileError(f"{path} 是文件夹，请指定一个项目文件（.yaml/.json）")
    suffix = path.suffix.lower()
    if suffix in SPEC_SUFFIXES:
        return [load_spec(path)]
    raise FileError(
        f"无法识别文件 {path} 的类型（{suffix or '无扩展名'}），"
        "请提供项目文件（.yaml、.yml、.json）"
    )

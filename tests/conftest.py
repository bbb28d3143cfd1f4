"""The golden-case collector: pytest collects each tests/golden/*.yaml as one test
named by its sentence (see golden_cases.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from golden_cases import GOLDEN_DIR, check_expectations, golden_result, load_golden


class GoldenItem(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        result = golden_result(self.case)
        diffs = check_expectations(result, self.case["expect"])
        if diffs:
            raise GoldenMismatch(diffs)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, GoldenMismatch):
            return "\n".join([f"golden case “{self.case['name']}”:", *excinfo.value.args[0]])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden: {self.case['name']}"


class GoldenMismatch(Exception):
    pass


class GoldenFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        case = load_golden(self.path)
        yield GoldenItem.from_parent(self, name=case["name"], case=case)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == GOLDEN_DIR:
        return GoldenFile.from_parent(parent, path=file_path)
    return None

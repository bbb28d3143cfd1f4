"""Generated workbooks equal their approved copies, XML part by XML part."""

from pathlib import Path

import pytest
from approved_forms import APPROVED, CASES, build, differences


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_the_approved_copy(name: str, tmp_path: Path) -> None:
    got = build(name, tmp_path)
    diffs = differences(got, APPROVED / f"{name}.xlsx")
    assert not diffs, "run `make approve` after a deliberate change:\n" + "\n".join(diffs)

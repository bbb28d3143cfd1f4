"""Forms issued with an earlier template version still read after the layout changes (issue 14).

``tests/approved/v2/`` holds the approved copies as they were at template version 2 (commit
2e9f1e7, before the 计算 sheet gained the helper columns of amounts typed with a unit of money),
``tests/approved/v3/`` as they were at version 3 (commit 0eebe8b, before the helper column ARAW of
a percentage written without its %): files exactly as perfeval-xl issued them then, kept byte for byte. Each is read through the
reader its _meta's template version chooses, and must give what the engine gives on the spec it
was made from; and a form that claims a version newer than this perfeval-xl knows is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfeval_xl import __version__
from perfeval_xl.demo import blank, load_example
from perfeval_xl.engine import ProjectResult, score_project
from perfeval_xl.errors import FormError
from perfeval_xl.form.metadata import META_KEYS, read_meta
from perfeval_xl.kinds import get_kind
from perfeval_xl.kinds.self.layout import FUND_COLUMNS, TEMPLATE_VERSION, VERSIONS, Col
from perfeval_xl.kinds.self.reader import layout_from_meta, version_of
from perfeval_xl.reader import evaluate
from perfeval_xl.reader.fast import evaluate_fast
from perfeval_xl.spec import ProjectSpec

APPROVED = Path(__file__).parent / "approved"
V2 = APPROVED / "v2"
OLD_VERSIONS = ("2", "3")
# each version-2 copy and the spec it was generated from (tests/approved_forms.py at 2e9f1e7)
MADE_FROM: dict[str, Callable[[], ProjectSpec]] = {
    "caidian-2019-quality-filled": lambda: load_example("caidian-2019-quality"),
    "donghu-2018-quality-blank": lambda: blank(load_example("donghu-2018-quality")),
}


def outcome(result: ProjectResult) -> tuple[object, ...]:
    """What a reviewer looks at: every indicator's score, the blocks, execution, total, grade, status."""
    return ([(r.spec.name, r.weight, r.score) for r in result.indicators],
            [(b.name, b.score) for b in result.blocks],
            (result.execution.rate, result.execution.score),
            result.total, result.grade, result.complete, result.status())


def errors(result: ProjectResult) -> list[str]:
    return [f.render() for f in result.all_findings() if f.severity == "error"]


def test_the_fixtures_are_old_versions_and_the_current_template_is_newer() -> None:
    """The point of the fixtures: they are not what the writer makes today."""
    assert TEMPLATE_VERSION not in OLD_VERSIONS
    for version in OLD_VERSIONS:
        assert version in get_kind("self").readable_versions
        for name in MADE_FROM:
            meta = read_meta(openpyxl.load_workbook(APPROVED / f"v{version}" / f"{name}.xlsx"))
            assert meta["template_version"] == version and version_of(meta) is VERSIONS[version]
            assert Col.ARAW not in version_of(meta).helpers  # the helper of the current version
            assert version_of(meta).amounts_as_text == (version == "3")
            assert meta.get("kind") == (None if version == "2" else "self")  # kinds came with version 3


@pytest.mark.parametrize("version", OLD_VERSIONS)
@pytest.mark.parametrize("name", sorted(MADE_FROM))
def test_an_old_version_form_reads_as_the_engine_scores_its_spec(name: str, version: str) -> None:
    form = APPROVED / f"v{version}" / f"{name}.xlsx"
    want = score_project(MADE_FROM[name]())
    [full] = evaluate(form)
    [quick], _ = evaluate_fast(form)
    for got in (full, quick):
        assert got.kind == "perfeval-xl" and got.sheet == "自评表"
        assert outcome(got) == outcome(want)
        assert errors(got) == errors(want)
        assert not [f for f in got.all_findings() if f.code in ("form-altered", "formula-altered")]
    if name.endswith("filled"):
        assert want.total > 0 and want.grade is not None  # a real score, not two empty results


def _fill(path: Path, spec: ProjectSpec, dest: Path) -> None:
    """Type a spec's inputs into a blank form as an official would (openpyxl, no recalculation)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["自评表"]
    layout = layout_from_meta(read_meta(workbook))
    rows = {place.spec_index: place.row for place in layout.indicators if place.spec_index is not None}
    for index, indicator in enumerate(spec.indicators):
        for col, value in ((Col.ACTUAL, indicator.actual), (Col.REASON, indicator.reason or None)):
            if value is not None:
                sheet.cell(rows[index] + 1, col + 1, value if isinstance(value, str) else float(str(value)))
    for key, amounts in spec.funds.items():
        for field_name, col in FUND_COLUMNS.items():
            value = getattr(amounts, field_name)
            if value is not None:
                sheet.cell(layout.funds[key] + 1, col + 1, float(value))
    workbook.save(dest)


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_an_old_version_blank_filled_in_today_reads_as_the_engine_scores_it(version: str, tmp_path: Path) -> None:
    """The 东湖 form issued at an old version, filled in after the upgrade: the reader of that version
    scores what was typed (no recalculation: the engine's result is what counts) as the engine does."""
    filled = dataclasses.replace(load_example("donghu-2018-quality"), stated=blank(load_example(
        "donghu-2018-quality")).stated, goal_actual="")
    filled = dataclasses.replace(filled, indicators=tuple(dataclasses.replace(i, score=None)
                                                          for i in filled.indicators))
    _fill(APPROVED / f"v{version}" / "donghu-2018-quality-blank.xlsx", filled, tmp_path / "filled.xlsx")
    want = score_project(filled)
    assert want.total > 0 and want.complete
    [got] = evaluate(tmp_path / "filled.xlsx")
    assert outcome(got)[:-1] == outcome(want)[:-1]
    assert (got.total, got.grade) == (want.total, want.grade)


def _claim_version(source: Path, version: str, dest: Path) -> Path:
    workbook = openpyxl.load_workbook(source)
    meta = workbook["_meta"]
    row = next(r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == "template_version")
    meta.cell(row, 2).value = version
    workbook.save(dest)
    return dest


@pytest.mark.parametrize("read", [lambda p: evaluate(p), lambda p: evaluate_fast(p)], ids=["openpyxl", "values"])
def test_a_form_from_a_future_template_version_is_refused(read: Callable[[Path], Any], tmp_path: Path) -> None:
    form = _claim_version(V2 / "caidian-2019-quality-filled.xlsx", "99", tmp_path / "来年的表.xlsx")
    with pytest.raises(FormError) as info:
        read(form)
    assert str(info.value) == (
        f"来年的表.xlsx的模板版本是 99（由 perfeval-xl 0.1.0 生成），比本机 perfeval-xl {__version__} 能读取的"
        f"项目支出绩效自评表模板版本（1–{TEMPLATE_VERSION}）新，无法按其版式读取：请升级 perfeval-xl"
        "（pip install -U perfeval-xl）后再读取，或请下发单位用本机的版本重新生成该表")


def test_a_template_version_no_form_can_have_is_called_a_damaged_record(tmp_path: Path) -> None:
    form = _claim_version(V2 / "caidian-2019-quality-filled.xlsx", "二", tmp_path / "改过的表.xlsx")
    with pytest.raises(FormError) as info:
        evaluate(form)
    assert str(info.value).startswith("改过的表.xlsx中隐藏的下发记录（_meta）写的模板版本“二”不是任何项目支出绩效自评表会有的")
    assert "kind" in META_KEYS  # forms written now record their kind; the version-2 ones do not

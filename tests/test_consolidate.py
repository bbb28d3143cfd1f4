"""Consolidation: a folder of 200 filled forms plus broken files gives a review in which
every project has the total `perfeval-xl score` gives and every broken file its reason;
the store is incremental, keeps history, survives an interrupted run, and rebuilds."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from formcases import make_case
from handmade_forms import seed_003_workbook
from msoffcrypto.format.ooxml import OOXMLFile

from perfeval_xl.cli import cli
from perfeval_xl.consolidate import consolidate
from perfeval_xl.consolidate.store import Store
from perfeval_xl.engine import score_project
from perfeval_xl.form import build_form
from perfeval_xl.kinds.self.plan import funds_for_form
from perfeval_xl.spec import FundsRow

FORMS = 200
# 表: which kind of form (自评表, 评分表) the problem was found in, since the review consolidates both
PROBLEM_HEADER = ("严重程度", "问题类型", "主管部门", "实施单位", "项目名称", "位置", "单元格", "问题", "文件", "代码", "表")


def form_equivalent(spec):  # type: ignore[no-untyped-def]
    rows, _ = funds_for_form(spec)
    return dataclasses.replace(spec, funds={k: FundsRow(**v) for k, v in rows.items()})


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Decimal | None]]:
    """回收/: 200 filled forms in department folders, a hand-made one, and broken files."""
    root = tmp_path_factory.mktemp("consolidate") / "回收"
    expected: dict[str, Decimal | None] = {}
    for index in range(FORMS):
        case = make_case(index)
        case.name = f"项目{index:03d}"
        spec = dataclasses.replace(case.filled_spec(), department=f"部门{index % 7}")
        folder = root / f"部门{index % 7}"
        build_form(spec, folder / f"{index:03d}.xlsx")
        result = score_project(form_equivalent(spec))
        expected[spec.project] = result.total  # an incomplete form's partial total, as `score` prints it
    (root / "手工").mkdir()
    seed_003_workbook(root / "手工" / "蔡甸.xlsx")
    expected["质量技术监督专项经费"] = Decimal("99.87")
    broken = root / "问题文件"
    broken.mkdir()
    (broken / "不是表格.xlsx").write_bytes(b"PK not really" * 20)
    (broken / "空文件.xlsx").write_bytes(b"")
    good = root / "部门0" / "000.xlsx"
    (broken / "截断.xlsx").write_bytes(good.read_bytes()[:3000])
    with good.open("rb") as src, (broken / "加密.xlsx").open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken / "压缩炸弹.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/huge.bin", b"\0" * (8 * 1024 * 1024))
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(broken / "通讯录.xlsx")
    openpyxl.Workbook().save(broken / "空表.xlsx")
    (broken / "说明.docx").write_bytes(b"not a workbook at all")
    shutil.copy(root / "部门1" / "001.xlsx", broken / "001-副本.xlsx")  # the same file twice
    return root, expected


BROKEN_REASONS = {
    "不是表格.xlsx": "是文本文件（如 CSV，常见于财务系统导出），不是工作簿",
    "空文件.xlsx": "是空文件",
    "截断.xlsx": "已损坏",
    "加密.xlsx": "设有打开密码",
    "压缩炸弹.xlsx": "压缩比异常",
    "通讯录.xlsx": "没有找到项目支出绩效自评表",
    "空表.xlsx": "空表.xlsx 是空工作簿，没有任何内容，不是填好的自评表；请确认是否发错了文件，并重新获取填好的自评表",
    "说明.docx": "不是 Excel 文件（.docx），已跳过",
}


def test_every_project_has_the_engines_total_and_every_broken_file_its_reason(
        returned: tuple[Path, dict[str, Decimal | None]], tmp_path: Path) -> None:
    root, expected = returned
    done = consolidate([str(root)], tmp_path / "汇总.xlsx", jobs=2)
    wb = openpyxl.load_workbook(done.output)
    summary = wb["汇总"]
    header = [c.value for c in summary[1]]
    name_col, total_col = header.index("项目名称"), header.index("总分")
    totals = {row[name_col]: row[total_col] for row in summary.iter_rows(min_row=2, values_only=True)
              if row[name_col] and not str(row[0]).startswith("合计")}
    assert set(totals) == set(expected)
    for project, total in expected.items():
        assert round(totals[project], 2) == float(total), project
    reasons = {Path(r[0]).name: r[1] for r in wb["未能读取"].iter_rows(min_row=2, values_only=True)}
    for name, reason in BROKEN_REASONS.items():
        assert reason in reasons[name], (name, reasons.get(name))
    problems = [dict(zip(PROBLEM_HEADER, r, strict=True)) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    duplicates = [r for r in problems if r["代码"] == "duplicate-submission"]
    assert any("001-副本.xlsx" in r["问题"] and "内容完全相同，只计一次" in r["问题"] and r["问题类型"] == "重复提交"
               for r in duplicates)
    # 错误/警告 count what 问题清单 lists as such: the duplicate-submission note is a warning
    listed = [r for r in problems if r["项目名称"] == "项目001"]
    row = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[name_col] == "项目001")
    counts = (row[header.index("错误")], row[header.index("警告")])
    assert counts == (sum(r["严重程度"] == "错误" for r in listed), sum(r["严重程度"] == "警告" for r in listed))
    assert counts[1] >= 1
    assert done.review.duplicates == 1 and done.review.projects == FORMS + 1
    with zipfile.ZipFile(done.output) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # grades and execution rate per department, the histogram of totals
    departments = wb["按部门"]
    assert departments["A2"].value == "部门0" and departments["B2"].value == 29
    details = wb["指标明细"]
    assert details.max_row - 1 == sum(len(make_case(i).rows) for i in range(FORMS)) + 5


def test_the_store_is_incremental_and_keeps_history(returned: tuple[Path, dict[str, Decimal | None]],
                                                      tmp_path: Path) -> None:
    root, _ = returned
    work = tmp_path / "回收"
    shutil.copytree(root, work)
    db = tmp_path / "review.sqlite"
    first = consolidate([str(work)], tmp_path / "a.xlsx", db=db, jobs=1)
    assert first.read == first.files - 1 and first.reused == 1  # the copy of 001.xlsx is read once
    again = consolidate([str(work)], tmp_path / "b.xlsx", db=db, jobs=1)
    assert again.read == 0 and again.reused == again.files
    # a unit resubmits project 5 with a different actual value: only that file is read
    path = work / "部门5" / "005.xlsx"
    case = make_case(5)
    case.name = "项目005"
    spec = dataclasses.replace(case.filled_spec(), department="部门5", goal_actual="重新提交")
    build_form(spec, path)
    os.utime(path, (2_000_000_000, 2_000_000_000))
    third = consolidate([str(work)], tmp_path / "c.xlsx", db=db, jobs=1)
    assert third.read == 1
    store = Store(db)
    versions = store.db.execute("SELECT count(DISTINCT sha256) FROM projects WHERE project = '项目005'").fetchone()
    assert versions[0] == 2  # the earlier submission stays queryable
    store.close()
    # the review can be rebuilt from the store alone
    rebuilt = consolidate([], tmp_path / "d.xlsx", db=db)
    assert rebuilt.review.projects == third.review.projects


def _sheet_rows(path: Path, name: str) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_a_review_rebuilt_from_the_store_alone_is_the_first_runs(
        returned: tuple[Path, dict[str, Decimal | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipped files and paths as the first run showed them, from whatever folder the rebuild runs."""
    root, _ = returned
    shutil.copytree(root, tmp_path / "回收")
    db = tmp_path / "review.sqlite"
    monkeypatch.chdir(tmp_path)
    consolidate(["回收"], tmp_path / "first.xlsx", db=db, jobs=1)  # a relative input
    monkeypatch.chdir(tmp_path / "回收" / "部门1")
    rebuilt = consolidate([], tmp_path / "rebuilt.xlsx", db=db)
    assert rebuilt.skipped == [(str((tmp_path / "回收" / "问题文件" / "说明.docx").resolve()),
                                "不是 Excel 文件（.docx），已跳过")]
    for sheet in ("汇总", "指标明细", "问题清单", "未能读取"):
        assert _sheet_rows(tmp_path / "rebuilt.xlsx", sheet) == _sheet_rows(tmp_path / "first.xlsx", sheet), sheet
    unreadable = {r[0]: r[1] for r in _sheet_rows(tmp_path / "rebuilt.xlsx", "未能读取")[1:]}
    assert unreadable[os.path.join("问题文件", "说明.docx")] == "不是 Excel 文件（.docx），已跳过"
    summary = _sheet_rows(tmp_path / "rebuilt.xlsx", "汇总")
    at = list(summary[0]).index("文件")
    files = [r[at] for r in summary[1:] if r[at]]
    assert os.path.join("部门0", "000.xlsx") in files


def test_an_interrupted_run_leaves_the_store_consistent(returned: tuple[Path, dict[str, Decimal | None]],
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = returned
    db = tmp_path / "review.sqlite"
    calls = {"n": 0}
    original = Store._add

    def flaky(self: Store, run_id: int, record: dict) -> None:  # type: ignore[type-arg]
        calls["n"] += 1
        if calls["n"] == 50:  # in the middle of the second chunk of 32 files
            raise KeyboardInterrupt
        original(self, run_id, record)

    monkeypatch.setattr(Store, "_add", flaky)
    with pytest.raises(KeyboardInterrupt):
        consolidate([str(root)], tmp_path / "x.xlsx", db=db, jobs=1)
    monkeypatch.setattr(Store, "_add", original)
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orphans = connection.execute(
        "SELECT count(*) FROM indicators i LEFT JOIN projects p ON p.id = i.project_id WHERE p.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    stored = connection.execute("SELECT count(*) FROM contents").fetchone()[0]
    connection.close()
    resumed = consolidate([str(root)], tmp_path / "y.xlsx", db=db, jobs=1)
    # the chunks stored before the interrupt (32 files, or fewer when a second passed first on a busy
    # machine) were stored whole and are reused, the interrupted one not at all
    assert 0 < stored < 50 and resumed.reused >= stored and resumed.read + resumed.reused == resumed.files
    assert resumed.review.projects == FORMS + 1


def test_cli_consolidate(returned: tuple[Path, dict[str, Decimal | None]], tmp_path: Path) -> None:
    root, _ = returned
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(cli, ["consolidate", str(root / "部门3"), str(root / "问题文件" / "加密.xlsx"),
                                      "-o", str(out), "--jobs", "1"], prog_name="perfeval-xl")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"已写出 {out}：29 个项目")
    assert "未能读取 1 个" in result.stdout
    clean = CliRunner().invoke(cli, ["consolidate", str(root / "部门3"), "-o", str(out)], prog_name="perfeval-xl")
    assert clean.exit_code == 0
    nothing = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "没有"), "-o", str(out)],
                                 prog_name="perfeval-xl")
    assert nothing.exit_code == 2 and "找不到要汇总的文件" in nothing.stderr
    # a folder holding no workbook at all (a wrong folder, a zip not yet unpacked) is no review
    (wrong := tmp_path / "回收包").mkdir()
    (wrong / "回收.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    empty = CliRunner().invoke(cli, ["consolidate", str(wrong), "-o", str(tmp_path / "空.xlsx")],
                               prog_name="perfeval-xl")
    assert empty.exit_code == 2 and "没有找到 Excel 工作簿" in empty.stderr
    assert "另有 1 个非 Excel 文件已跳过" in empty.stderr and not (tmp_path / "空.xlsx").exists()

"""Batch generation from a targets list: the template, reading .xlsx and CSV lists,
row problems with their row numbers, file names, the manifest, the CLI — forms
read back with openpyxl through their defined names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from targetlists import make_projects, write_csv, write_xlsx

from perfeval_xl import form
from perfeval_xl.batch import Status, generate_batch, read_targets, write_template
from perfeval_xl.batch.columns import COLUMNS, header_text
from perfeval_xl.batch.generate import output_names
from perfeval_xl.batch.manifest import MANIFEST_NAME, PROBLEMS_SHEET, PROJECT_COLUMNS, PROJECTS_SHEET
from perfeval_xl.batch.template import LIST_SHEET, spec_rows
from perfeval_xl.cli import cli
from perfeval_xl.demo import load_example
from perfeval_xl.errors import InputError
from perfeval_xl.form.metadata import read_meta
from perfeval_xl.profiles import load_rules
from perfeval_xl.spec import ProjectSpec

FIXED = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
HEADER = [header_text(c) for c in COLUMNS]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


def named(wb: Any, name: str) -> list[list[Any]]:
    """The values of a defined name's range (openpyxl, read-only workbook)."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    cells = wb[sheet][ref.replace("$", "")]
    if not isinstance(cells, tuple):
        return [[cells.value]]
    return [[c.value for c in row] for row in cells]


def form_contents(path: Path) -> dict[str, Any]:
    """What a generated form declares: project fields, fiscal budget and the declared indicator rows."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows, level1, level2, declared = named(wb, "pe_indicators"), None, None, []
        for l1, l2, name, target, _actual, weight, _score, _reason in rows:
            level1, level2 = l1 or level1, l2 or level2  # 一级/二级 are merged down
            if name is not None:
                declared.append((level1, level2, name, target, weight))
        return {
            "project": named(wb, "pe_project")[0][0], "department": named(wb, "pe_department")[0][0],
            "unit": named(wb, "pe_unit")[0][0], "year": named(wb, "pe_year")[0][0],
            "budget": named(wb, "pe_funds")[0][1], "indicators": declared,
            "fingerprint": read_meta(wb)["fingerprint"],
        }
    finally:
        wb.close()


def expected_contents(spec: ProjectSpec) -> dict[str, Any]:
    fiscal = spec.funds.get("fiscal")
    rules = load_rules(spec.profile, spec.year)
    order = [(l1, l2) for l1, l2s in rules.hierarchy.items() for l2 in l2s]
    indicators = sorted(spec.indicators, key=lambda i: order.index((i.level1, i.level2)))
    return {
        "project": spec.project, "department": spec.department, "unit": spec.unit, "year": spec.year,
        "budget": float(fiscal.budget) if fiscal and fiscal.budget is not None else None,
        "indicators": [(i.level1, i.level2, i.name, float(i.target) if isinstance(i.target, Decimal) else i.target,
                        float(i.weight) if i.weight is not None else None) for i in indicators],
    }


def manifest_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


# ---------------------------------------------------------------------------
# The template


def test_template_has_the_columns_instructions_and_dropdowns(tmp_path: Path) -> None:
    path = write_template(tmp_path / "清单.xlsx", year=2024)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["下拉列表", LIST_SHEET, "填写说明"]
    assert wb["下拉列表"].sheet_state == "hidden" and wb.active.title == LIST_SHEET
    sheet = wb[LIST_SHEET]
    assert [c.value for c in sheet[1]] == [
        "项目名称", "主管部门", "实施单位", "年度", "全年预算数（万元）", "一级指标", "二级指标", "三级指标",
        "年度指标值", "分值", "规则"]
    assert sheet.freeze_panes == "A2"

    def listed(name: str) -> list[str]:
        sheet_name, ref = next(iter(wb.defined_names[name].destinations))
        return [row[0].value for row in wb[sheet_name][ref.replace("$", "")]]

    rules = load_rules("mof-2020", 2024)
    assert listed("pe_list_level1") == ["产出指标", "效益指标", "满意度指标"]
    assert listed("pe_list_level2") == [l2 for l2s in rules.hierarchy.values() for l2 in l2s]
    assert "mof-2020" in listed("pe_list_profile")
    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert (validations["F2:F20001"].type, validations["F2:F20001"].formula1) == ("list", "pe_list_level1")
    assert (validations["G2:G20001"].type, validations["G2:G20001"].formula1) == ("list", "pe_list_level2")
    year = validations["D2:D20001"]
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", None, "2000", "2100")  # between
    assert validations["J2:J20001"].type == "decimal" and validations["J2:J20001"].formula2 == "100"
    assert validations["I2:I20001"].prompt.startswith("可空（由填报单位填写）")
    assert sheet.column_dimensions["I"].number_format == "@"  # Excel keeps 95% as typed

    text = [c for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c]
    assert text[0] == "绩效目标清单填写说明"
    assert any("预算执行率分值（规则 mof-2020：10 分）应为 100" in str(t) for t in text)
    assert "产出指标（50 分）" in text and "服务对象满意度指标" in text
    assert "及时完成质量监督检查任务" in text  # the example, from seed 003


def test_the_template_filled_with_its_own_example_reads_back(tmp_path: Path) -> None:
    path = write_template(tmp_path / "清单.xlsx", year=2024)
    wb = openpyxl.load_workbook(path)
    example = load_example("caidian-2019-quality")
    for values in spec_rows(example):
        wb[LIST_SHEET].append([float(v) if isinstance(v, Decimal) else v for v in values])
    wb.save(path)
    targets = read_targets(path)
    assert targets.problems == [] and len(targets.projects) == 1
    spec = targets.projects[0].spec
    assert spec is not None
    assert [(i.level1, i.level2, i.name, i.target, i.weight) for i in spec.indicators] == [
        (i.level1, i.level2, i.name, i.target, i.weight) for i in example.indicators]
    assert spec.funds["fiscal"].budget == Decimal("87.65") and targets.projects[0].weight_total == 100
    assert spec.indicators[0].where == "第 2 行“及时完成质量监督检查任务”"


def test_cli_targets_template(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    code, stdout, _ = run("targets-template", "-o", str(out))
    assert code == 0
    assert stdout == f"已生成 {out}：在“绩效目标”工作表中每行填写一个指标，然后运行 perfeval-xl batch {out} -o 输出文件夹\n"
    code, _, stderr = run("targets-template", "-o", str(out))
    assert (code, stderr) == (2, f"错误：文件 {out} 已存在；如需覆盖请加 --force\n")
    assert run("targets-template", "-o", str(out), "--force")[0] == 0


# ---------------------------------------------------------------------------
# 200 projects, as .xlsx, as UTF-8 CSV with a BOM and as GBK CSV


@pytest.fixture(scope="module")
def two_hundred(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("batch200")
    projects = make_projects(200)
    lists = {
        "xlsx": (write_xlsx(root / "清单.xlsx", projects), 2),
        "utf8": (write_csv(root / "清单-utf8.csv", projects, "utf-8-sig"), 2),
        "gbk": (write_csv(root / "清单-gbk.csv", projects, "gbk"), 1),
    }
    progress: list[tuple[int, int]] = []
    reports = {
        kind: generate_batch(path, root / kind, jobs=jobs, generated_at=FIXED,
                             progress=(lambda d, t: progress.append((d, t))) if kind == "xlsx" else None)
        for kind, (path, jobs) in lists.items()
    }
    return {"root": root, "projects": projects, "lists": lists, "reports": reports, "progress": progress}


def test_an_xlsx_list_of_200_projects_gives_200_forms_with_its_targets_and_weights(two_hundred) -> None:  # type: ignore[no-untyped-def]
    report, projects = two_hundred["reports"]["xlsx"], two_hundred["projects"]
    assert report.problems == [] and report.complete and report.count(Status.GENERATED) == 200
    assert len(list(report.outdir.glob("*.xlsx"))) == 201  # 200 forms and the manifest
    assert not list(report.outdir.glob(".~*"))  # no temporary files left
    manifest = manifest_rows(report.manifest, PROJECTS_SHEET)
    assert manifest[0] == tuple(title for title, _ in PROJECT_COLUMNS)
    assert len(manifest) == 201
    for spec, outcome, row in zip(projects, report.outcomes, manifest[1:], strict=True):
        contents = form_contents(report.outdir / outcome.filename)
        assert contents["fingerprint"] == outcome.fingerprint == row[7]
        del contents["fingerprint"]
        assert contents == expected_contents(spec), outcome.filename
        assert row[:6] == (spec.department, spec.unit, spec.project, spec.year, len(spec.indicators), 100.0)
        assert (row[6], row[8]) == (outcome.filename, "已生成")
    # the last two projects share 主管部门 and 项目名称: their 实施单位 tells them apart
    assert [o.filename for o in report.outcomes[-2:]] == [
        f"{projects[-2].department}_{projects[-2].project}_{projects[-2].unit}.xlsx",
        f"{projects[-1].department}_{projects[-1].project}_{projects[-1].unit}.xlsx"]
    assert two_hundred["progress"][0] == (0, 200) and two_hundred["progress"][-1] == (200, 200)


@pytest.mark.parametrize("kind", ["utf8", "gbk"])
def test_csv_lists_give_the_same_forms_byte_for_byte(two_hundred, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The CSV lists interleave the rows of neighbouring projects; the xlsx list names each project once."""
    report, reference = two_hundred["reports"][kind], two_hundred["reports"]["xlsx"]
    assert report.problems == [] and report.count(Status.GENERATED) == 200
    assert [o.filename for o in report.outcomes] == [o.filename for o in reference.outcomes]
    for outcome in report.outcomes:
        assert (report.outdir / outcome.filename).read_bytes() == (reference.outdir / outcome.filename).read_bytes()
    assert len(manifest_rows(report.manifest, PROJECTS_SHEET)) == 201


# ---------------------------------------------------------------------------
# Problems of rows


BAD_ROWS: list[list[object]] = [
    ["好项目", "甲局", "甲中心", 2024, 100, "产出指标", "数量指标", "检查次数", "≥100次", 50],
    [None, None, None, None, None, "效益指标", "社会效益指标", "群众知晓率", "≥90%", 30],
    [None, None, None, None, None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%", 10],
    ["坏项目", "甲局", "乙中心", 2024, None, "产出指标", "好看指标", "指标二", "100%", "二十"],
    ["坏项目", "甲局", "乙中心", 2024, None, "效益指标", "数量指标", "指标一", "100%", 20],
    ["坏项目", "乙局", "乙中心", 2024, None, "产出指标", "质量指标", "指标一", "100%", -5],
    ["权重不足", "甲局", "丙中心", 2024, None, "产出指标", "数量指标", "指标", "100%", 50],
    [None, "甲局", "丁中心", 2024, None, "产出指标", "数量指标", "指标", 1, 10],
    ["无年度", "甲局", "戊中心", None, None, "产出指标", "数量指标", "指标", 1, 90],
    ["年份错", "甲局", "戊中心", "二〇二四", None, "产出指标", "数量指标", "指标", 1, 90],
    ["缺指标", "甲局", "己中心", 2024, None, "产出", "数量", None, 1, 90],
    ["一级错", "甲局", "庚中心", 2024, None, "产出类", "数量指标", "指标", 1, 90],
]

BAD_MESSAGES = [
    (5, "坏项目", "分值“二十”不是数字，请填写数值（如 20）"),
    (5, "坏项目", "二级指标“好看指标”不在规则 mof-2020 的指标体系中，应为：数量指标、质量指标、时效指标、成本指标"),
    (6, "坏项目", "二级指标“数量指标”属于“产出指标”，不属于“效益指标”，请核对一级指标"),
    (7, "坏项目", "主管部门“乙局”与第 5 行的“甲局”不一致，同一项目各行的主管部门应相同"),
    (7, "坏项目", "分值 -5 为负数，请填写 0 或正数"),
    (7, "坏项目", "三级指标“指标一”与第 6 行重复，同一项目中指标名称不能重复"),
    (8, "权重不足", "项目“权重不足”（第 8 行）分值合计 50，加预算执行率 10 分共 60，应为 100，请调整各指标分值"),
    (9, "", "项目名称为空，请填写项目名称"),
    (10, "无年度", "年度为空，请填写四位年份（如 2024）"),
    (11, "年份错", "年度“二〇二四”不是年份，请填写四位年份（如 2024）"),
    (12, "缺指标", "三级指标为空，请填写指标名称"),
    (13, "一级错", "一级指标“产出类”不在规则 mof-2020 的指标体系中，应为：产出指标、效益指标、满意度指标"),
]


def write_rows(path: Path, rows: list[list[object]], header: list[str] | None = None, title: str = "目标") -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = title
    wb.active.append(header or HEADER[:10])
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_bad_rows_are_reported_with_their_row_numbers_and_the_other_projects_generated(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "清单.xlsx", BAD_ROWS)
    report = generate_batch(path, tmp_path / "out", jobs=1, generated_at=FIXED)
    assert [(p.row, p.project, p.message) for p in report.problems] == BAD_MESSAGES
    assert {p.sheet for p in report.problems} == {"目标"} and {p.file for p in report.problems} == {str(path)}
    assert str(report.problems[0]) == f"{path} 工作表“目标”第 5 行：分值“二十”不是数字，请填写数值（如 20）"
    assert [(o.listed.project, o.status) for o in report.outcomes] == [
        ("好项目", Status.GENERATED), ("坏项目", Status.FAILED), ("权重不足", Status.FAILED), ("", Status.FAILED),
        ("无年度", Status.FAILED), ("年份错", Status.FAILED), ("缺指标", Status.FAILED), ("一级错", Status.FAILED)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MANIFEST_NAME, "甲局_好项目.xlsx"]
    good = form_contents(tmp_path / "out" / "甲局_好项目.xlsx")
    assert good["budget"] == 100 and [i[2:] for i in good["indicators"]] == [
        ("检查次数", "≥100次", 50), ("群众知晓率", "≥90%", 30), ("满意度", "≥90%", 10)]

    projects = manifest_rows(report.manifest, PROJECTS_SHEET)
    assert projects[2] == ("甲局", "乙中心", "坏项目", 2024, 3, None, None, None,
                           "未生成：清单中有 6 处错误（见“问题”工作表）", "第 5–7 行")
    assert projects[3][5:] == (60.0, None, None, "未生成：清单中有 1 处错误（见“问题”工作表）", "第 8 行")
    problems = manifest_rows(report.manifest, PROBLEMS_SHEET)
    assert problems[0] == ("文件", "工作表", "行号", "项目", "级别", "问题")
    assert problems[1:] == [(str(path), "目标", row, project or None, "错误", message)
                            for row, project, message in BAD_MESSAGES]


def test_cli_batch_reports_bad_rows_and_exits_1(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "清单.xlsx", BAD_ROWS)
    out = tmp_path / "out"
    code, stdout, stderr = run("batch", str(path), "-o", str(out), "--jobs", "1")
    assert code == 1
    lines = [f"清单 {path} 有 12 处错误，7 个项目未生成："]
    lines += [f"  - {path} 工作表“目标”第 {row} 行：{message}" for row, _, message in BAD_MESSAGES]
    assert stderr == "\n".join(lines) + "\n"
    assert stdout == f"已生成 1 份自评表（共 8 个项目）到 {out}，生成清单：{out / MANIFEST_NAME}\n"


def test_cli_batch_exits_0_when_every_project_is_generated(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "清单.csv", make_projects(5), "utf-8-sig")
    out = tmp_path / "out"
    code, stdout, stderr = run("batch", str(path), "-o", str(out), "-j", "2")
    assert (code, stderr) == (0, "")
    assert stdout == f"已生成 5 份自评表（共 5 个项目）到 {out}，生成清单：{out / MANIFEST_NAME}\n"


# ---------------------------------------------------------------------------
# Existing files, interrupted runs, modes


def test_existing_files_are_left_alone_without_force(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "清单.csv", [load_example("caidian-2019-quality")], "utf-8-sig")
    out = tmp_path / "out"
    assert run("batch", str(path), "-o", str(out))[0] == 0
    form_path = out / "武汉市蔡甸区应急管理局_质量技术监督专项经费.xlsx"
    form_path.write_bytes(b"edited by hand")

    code, stdout, stderr = run("batch", str(path), "-o", str(out))
    assert code == 1
    assert stderr == f"注意：1 个文件已存在，未覆盖（{form_path.name}）；如需覆盖请加 --force\n"
    assert stdout == f"已生成 0 份自评表（共 1 个项目）到 {out}，生成清单：{out / MANIFEST_NAME}\n"
    assert form_path.read_bytes() == b"edited by hand"
    row = manifest_rows(out / MANIFEST_NAME, PROJECTS_SHEET)[1]
    assert (row[6], row[7], row[8]) == (form_path.name, None, "已存在未覆盖")

    code, _, stderr = run("batch", str(path), "-o", str(out), "--force")
    assert (code, stderr) == (0, "")
    row = manifest_rows(out / MANIFEST_NAME, PROJECTS_SHEET)[1]
    assert row[8] == "已生成" and row[7] == form_contents(form_path)["fingerprint"]


def test_a_form_that_fails_half_way_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "清单.csv", make_projects(3), "utf-8-sig")
    real = form.build_form

    def flaky(spec: ProjectSpec, target: Path, **kwargs: Any) -> Any:
        if spec.project.endswith("000"):
            Path(target).write_bytes(b"PK\x03\x04 half a workbook")
            raise RuntimeError("disk pulled")
        return real(spec, target, **kwargs)

    monkeypatch.setattr(form, "build_form", flaky)
    report = generate_batch(path, tmp_path / "out", jobs=1)
    assert [o.status for o in report.outcomes] == [Status.FAILED, Status.GENERATED, Status.GENERATED]
    assert report.outcomes[0].reason == (
        "生成时出现内部错误（RuntimeError: disk pulled），请将清单和此信息报告给 perfeval-xl 维护者")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [MANIFEST_NAME, report.outcomes[1].filename, report.outcomes[2].filename])

    def interrupted(spec: ProjectSpec, target: Path, **kwargs: Any) -> Any:
        Path(target).write_bytes(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(form, "build_form", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate_batch(path, tmp_path / "again", jobs=1)
    assert list((tmp_path / "again").iterdir()) == []


def test_xlwings_mode_writes_xlsm_forms(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "清单.csv", make_projects(3), "utf-8-sig")
    code, _, stderr = run("batch", str(path), "-o", str(tmp_path / "out"), "--mode", "xlwings", "-j", "1")
    assert code == 0, stderr
    forms = sorted(p.name for p in (tmp_path / "out").glob("*.xlsm"))
    assert len(forms) == 3
    with zipfile.ZipFile(tmp_path / "out" / forms[0]) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()


def test_forms_are_xlsx_whatever_the_project_is_called(tmp_path: Path) -> None:
    """The file name ends in the mode's extension even when the names look like files."""
    spec = load_example("caidian-2019-quality")
    odd = [dataclasses.replace(spec, project="质量监督.xlsm"), dataclasses.replace(spec, project="检查", unit="x.txt",
                                                                                 department="部门.")]
    path = write_csv(tmp_path / "清单.csv", odd, "utf-8-sig")
    report = generate_batch(path, tmp_path / "out", jobs=1)
    assert [o.status for o in report.outcomes] == [Status.GENERATED] * 2
    assert [o.filename for o in report.outcomes] == ["武汉市蔡甸区应急管理局_质量监督.xlsm.xlsx", "部门._检查.xlsx"]
    for outcome in report.outcomes:
        with zipfile.ZipFile(tmp_path / "out" / outcome.filename) as archive:
            types = archive.read("[Content_Types].xml").decode()
        assert "spreadsheetml.sheet.main+xml" in types and "macroEnabled" not in types


WITHOUT_XLWINGS = ("import sys; sys.modules['xlwings'] = None; from perfeval_xl.cli import cli; "
                   "cli(sys.argv[1:], prog_name='perfeval-xl')")
NO_XLWINGS = ("错误：生成 xlwings 模式的自评表（.xlsm）需要 xlwings，本机未安装：请运行 pip install 'perfeval-xl[xlwings]' "
              "后重试，或改用 native 模式（--mode native）生成 .xlsx 自评表\n")


def test_xlwings_mode_without_xlwings_is_a_clear_error(tmp_path: Path) -> None:
    """Without the optional xlwings package (made unimportable in a child process) the
    batch stops before writing anything, with the install command, not an internal error."""
    path = write_csv(tmp_path / "清单.csv", make_projects(2), "utf-8-sig")
    proc = subprocess.run([sys.executable, "-c", WITHOUT_XLWINGS, "batch", str(path), "-o", str(tmp_path / "out"),
                           "--mode", "xlwings", "-j", "1"], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", NO_XLWINGS)
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match="未知的自评表模式“vba”，可用：native、xlwings"):
        generate_batch(path, tmp_path / "out", mode="vba")


# ---------------------------------------------------------------------------
# Reading lists


def test_headers_are_found_despite_spaces_breaks_brackets_aliases_and_a_title_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["2024年度项目绩效目标"])
    sheet.append(["序号", " 项目名称 ", "主管\n部门", "*年度", "全年预算数\n（万元）", "一级指标", "二级指标",
                  "指标名称", "指标值", "分值(分)", "备注"])
    sheet.append([1, "甲项目", "甲局", "2024年度", "87.65万元", "产出指标", "数量指标", "检查次数", 0.95, "40分", "x"])
    sheet["I3"].number_format = "0%"  # 95% typed into a cell Excel made a percentage
    sheet.append([2, None, None, None, None, "产出指标", "质量指标", "合格率", "100%", 10])
    sheet.append([3, None, None, None, None, "效益", "社会效益", "知晓率", "≥90%", 30])
    sheet.append([4, None, None, None, None, "满意度指标", "服务对象满意度指标", "满意度", 3500, 10])
    wb.save(tmp_path / "清单.xlsx")
    targets = read_targets(tmp_path / "清单.xlsx")
    assert targets.problems == []
    spec = targets.projects[0].spec
    assert spec is not None and (spec.year, spec.department, spec.unit) == (2024, "甲局", "")
    assert spec.funds["fiscal"].budget == Decimal("87.65")
    assert [(i.level1, i.level2, i.name, i.target, i.weight) for i in spec.indicators] == [
        ("产出指标", "数量指标", "检查次数", "95%", 40), ("产出指标", "质量指标", "合格率", "100%", 10),
        ("效益指标", "社会效益指标", "知晓率", "≥90%", 30),
        ("满意度指标", "服务对象满意度指标", "满意度", Decimal(3500), 10)]
    assert targets.projects[0].rows_text == "第 3–6 行"


def test_rows_group_by_name_unit_and_year(tmp_path: Path) -> None:
    one = ["项目", "局", "中心", 2023, None, "产出指标", "数量指标", "甲", "1次", 90]
    rows = [one, [*one[:3], 2024, *one[4:]], [*one[:2], "另一中心", *one[3:]]]
    targets = read_targets(write_rows(tmp_path / "清单.xlsx", rows))
    assert [(p.unit, p.year, p.rows) for p in targets.projects] == [
        ("中心", 2023, (2,)), ("中心", 2024, (3,)), ("另一中心", 2023, (4,))]
    report = generate_batch(tmp_path / "清单.xlsx", tmp_path / "out", jobs=1)
    assert [o.filename for o in report.outcomes] == ["局_项目_中心_2023.xlsx", "局_项目_中心_2024.xlsx",
                                                     "局_项目_另一中心.xlsx"]


def test_output_names() -> None:
    assert output_names([("局", "项目", "甲", "2024"), ("局", "项目", "乙", "2024"), ("局", "其他", "甲", "2024")],
                        ".xlsx") == ["局_项目_甲.xlsx", "局_项目_乙.xlsx", "局_其他.xlsx"]
    # same unit, same year: a number; case is ignored, as Windows and macOS do; reserved names are avoided
    assert output_names([("局", "Plan", "甲", "2024"), ("局", "plan", "甲", "2024"), ("", "生成清单", "", "2024")],
                        ".xlsm", frozenset({MANIFEST_NAME.replace(".xlsx", ".xlsm")})) == [
        "局_Plan.xlsm", "局_plan_2.xlsm", "生成清单_2.xlsm"]
    assert output_names([("a/b", "c:d", "", "2024")], ".xlsx") == ["a_b_c_d.xlsx"]


def test_a_list_inside_the_output_folder_is_never_overwritten(tmp_path: Path) -> None:
    spec = make_projects(1)[0]
    name = f"{spec.department}_{spec.project}.xlsx"
    write_csv(tmp_path / name, [spec], "utf-8-sig")  # a CSV saved under the name its form would take
    report = generate_batch(tmp_path / name, tmp_path, jobs=1, force=True)
    assert report.outcomes[0].filename == f"{spec.department}_{spec.project}_2.xlsx"
    assert (tmp_path / name).read_bytes().startswith(b"\xef\xbb\xbf")


UNREADABLE = {
    "random.xlsx": (random.Random(6).randbytes(4000),
                    "{p} 既不是 Excel 工作簿，也不是可识别编码（UTF-8 或 GBK）的 CSV 文本文件，无法读取；"
                    "请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再试"),
    "empty.csv": (b"", "文件 {p} 是空的，请提供绩效目标清单（.xlsx 或 .csv）"),
    "noheader.csv": ("甲,乙,丙\n1,2,3\n".encode(),
                     "{p}中没有找到表头行（前 10 行中没有“项目名称”“三级指标”等列名），无法读取。"
                     "表头应有：项目名称、年度、一级指标、二级指标、三级指标、年度指标值、分值；"
                     "可用 perfeval-xl targets-template 生成模板"),
    "missing.csv": ("项目名称,年度,一级指标,二级指标,三级指标\n".encode("gbk"),
                    "{p} 第 1 行的表头缺少列：年度指标值、分值。"
                    "表头应有：项目名称、年度、一级指标、二级指标、三级指标、年度指标值、分值"
                    "（可选：主管部门、实施单位、全年预算数、规则）；可用 perfeval-xl targets-template 生成模板"),
    "twice.csv": ("项目名称,年度,一级指标,二级指标,三级指标,年度指标值,分值,权重\n".encode(),
                  "{p} 第 1 行的表头有 2 列“分值”（G 列、H 列），请删除或改名多余的列"),
    "header-only.csv": (",".join(HEADER).encode("utf-8-sig"),
                        "{p} 第 1 行的表头下没有任何指标行，请在表头下逐行填写项目的指标"),
    "broken.xls": (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
                   "{p} 不是有效的 Excel 工作簿，无法读取；请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再试"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_a_file_that_is_not_a_list_exits_2_with_a_clear_message(tmp_path: Path, name: str) -> None:
    data, message = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, stdout, stderr = run("batch", str(path), "-o", str(tmp_path / "out"))
    assert (code, stdout) == (2, "")
    assert stderr == f"错误：{message.format(p=path)}\n"
    assert not (tmp_path / "out").exists()


def test_a_zip_that_is_not_a_workbook_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "清单.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    code, _, stderr = run("batch", str(path), "-o", str(tmp_path / "out"))
    assert (code, stderr) == (2, f"错误：{path} 不是有效的 Excel 工作簿，无法读取；请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再试\n")
    code, _, stderr = run("batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out"))
    assert (code, stderr) == (2, f"错误：找不到文件 {tmp_path / 'nope.csv'}，请检查路径是否正确\n")


def test_project_columns_that_disagree_or_do_not_apply(tmp_path: Path) -> None:
    header = [*HEADER[:10], "规则"]
    rows: list[list[object]] = [
        ["甲", "局", "中心", 2024, 100, "产出指标", "数量指标", "a", "1次", 45, None],
        ["甲", "局", "中心", 2024, "120万元", "效益指标", "社会效益指标", "b", "1次", 45, None],
        ["乙", "局", "中心", 2024, None, "产出指标", "数量指标", "a", "1次", 90, "省规则"],
        ["丙", "局", "中心", 2024, "约90万", "产出指标", "数量指标", "a", "1次", 90, None],
        ["丁", "局", "中心", 2018, None, "产出指标", "数量指标", "a", "1次", 90, None],
    ]
    targets = read_targets(write_rows(tmp_path / "清单.xlsx", rows, header))
    assert [(p.row, p.message) for p in targets.problems] == [
        (3, "全年预算数 120 与第 2 行的 100 不一致，同一项目各行的全年预算数应相同"),
        (4, "规则“省规则”不存在，可用的规则：mof-2020、sichuan、wuhan-donghu-2018"),
        (5, "全年预算数“约90万”不是金额，请填写以万元计的数值（如 87.65）"),
        (6, "规则“mof-2020”没有适用于 2018 年度（2019-12-31 前生效）的取值。该规则最早适用于 2019 年度，"
            "适用于 2018 年度的规则：wuhan-donghu-2018，请用 --profile wuhan-donghu-2018 指定"
            "（项目文件写 profile，清单填“规则”列）（perfeval-xl profiles 可列出全部规则）"),
    ]


def test_a_list_typed_by_hand_gives_forms_with_exactly_its_targets(tmp_path: Path) -> None:
    """A CSV written here literally (not by the package's own helpers): seed 003's targets."""
    text = (
        "项目名称,主管部门,实施单位,年度,全年预算数（万元）,一级指标,二级指标,三级指标,年度指标值,分值\n"
        "质量技术监督专项经费,武汉市蔡甸区应急管理局,武汉市蔡甸区应急管理局,2019,87.65,"
        "产出指标,时效指标,及时完成质量监督检查任务,100%,25\n"
        ",,,,,产出指标,成本指标,项目预算控制数,87.65万元,25\n"
        ",,,,,效益指标,社会效益指标,营造良好的市场环境,100%,15\n"
        ",,,,,效益指标,可持续影响指标,持续提升质量安全监管水平,100%,15\n"
        ",,,,,满意度指标,服务对象满意度指标,服务对象满意度,≥85%,10\n"
    )
    listed = tmp_path / "清单.csv"
    listed.write_bytes(text.encode("gbk"))
    report = generate_batch(listed, tmp_path / "out", jobs=1)
    assert report.problems == [] and report.complete
    [outcome] = report.outcomes
    contents = form_contents(report.outdir / outcome.filename)
    assert (contents["project"], contents["unit"], contents["year"], contents["budget"]) == (
        "质量技术监督专项经费", "武汉市蔡甸区应急管理局", 2019, 87.65)
    assert contents["indicators"] == [
        ("产出指标", "时效指标", "及时完成质量监督检查任务", "100%", 25),
        ("产出指标", "成本指标", "项目预算控制数", "87.65万元", 25),
        ("效益指标", "社会效益指标", "营造良好的市场环境", "100%", 15),
        ("效益指标", "可持续影响指标", "持续提升质量安全监管水平", "100%", 15),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥85%", 10),
    ]


def _hand_list(path: Path, edit: Any = None) -> Path:
    """A list as a user makes it in Excel: a title row, the header, percentages typed into
    percentage cells, a date, a hidden sheet before it."""
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "旧清单"
    hidden.append(["项目名称", "三级指标"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("清单")
    ws.append(["2024年度绩效目标"])
    ws.append(["项目名称", "主管部门", "实施单位", "年度", "全年预算数（万元）", "一级指标", "二级指标", "三级指标",
               "年度指标值", "分值"])
    rows = [
        ["甲项目", "甲局", "甲单位", 2024, 120.5, "产出指标", "数量指标", "检查次数", 3500, 20],
        [None, None, None, None, None, "产出指标", "质量指标", "合格率", 0.95, 30],
        [None, None, None, None, None, "效益指标", "社会效益指标", "受益人数", "≥2000人", 30],
        [None, None, None, None, None, "满意度指标", "服务对象满意度指标", "满意度", 0.9, 10],
        ["乙项目", "乙局", "乙单位", 2024, 80, "产出指标", "时效指标", "完成时间", dt.datetime(2024, 12, 31), 90],
    ]
    for values in rows:
        ws.append(values)
    ws["I4"].number_format = "0%"
    ws["I6"].number_format = '0.0"%"'  # a quoted % is text, not a percentage format
    ws["I3"].number_format = "#,##0"
    if edit:
        edit(ws)
    wb.save(path)
    return path


def _trimmed(rows: list[tuple[int, list[object]]]) -> list[tuple[int, list[object]]]:
    out = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        out.append((number, cells))
    return out


def test_the_fast_list_reader_reads_what_openpyxl_reads(tmp_path: Path, two_hundred) -> None:  # type: ignore[no-untyped-def]
    """python-calamine reads lists; it must give exactly what openpyxl (with number formats and
    error values) gives, or step aside."""
    from perfeval_xl.batch.tables import _read_formatted, _read_values

    lists = {
        "200": two_hundred["lists"]["xlsx"][0],
        "hand": _hand_list(tmp_path / "hand.xlsx"),
        "template": write_template(tmp_path / "template.xlsx"),
    }
    for name, path in lists.items():
        fast, full = _read_values(path), _read_formatted(path)
        assert fast is not None, name
        assert (fast.sheet, fast.header_row, fast.columns) == (full.sheet, full.header_row, full.columns), name
        assert _trimmed(fast.rows) == _trimmed(full.rows), name
    hand = _read_values(lists["hand"])
    assert hand is not None
    targets = {cells[7]: cells[8] for _, cells in hand.rows}
    assert targets == {"检查次数": 3500, "合格率": "95%", "受益人数": "≥2000人", "满意度": 0.9,
                       "完成时间": dt.datetime(2024, 12, 31)}


def test_a_list_with_an_error_cell_is_read_with_openpyxl(tmp_path: Path) -> None:
    """calamine reads #REF! as empty, which in 项目名称 would join rows to the project above."""
    from perfeval_xl.batch.tables import _read_values

    def broken(ws: Any) -> None:
        ws["A7"] = "=#REF!"

    from perfeval_xl.libreoffice import recalculate  # a spreadsheet stores the error value

    path = _hand_list(tmp_path / "broken.xlsx", broken)
    [saved] = recalculate([path], tmp_path / "saved")
    assert b't="e"' in zipfile.ZipFile(saved).read("xl/worksheets/sheet2.xml")
    assert _read_values(saved) is None
    targets = read_targets(saved)
    assert any("#REF!" in str(p) for p in targets.problems), [str(p) for p in targets.problems]

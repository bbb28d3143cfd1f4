"""The lite-mode 自评表: the native form's layout, locking and names, its results calling
the xlwings Lite custom functions and stored as the engine computes them, the add-in's
web-extension parts (well-formed, schema-valid, carrying main.py byte for byte), what
LibreOffice makes of it, and the readers, export, `new` and `batch` on it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from formcases import fill_form, make_case
from formcompare import assert_same_form, udf_cells
from test_form_parity import form_equivalent
from test_form_xlwings import LIBREOFFICE_ERRORS, _pdf_text, stored_result_messages

from perfeval_xl.cli import cli
from perfeval_xl.consolidate import consolidate
from perfeval_xl.demo import blank, load_example
from perfeval_xl.engine import score_project
from perfeval_xl.errors import FileError
from perfeval_xl.export import export_form
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import CALC_SHEET, cell
from perfeval_xl.form.metadata import fingerprint, read_meta, workbook_cells
from perfeval_xl.form.webextension import (
    CONTENT_TYPES,
    LITE_ADDIN_ID,
    PACKAGE_RELS,
    TASKPANES,
    TASKPANES_RELS,
    WEBEXTENSION,
    read_settings,
)
from perfeval_xl.kinds.self.formulas import LITE_UNAVAILABLE_TEXT
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.libreoffice import CALC_XLSX, PDF, convert
from perfeval_xl.lite import REQUIREMENTS, main_py
from perfeval_xl.reader import read_projects

EXAMPLES = Path(__file__).parents[1] / "perfeval_xl" / "examples"
WE = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    root = tmp_path_factory.mktemp("lite")
    spec = load_example("caidian-2019-quality")
    return build_form(spec, root / "native.xlsx"), build_form(spec, root / "lite.xlsx", mode="lite")


def test_same_layout_locking_validation_and_names(pair: tuple[Any, Any]) -> None:
    native, lite = pair
    status = (CALC_SHEET, cell(lite.layout.status, Col.USED))  # the status line's parts: one more
    b = assert_same_form(native.path, lite.path, udf_cells(lite.layout), {"pe_profile"}, frozenset({status}))
    meta = read_meta(b)
    assert meta["mode"] == "lite" and meta["fingerprint"] == fingerprint(workbook_cells(b))
    assert b.defined_names["pe_profile"].attr_text == "'_meta'!$B$4"


def test_results_call_the_lite_functions_with_blank_aware_inputs(pair: tuple[Any, Any]) -> None:
    _, lite = pair
    ws = openpyxl.load_workbook(lite.path)[SHEET]
    lay = lite.layout

    def blank_aware(ref: str) -> str:
        return f'IF(ISBLANK({ref}),"",{ref})'

    for place in lay.indicators:
        r = place.row + 1
        nothing = f'{CALC_SHEET}!R{r}=""'
        e, f, g, k = (blank_aware(f"{c}{r}") for c in "EFGK")
        assert ws[f"H{r}"].value == (f'=IF(AND({nothing},OR(G{r}="",AND(ISNUMBER(G{r}),G{r}>=0))),"",'
                                     f"_xldudf_PE_SCORE({e},{f},{g},{CALC_SHEET}!X{r},{k},pe_profile,pe_year))")
        assert ws[f"J{r}"].value == f'=IF({nothing},"",_xldudf_PE_DEVIATION_RATE({e},{f},pe_profile,pe_year))'
    e, f, g = (blank_aware(f"{c}6") for c in "EFG")
    assert ws[cell(lay.funds["total"], Col.REASON)].value == \
        f'=IF(OR(E6="",F6=""),"",_xldudf_PE_EXECUTION_SCORE({e},{f},{g},pe_profile,pe_year))'
    assert "_xldudf_PE_EVALUATION_GRADE(pe_total,pe_profile,pe_year)" in ws[cell(lay.grade, Col.WEIGHT)].value
    calc = openpyxl.load_workbook(lite.path)[CALC_SHEET]
    status = calc[cell(lay.status, Col.USED)].value
    assert status.startswith(f"=IF(SUMPRODUCT(--ISERROR(自评表!$H${lay.first_indicator + 1}:")
    assert f'"{LITE_UNAVAILABLE_TEXT}"' in status


def test_no_function_is_called_by_a_name_the_form_defines(pair: tuple[Any, Any]) -> None:
    _, lite = pair
    wb = openpyxl.load_workbook(lite.path)
    defined = {name.lower() for name in wb.defined_names}
    text = " ".join(c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("="))
    called = {m.lower() for m in re.findall(r"_xldudf_([A-Z_]+)\(", text)}
    assert called == {"pe_score", "pe_deviation_rate", "pe_execution_score", "pe_evaluation_grade"}
    assert not called & defined
    assert not re.search(r"(?<![A-Za-z_.])PE_[A-Z_]+\(", text.replace("_xldudf_PE_", "_xldudf_"))


def test_web_extension_parts(pair: tuple[Any, Any]) -> None:
    """The parts Excel writes for an add-in, related and typed, carrying main.py byte for byte."""
    _, lite = pair
    with zipfile.ZipFile(lite.path) as archive:
        assert archive.testzip() is None
        parts = {name: archive.read(name) for name in archive.namelist()}
    trees = {name: ElementTree.fromstring(data) for name, data in parts.items() if name.endswith((".xml", ".rels"))}
    root = trees[WEBEXTENSION]
    refs = [r.attrib for r in root.iter(f"{WE}reference")]
    assert refs[0]["id"].upper() == LITE_ADDIN_ID and refs[0]["storeType"] == "OMEX"
    assert refs[1] == {"id": LITE_ADDIN_ID, "version": "1.0.0.0", "store": LITE_ADDIN_ID, "storeType": "OMEX"}
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", root.attrib["id"])
    values = {p.attrib["name"]: p.attrib["value"] for p in root.iter(f"{WE}property")}
    assert json.loads(values["main.py"]).encode("utf-8") == main_py().encode("utf-8")
    assert json.loads(values["requirements.txt"]) == REQUIREMENTS
    assert re.fullmatch(r"xlwings==0\.(3[7-9]|36\.([7-9]|\d\d))(\.\d+)?  # required\n", REQUIREMENTS)
    assert "\\/" in values["main.py"] and '"' not in values["main.py"][1:-1].replace('\\"', "")  # as Office escapes
    assert read_settings(lite.path)["main.py"] == main_py()
    rels = trees[PACKAGE_RELS]
    assert any(r.attrib["Target"] == TASKPANES and r.attrib["Type"].endswith("/webextensiontaskpanes") for r in rels)
    assert len({r.attrib["Id"] for r in rels}) == len(rels)
    assert [r.attrib["Target"] for r in trees[TASKPANES_RELS]] == ["webextension1.xml"]
    types = {o.attrib.get("PartName"): o.attrib["ContentType"] for o in trees[CONTENT_TYPES]}
    assert types["/" + WEBEXTENSION] == "application/vnd.ms-office.webextension+xml"
    assert types["/" + TASKPANES] == "application/vnd.ms-office.webextensiontaskpanes+xml"
    pane = next(trees[TASKPANES].iter())[0]
    assert pane.attrib["visibility"] == "1" and pane.attrib["dockstate"] == "right"


def test_the_parts_are_added_deterministically(tmp_path: Path) -> None:
    """The parts are added after XlsxWriter closes the file, everything else copied: the same
    spec and time give the same bytes."""
    spec = load_example("caidian-2019-quality")
    when = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    a = build_form(spec, tmp_path / "a.xlsx", mode="lite", generated_at=when)
    b = build_form(spec, tmp_path / "b.xlsx", mode="lite", generated_at=when)
    native = build_form(spec, tmp_path / "n.xlsx", generated_at=when)
    assert a.path.read_bytes() == b.path.read_bytes()
    with zipfile.ZipFile(a.path) as archive:
        assert archive.namelist()[-3:] == [WEBEXTENSION, TASKPANES, TASKPANES_RELS]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())
        with zipfile.ZipFile(native.path) as other:
            assert archive.namelist()[:-3] == other.namelist()


def test_open_xml_schema_check(pair: tuple[Any, Any], tmp_path: Path) -> None:
    """openxml-audit (the Open XML SDK's schemas in Python) finds no error — and does find one
    in a web-extension part put out of order, so the parts are really checked."""
    from openxml_audit import FileFormat, OpenXmlValidator

    _, lite = pair
    validator = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=20)
    result = validator.validate(str(lite.path))
    assert result.is_valid, [str(e) for e in result.errors]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(lite.path) as source, zipfile.ZipFile(broken, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == WEBEXTENSION:
                data = data.replace(b"<we:bindings/>", b"").replace(b"<we:properties>", b"<we:bindings/><we:properties>")
            out.writestr(name, data)
    errors = [str(e) for e in validator.validate(str(broken)).errors]
    assert errors and all("webextension1.xml" in e for e in errors), errors


@pytest.mark.parametrize("source", ["golden", "generated"])
def test_stored_results_are_the_engines(source: str, tmp_path: Path) -> None:
    errors = stored_result_messages(source, tmp_path, "lite", 60)
    assert errors > 5 or source == "golden"  # unreadable values are shown as messages, not blanks


def test_libreoffice_opens_the_lite_form(pair: tuple[Any, Any], tmp_path: Path) -> None:
    """LibreOffice (default settings, as on a user's machine) opens a filled and a blank Lite
    form and prints the engine's stored numbers, no error; told to recalculate everything it
    has no xlwings Lite, and the status line says what to do."""
    _, lite = pair
    empty = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "blank.xlsx", mode="lite")
    stored, stored_blank = convert([lite.path, empty.path], PDF, tmp_path / "stored", recalculate=None)
    text = _pdf_text(stored)
    assert "99.87" in text and "9.87" in text and "25.00" in text and "优" in text and "已填写完整" in text
    assert not [e for e in LIBREOFFICE_ERRORS if e in text], text
    text = _pdf_text(stored_blank)
    assert "项目资金未填写完整" in text and not [e for e in LIBREOFFICE_ERRORS if e in text], text
    recalculated = _pdf_text(convert([lite.path], PDF, tmp_path / "recalculated")[0])
    assert "98.73%" in recalculated and "xlwings Lite" in recalculated.replace("\n", "")
    # Saved again by LibreOffice, the form loses the add-in's code (README says: save in Excel),
    # and still reads as a lite form.
    resaved = convert([lite.path], CALC_XLSX, tmp_path / "resaved", recalculate=None)[0]
    with zipfile.ZipFile(resaved) as archive:
        assert WEBEXTENSION not in archive.namelist()
    assert read_meta(openpyxl.load_workbook(resaved))["mode"] == "lite"


def test_readers_check_score_and_consolidate_a_lite_form(tmp_path: Path) -> None:
    forms = []
    for index in range(8):
        case = make_case(index)
        built = build_form(case.blank_spec(), tmp_path / f"b{index}.xlsx", mode="lite")
        filled = tmp_path / "filled" / f"f{index}.xlsx"
        filled.parent.mkdir(exist_ok=True)
        fill_form(built, case, filled)
        read = read_projects(filled)
        assert len(read) == 1 and read[0].ours is not None
        want = score_project(form_equivalent(case.filled_spec()))
        got = read[0].score()
        assert (got.total, got.grade, got.execution.score) == (want.total, want.grade, want.execution.score)
        assert not [f for f in got.all_findings() if f.code in ("form-altered", "values-copy")], case.name
        forms.append(filled)
    runner = CliRunner()
    check = runner.invoke(cli, ["check", str(forms[0])])
    assert check.exit_code in (0, 1) and "错误" in check.output and "无法" not in check.output
    score = runner.invoke(cli, ["score", str(forms[0]), "--json"])
    assert score.exit_code == 0, score.output
    scored = json.loads(score.output)
    assert scored["kind"] == "perfeval-xl" and scored["source"] == str(forms[0])
    assert scored["total"] == float(score_project(form_equivalent(make_case(0).filled_spec())).total)
    done = consolidate([str(tmp_path / "filled")], tmp_path / "汇总.xlsx", jobs=1)
    assert done.read == 8 and not done.failed
    rows = list(openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"].iter_rows(values_only=True))
    assert sum(1 for r in rows if any(isinstance(v, str) and re.fullmatch(r"f\d\.xlsx", Path(v).name)
                                      for v in r)) == 8


def test_export_a_lite_form(pair: tuple[Any, Any], tmp_path: Path) -> None:
    _, lite = pair
    out = export_form(lite.path, pdf=tmp_path / "表.pdf", values=tmp_path / "数值.xlsx")
    text = _pdf_text(out.pdf)
    assert "99.87" in text and not [e for e in LIBREOFFICE_ERRORS if e in text]
    values = openpyxl.load_workbook(out.values)[SHEET]
    assert values[cell(lite.layout.total, Col.SCORE)].value == pytest.approx(99.87)


def test_mode_errors(tmp_path: Path) -> None:
    with pytest.raises(FileError, match=r"xlwings Lite 模式的自评表须保存为 \.xlsx 文件，现为 a\.xlsm"):
        build_form(load_example("caidian-2019-quality"), tmp_path / "a.xlsm", mode="lite")


def test_cli_new_and_batch_lite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["new", str(EXAMPLES / "caidian-2019-quality.yaml"), "--mode", "lite"])
    assert result.exit_code == 0, result.output
    made = tmp_path / "质量技术监督专项经费.xlsx"
    assert made.exists() and read_settings(made)["main.py"] == main_py()
    targets = tmp_path / "清单.csv"
    with targets.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["项目名称", "年度", "一级指标", "二级指标", "三级指标", "年度指标值", "分值"])
        writer.writerow(["甲项目", 2023, "产出指标", "数量指标", "巡查次数", "≥10次", 90])
        writer.writerow(["乙项目", 2023, "产出指标", "质量指标", "合格率", "≥95%", 90])
    result = runner.invoke(cli, ["batch", str(targets), "-o", "out", "--mode", "lite", "-j", "1"])
    assert result.exit_code == 0, result.output
    sent = sorted((tmp_path / "out").glob("*.xlsx"))
    forms = [p for p in sent if p.name != "生成清单.xlsx"]
    assert len(forms) == 2
    for form in forms:
        assert read_meta(openpyxl.load_workbook(form))["mode"] == "lite"
        assert read_settings(form)["main.py"] == main_py()
    assert "--mode [native|xlwings|lite]" in runner.invoke(cli, ["new", "--help"]).output

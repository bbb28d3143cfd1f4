"""Reading filled forms: ours and hand-made ones, their slips, and every kind of bad file."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from handmade_forms import SEED_003_ROWS, seed_003_workbook, sichuan_workbook, write_official
from msoffcrypto.format.ooxml import OOXMLFile

from perfeval_xl.cli import cli
from perfeval_xl.demo import blank, load_example
from perfeval_xl.errors import FileError, FormError
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import cell
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.libreoffice import CALC_XLSX, convert, recalculate
from perfeval_xl.reader import evaluate


def codes(result, severity: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.code for f in result.all_findings() if severity in (None, f.severity.value))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- hand-made forms


def test_hand_made_seed_003_scores_99_87(tmp_path: Path) -> None:
    path = tmp_path / "自评表.xlsx"
    where = seed_003_workbook(path, top=3, left=2)
    [result] = evaluate(path)
    assert (result.kind, result.sheet) == ("hand-made", "附件 自评表")
    assert (result.execution.score, result.total, result.grade) == (D("9.87"), D("99.87"), "优")
    assert result.spec.project == "质量技术监督专项经费" and result.spec.year == 2019
    assert result.spec.unit == "武汉市蔡甸区应急管理局"
    assert codes(result, "error") == [] and codes(result, "warning") == []
    satisfaction = result.indicators[-1]
    assert satisfaction.spec.locations["score"] == where["社会公众或服务对象对项目实施效果的满意程度"]
    assert satisfaction.deviation == D("0.063")


def test_numbers_in_percent_format_and_a_b_labels(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    seed_003_workbook(path, ab_labels=True, percent_numbers=True)
    [result] = evaluate(path)
    assert (result.total, result.grade) == (D("99.87"), "优")
    assert result.indicators[-1].spec.actual == "85%"


def test_a_typed_score_that_contradicts_the_table_is_reported(tmp_path: Path) -> None:
    rows = [("产出指标", "质量指标", "全年案件结案率", "97.0%", "95.0%", 10, 9.97),
            ("效益指标", "社会效益指标", "群访事件", "0次", "0次", 30, 30),
            ("满意度指标", "服务对象满意度指标", "满意率", "≥70%", "97.9%", 10, 10)]
    path = tmp_path / "slip.xlsx"
    where = seed_003_workbook(path, rows=rows, funds=(None, 2154.81, 1172.32, "54%", 2.16), total=52.13,
                              reasons={"全年案件结案率": "个别案件移送", "满意率": "服务改进"})
    [result] = evaluate(path)
    messages = {f.location: f.message for f in result.all_findings()}
    assert messages[where["全年案件结案率"]] == "写的得分为 9.97，按规则应为 9.79（10 × 95% ÷ 97%）"
    assert messages[where["exec_score"]] == "写的预算执行率得分为 2.16，按规则应为 5.44（10 × 1172.32 ÷ 2154.81，按金额计算）"
    assert "写的总分为 52.13，按规则应为" in messages[where["total"]]
    assert "stated-differs" in codes(result, "error") and "score-differs" in codes(result, "error")
    code, out, _ = run("check", str(path))
    assert code == 1 and "写的得分为 9.97，按规则应为 9.79" in out


def test_a_blank_or_broken_total_score_states_no_total(tmp_path: Path) -> None:
    """The stated 总分 is the 得分 cell of the 总分 row only, never the 分值 100 beside it."""
    from perfeval_xl.reader.fast import evaluate_fast

    blank_total = tmp_path / "blank.xlsx"
    seed_003_workbook(blank_total, total=None)
    broken = tmp_path / "div0.xlsx"
    seed_003_workbook(broken, total="=1/0")
    broken = recalculate([broken], tmp_path / "lo")[0]  # LibreOffice stores #DIV/0!
    for path in (blank_total, broken):
        for result in (evaluate(path)[0], evaluate_fast(path)[0][0]):  # openpyxl, python-calamine
            assert result.spec.stated.total is None
            assert "stated-differs" not in codes(result)
            assert result.total == D("99.87")
    [full] = evaluate(broken)
    assert [f.message for f in full.all_findings() if f.code == "cell-error"] == ["总分是错误值 #DIV/0!，请改为数值或留空"]
    code, out, _ = run("check", str(blank_total))
    assert code == 0 and "写的总分" not in out


def test_the_stated_grade_comes_from_a_labelled_cell_or_the_total_row(tmp_path: Path) -> None:
    rows = [(None, "时效指标", "验收结论", "合格", "合格", 25, 25) if r[2] == "及时完成质量监督检查任务" else r
            for r in SEED_003_ROWS]
    wb = openpyxl.Workbook()
    where = write_official(wb.active, rows=rows, total=None, grade=None)
    total_row = int(where["total"].rsplit("H", 1)[1])
    for merged in [m for m in wb.active.merged_cells.ranges if m.min_row >= total_row]:
        wb.active.unmerge_cells(str(merged))
    for line in wb.active.iter_rows(min_row=total_row):
        for c in line:
            c.value = None  # no 总分 row, no 评价等级 row
    path = tmp_path / "nograde.xlsx"
    wb.save(path)
    [result] = evaluate(path)
    assert result.grade == "优" and result.spec.stated.grade is None  # not the target 合格 (“中”)
    assert "stated-differs" not in codes(result)
    wb.active["A24"], wb.active["C24"] = "等级", "良"
    wb.save(path)
    [result] = evaluate(path)
    messages = [(f.message, f.location) for f in result.all_findings() if f.code == "stated-differs"]
    assert messages == [("写的等级为“良”，按总分 99.87 应为“优”", "Sheet!C24")]


def test_sichuan_variant_with_sign_number_unit_columns(tmp_path: Path) -> None:
    path = tmp_path / "sc.xlsx"
    sichuan_workbook(path)
    [result] = evaluate(path, profile="sichuan")
    assert [i.spec.target for i in result.indicators] == ["＝100%", "≥95%", "达成年度指标"]
    assert [float(i.score) for i in result.indicators] == [50, 29.05, 10]
    assert (result.execution.score, result.total) == (D("8.5"), D("97.55"))
    assert "execution-low" in codes(result, "warning")


def test_several_forms_in_one_workbook_and_sheet_choice(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_official(wb.active, project="项目甲")
    write_official(wb.create_sheet("第二张"), project="项目乙", top=2)
    wb.create_sheet("说明")["A1"] = "填表说明"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    assert [r.spec.project for r in evaluate(path)] == ["项目甲", "项目乙"]
    assert [r.spec.project for r in evaluate(path, sheet="第二张")] == ["项目乙"]
    with pytest.raises(FormError, match="没有名为“第三张”的工作表，现有：Sheet、第二张、说明"):
        evaluate(path, sheet="第三张")
    code, out, _ = run("score", str(path), "--json")
    assert code == 0 and [p["project"] for p in json.loads(out)] == ["项目甲", "项目乙"]


def test_error_values_are_findings_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "err.xlsx"
    rows = [("产出指标", "数量指标", "巡查次数", "≥10次", "=1/0", 90, None)]
    seed_003_workbook(path, rows=rows)
    recalculated = recalculate([path], tmp_path / "lo")[0]  # LibreOffice stores #DIV/0!
    [result] = evaluate(recalculated)
    assert "cell-error" in codes(result, "error")
    assert any("#DIV/0!" in f.message for f in result.all_findings())


def test_a_number_too_large_to_compute_is_a_finding_at_its_cell(tmp_path: Path) -> None:
    from perfeval_xl.reader.fast import evaluate_fast

    rows = [(*r[:4], 1e30, *r[5:]) if r[2] == "社会公众或服务对象对项目实施效果的满意程度" else r
            for r in SEED_003_ROWS]
    path = tmp_path / "huge.xlsx"
    where = seed_003_workbook(path, rows=rows)
    actual_cell = where["社会公众或服务对象对项目实施效果的满意程度"].replace("!H", "!F")
    message = ("数值过大：实际完成值为 1E+30，超出电子表格能准确计算的范围（15 位有效数字）；"
               "请检查是否多输了数字或写错了单位")
    for result in (evaluate(path)[0], evaluate_fast(path)[0][0]):
        found = [(f.code, f.message, f.location) for f in result.all_findings() if f.severity.value == "error"]
        assert found == [("number-out-of-range", message, actual_cell)]
        assert result.indicators[-1].score is None and not result.complete
    code, out, err = run("check", str(path))
    assert code == 1 and message in out and "Traceback" not in err
    spec = tmp_path / "huge.yaml"
    text = (Path(__file__).parents[1] / "perfeval_xl" / "examples" / "caidian-2019-quality.yaml").read_text("utf-8")
    spec.write_text(text.replace('actual: "85%"', "actual: 1000000000000000000000000000000"), encoding="utf-8")
    code, out, err = run("check", str(spec))
    assert code == 1 and f"（{spec}:44）：{message}" in out and "Traceback" not in err
    code, _, err = run("new", str(spec), "-o", str(tmp_path / "huge-form.xlsx"))  # the form's model rounds it too
    assert code == 0 and "Traceback" not in err
    spec.write_text(text.replace('target: "80%"', 'target: "≥0.00000000000000000001%"'), encoding="utf-8")
    code, out, err = run("check", str(spec))
    assert code == 1 and "数值过小：年度指标值为 1E-22，无法据以计算" in out and "Traceback" not in err


def test_missing_year_is_asked_for(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_official(wb.active)
    wb.active["A2"] = "（年度）"
    path = tmp_path / "noyear.xlsx"
    wb.save(path)
    with pytest.raises(FormError, match="没有找到评价年度"):
        evaluate(path)
    assert evaluate(path, year=2020)[0].spec.year == 2020


# --------------------------------------------------------------------------- our forms


@pytest.fixture(scope="module")
def filled_ours(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank form of ours, filled with openpyxl, then saved by LibreOffice (a real engine)."""
    root = tmp_path_factory.mktemp("ours")
    spec = load_example("caidian-2019-quality")
    built = build_form(blank(spec), root / "blank.xlsx")
    wb = openpyxl.load_workbook(built.path)
    ws = wb[SHEET]
    ws[cell(built.layout.funds["fiscal"], Col.TARGET)] = 87.65
    ws[cell(built.layout.funds["fiscal"], Col.ACTUAL)] = 86.54
    values = {ind.name: ind.actual for ind in spec.indicators}
    for planned in built.plan.rows:
        if planned.place.spec_index is not None:
            name = spec.indicators[planned.place.spec_index].name
            actual = str(values[name])
            ws[cell(planned.row, Col.ACTUAL)] = float(actual.rstrip("%万元")) / (100 if "%" in actual else 1)
    wb.save(root / "filled.xlsx")
    return recalculate([root / "filled.xlsx"], root / "saved")[0]


def test_our_form_filled_and_saved_by_a_spreadsheet(filled_ours: Path) -> None:
    [result] = evaluate(filled_ours)
    assert (result.kind, result.total, result.grade, result.execution.score) == ("perfeval-xl", D("99.87"), "优", D("9.87"))
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert result.indicators[0].spec.locations["actual"].startswith(f"{SHEET}!F")


def test_an_incomplete_form_saved_by_a_spreadsheet_shows_its_partial_total(tmp_path: Path) -> None:
    """The form's 总分 formula shows the sum so far; that is no "shown-differs" while the grade waits."""
    spec = load_example("caidian-2019-quality")
    built = build_form(blank(spec), tmp_path / "blank.xlsx")
    wb = openpyxl.load_workbook(built.path)
    ws = wb[SHEET]
    ws[cell(built.layout.funds["fiscal"], Col.TARGET)] = 87.65
    ws[cell(built.layout.funds["fiscal"], Col.ACTUAL)] = 86.54
    rows = [p.row for p in built.plan.rows if p.place.spec_index is not None]
    ws[cell(rows[0], Col.ACTUAL)] = 1  # 100% against 100%: 25
    wb.save(tmp_path / "part.xlsx")
    saved = recalculate([tmp_path / "part.xlsx"], tmp_path / "saved")[0]
    shown = openpyxl.load_workbook(saved, data_only=True)[SHEET][cell(built.layout.total, Col.SCORE)].value
    assert shown == pytest.approx(34.87)  # 9.87 + 25, as LibreOffice computed it
    [result] = evaluate(saved)
    assert (result.total, result.grade, result.complete) == (D("34.87"), None, False)
    assert "shown-differs" not in codes(result)
    assert codes(result, "error") == ["actual-missing"] * 4
    code, out, _ = run("check", str(saved))
    assert code == 1 and "表中显示" not in out


def test_actuals_typed_with_units_in_the_form_and_in_the_engine(tmp_path: Path) -> None:
    """A text actual in the target's own unit is read by the form's formulas as by the engine;
    one in another unit of the same kind ("865400元" against 87.65万元) only the engine converts,
    and the form's unscored row is explained as such, not as altered formulas."""
    spec = load_example("caidian-2019-quality")
    built = build_form(blank(spec), tmp_path / "blank.xlsx")
    rows = {spec.indicators[p.place.spec_index].name: p.row for p in built.plan.rows
            if p.place.spec_index is not None}
    saved = {}
    for label, cost in (("own", "86.54万元"), ("other", "865400元")):
        wb = openpyxl.load_workbook(built.path)
        ws = wb[SHEET]
        ws[cell(built.layout.funds["fiscal"], Col.TARGET)] = 87.65
        ws[cell(built.layout.funds["fiscal"], Col.ACTUAL)] = 86.54
        for ind in spec.indicators:  # as text, the way they were published: "100%", "80%" ...
            ws[cell(rows[ind.name], Col.ACTUAL)] = cost if ind.name == "不超过年度预算" else str(ind.actual)
        wb.save(tmp_path / f"{label}.xlsx")
        saved[label] = recalculate([tmp_path / f"{label}.xlsx"], tmp_path / "saved")[0]
    values = openpyxl.load_workbook(saved["own"], data_only=True)[SHEET]
    assert values[cell(built.layout.total, Col.SCORE)].value == pytest.approx(99.87)
    assert values[cell(rows["不超过年度预算"], Col.SCORE)].value == 25
    [own] = evaluate(saved["own"])
    assert (own.total, own.grade) == (D("99.87"), "优")
    assert codes(own, "error") == [] and codes(own, "warning") == []
    values = openpyxl.load_workbook(saved["other"], data_only=True)[SHEET]
    assert values[cell(rows["不超过年度预算"], Col.SCORE)].value is None  # the form shows it unreadable
    [other] = evaluate(saved["other"])
    assert (other.total, other.grade) == (D("99.87"), "优")  # the engine converts 865400元 to 86.54万元
    assert codes(other, "error") == []
    assert codes(other, "warning") == ["actual-unread-by-form"] * 3  # the row, 总分 and 评价等级
    row_warning = next(f for f in other.all_findings() if f.code == "actual-unread-by-form")
    assert "865400元" in row_warning.message and "25 分" in row_warning.message
    assert row_warning.location == f"{SHEET}!{cell(rows['不超过年度预算'], Col.ACTUAL)}"


def test_altered_locked_content_and_shown_results_are_reported(filled_ours: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(filled_ours)
    ws = wb[SHEET]
    declared = next(r for r in range(13, 40) if ws.cell(r, Col.WEIGHT + 1).value == 25)
    ws.cell(declared, Col.WEIGHT + 1).value = 30  # a declared weight, changed after unprotecting
    ws.cell(declared, Col.SCORE + 1).value = 99  # and a formula overwritten by a wrong number
    path = tmp_path / "altered.xlsx"
    wb.save(path)
    saved = convert([path], CALC_XLSX, tmp_path / "saved")[0]
    [result] = evaluate(saved)
    altered = next(f for f in result.all_findings() if f.code == "form-altered")
    assert f"H{declared}" in altered.message
    assert "shown-differs" in codes(result, "error")


# --------------------------------------------------------------------------- bad files


def _expect_unreadable(path: Path, message: str) -> None:
    with pytest.raises((FileError, FormError)) as info:
        evaluate(path)
    assert message in str(info.value)
    code, _, err = run("check", str(path))
    assert code == 2 and message in err and "Traceback" not in err


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"%PDF-1.4 this is not a workbook" * 10)
    _expect_unreadable(path, "fake.xlsx 是 PDF 文件，不是工作簿；请报送填好的自评表（Excel/WPS 工作簿），PDF 只能作附件")
    path.write_bytes(bytes(range(256)) * 4)
    _expect_unreadable(path, "fake.xlsx 不是 Excel 工作簿（.xlsx、.xls、.et、.ods 等），可能是其他类型的文件改了扩展名；"
                             "请向报送单位索取填好的自评表（Excel/WPS 工作簿）")


def test_truncated_zip(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    seed_003_workbook(good)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _expect_unreadable(path, "cut.xlsx 已损坏（压缩包不完整，可能下载或拷贝中断），请重新获取该文件")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    _expect_unreadable(path, "empty.xlsx 是空文件（0 字节）")


def test_encrypted_workbook(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    seed_003_workbook(plain)
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    _expect_unreadable(path, "locked.xlsx 设有打开密码，无法读取")


OTHER_OFFICE = "是 Word、PowerPoint 等其他 Office 文件，不是工作簿，无法读取；请换成填好的自评表（Excel/WPS 工作簿）"


def word_97_document(text: str) -> bytes:
    """A minimal OLE2 compound file holding a WordDocument stream (a .doc as far as any reader
    looking at the container is concerned): header, one FAT sector, one directory sector, the stream."""
    import struct

    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    stream = text.encode("utf-16-le").ljust(4096, b"\0")  # ≥ 4096 bytes: in regular sectors
    data_sectors = len(stream) // 512
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    fat = [fat_sector, end] + [3 + i for i in range(data_sectors - 1)] + [end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, no_stream, no_stream, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    unused = bytearray(128)
    struct.pack_into("<III", unused, 68, no_stream, no_stream, no_stream)
    directory = (entry("Root Entry", 5, 1, end, 0) + entry("WordDocument", 2, no_stream, 2, len(stream))
                 + bytes(unused) * 2)
    return bytes(header) + fat_bytes + directory + stream


def test_a_word_document_renamed_to_xlsx(tmp_path: Path) -> None:
    """An OLE2 file need not be a workbook (Excel 97–2003 and WPS .et ones are read): a .doc is named."""
    import olefile

    from perfeval_xl.reader.fast import evaluate_fast

    for name in ("报告.xlsx", "报告.xls"):
        path = tmp_path / name
        path.write_bytes(word_97_document("绩效自评报告"))
        assert olefile.OleFileIO(str(path)).listdir() == [["WordDocument"]]
        _expect_unreadable(path, f"{name} " + OTHER_OFFICE)
        with pytest.raises(FileError) as info:
            evaluate_fast(path)
        assert str(info.value) == f"{name} " + OTHER_OFFICE


def test_xlsm_is_read_without_running_macros(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    seed_003_workbook(plain)
    path = tmp_path / "withmacros.xlsm"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    [result] = evaluate(path)
    assert result.total == D("99.87") and "macros-ignored" in codes(result, "note")


def test_empty_workbook(tmp_path: Path) -> None:
    """check and consolidate (the fast reader) say the same, and what to do."""
    from perfeval_xl.reader.fast import evaluate_fast

    path = tmp_path / "blank.xlsx"
    wb = openpyxl.Workbook()
    wb.create_sheet("Sheet2")
    wb.save(path)
    message = "blank.xlsx 是空工作簿，没有任何内容，不是填好的自评表；请确认是否发错了文件，并重新获取填好的自评表"
    _expect_unreadable(path, message)
    with pytest.raises(FormError) as info:
        evaluate_fast(path)
    assert str(info.value) == message


def test_a_sheet_that_is_not_a_form(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "部门", "电话"])
    wb.active.append(["张三", "办公室", "123"])
    path = tmp_path / "contacts.xlsx"
    wb.save(path)
    _expect_unreadable(path, "contacts.xlsx 中没有找到项目支出绩效自评表（检查了工作表：Sheet）")


def test_a_form_with_half_its_header_gone(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_official(wb.active)
    for row in wb.active.iter_rows():
        for c in row:
            if c.value in ("实际\n完成值", "分值") and c.row > 10:
                c.value = None
    path = tmp_path / "half.xlsx"
    wb.save(path)
    _expect_unreadable(path, "的绩效指标表头不完整，缺少 “实际完成值”、“分值” 列")


def test_zip_bomb(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    seed_003_workbook(plain)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/huge.bin", b"\0" * (8 * 1024 * 1024))
    _expect_unreadable(path, "压缩比异常")


def _entity_workbook(plain: Path, path: Path, padding: int = 0) -> None:
    """A billion-laughs worksheet (10^9 "ha"s if expanded), its DTD after ``padding`` bytes of comment."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    comment = f"<!--{' ' * padding}-->" if padding else ""
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                name = "".join(f"&#{ord(ch)};" for ch in "质量技术监督专项经费")  # as openpyxl escapes it
                body = data.decode("utf-8").replace(name, "&a9;", 1)
                assert "&a9;" in body
                data = f'<?xml version="1.0"?>{comment}<!DOCTYPE worksheet [{entities}]>{body}'.encode()
            dst.writestr(item, data)


def test_xml_entity_tricks_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    from perfeval_xl.reader.fast import evaluate_fast

    plain = tmp_path / "plain.xlsx"
    seed_003_workbook(plain)
    path = tmp_path / "entities.xlsx"
    _entity_workbook(plain, path)
    message = ("entities.xlsx 含有不安全的 XML 内容（xl/worksheets/sheet1.xml 中声明了 DTD 或实体），"
               "可能是“实体膨胀”之类的攻击文件，拒绝读取；请向报送单位索取在 Excel/WPS 中正常保存的文件")
    _expect_unreadable(path, message)
    code, _, err = run("check", str(path))
    assert (code, err) == (2, f"错误：{message}\n")
    with pytest.raises(FileError) as info:
        evaluate_fast(path)
    assert str(info.value) == message
    # a DTD hidden behind a long comment: refused before either reader parses it
    hidden = tmp_path / "hidden.xlsx"
    _entity_workbook(plain, hidden, padding=100_000)
    code, _, err = run("check", str(hidden))
    assert (code, err) == (2, "错误：hidden.xlsx 含有不安全的 XML 内容（xl/worksheets/sheet1.xml 的 XML 开头异常，"
                              "可能藏有 DTD 或实体），可能是“实体膨胀”之类的攻击文件，拒绝读取；"
                              "请向报送单位索取在 Excel/WPS 中正常保存的文件\n")


def test_the_fast_reader_agrees_with_the_full_one(tmp_path: Path, filled_ours: Path) -> None:
    """python-calamine (values only) and openpyxl read the same totals, grades and problems."""
    from perfeval_xl.form.metadata import decode_cells, encode_cells
    from perfeval_xl.reader.fast import evaluate_fast

    cells = {(12, 5), (13, 5), (14, 5), (20, 8), (3, 2), (40, 700)}
    assert decode_cells(encode_cells(cells)) == cells
    hand = tmp_path / "hand.xlsx"
    seed_003_workbook(hand, top=3, left=2)
    altered = tmp_path / "altered.xlsx"
    wb = openpyxl.load_workbook(filled_ours)
    ws = wb[SHEET]
    row = next(r for r in range(13, 40) if ws.cell(r, Col.WEIGHT + 1).value == 25)
    ws.cell(row, Col.WEIGHT + 1).value = 30
    wb.save(altered)
    for path in (filled_ours, hand, altered):
        [full] = evaluate(path)
        [fast], _ = evaluate_fast(path)
        assert (fast.total, fast.grade, fast.execution.score) == (full.total, full.grade, full.execution.score)
        assert sorted(f.code for f in fast.all_findings()) == sorted(f.code for f in full.all_findings()), path
    [fast], _ = evaluate_fast(altered)
    assert "form-altered" in {f.code for f in fast.all_findings()}


def test_a_zip_whose_headers_lie_about_sizes_is_not_decompressed(tmp_path: Path) -> None:
    """A sheet declared as 1,000 bytes that inflates to 50 MB: both readers stop at the declared size."""
    import struct

    from perfeval_xl.reader.fast import evaluate_fast

    plain = tmp_path / "plain.xlsx"
    seed_003_workbook(plain)
    path = tmp_path / "liar.xlsx"
    name = b"xl/worksheets/sheet1.xml"
    big = b"<worksheet><sheetData>" + b" " * (50 * 1024 * 1024) + b"</sheetData></worksheet>"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, big if item.filename == name.decode() else src.read(item.filename))
    raw = bytearray(path.read_bytes())
    # (signature, offset of the name length, of the name, of the uncompressed size)
    for signature, length_at, name_at, size_at in ((b"PK\x01\x02", 28, 46, 24), (b"PK\x03\x04", 26, 30, 22)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            length = struct.unpack("<H", raw[start + length_at:start + length_at + 2])[0]
            if raw[start + name_at:start + name_at + length] == name:
                struct.pack_into("<I", raw, start + size_at, 1000)
            start += 4
    path.write_bytes(bytes(raw))
    with pytest.raises(FileError, match="已损坏"):
        evaluate(path)
    with pytest.raises(FileError, match=r"已损坏（部件 xl/worksheets/sheet1\.xml 无法解压）"):
        evaluate_fast(path)  # the check of the sheet's extents reads the part, and stops at the declared size



def test_a_hand_made_three_part_form_with_sign_words_and_unit_names(tmp_path: Path) -> None:
    """指标性质 written as words (大于等于) and 度量单位 as a name (百分比), as budget systems export them."""
    path = tmp_path / "sc.xlsx"
    sichuan_workbook(path)
    wb = openpyxl.load_workbook(path)
    wb.active["D11"], wb.active["F11"] = "大于等于", "百分比"
    wb.active["D10"] = "定量"
    wb.save(path)
    [result] = evaluate(path, profile="sichuan")
    assert [i.spec.target for i in result.indicators] == ["100%", "≥95%", "达成年度指标"]
    assert [float(i.score) for i in result.indicators] == [50, 29.05, 10]
    wb.active["D11"] = "区间"
    wb.save(path)
    [result] = evaluate(path, profile="sichuan")
    [finding] = [f for f in result.all_findings() if f.location == "自评表!D11"]
    assert finding.message == "指标性质“区间”无法识别，应为 ≥ ＞ ＝ ＜ ≤、“正向”“反向”或“定性”"

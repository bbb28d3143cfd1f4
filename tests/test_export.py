"""The attachments: PDF (one landscape page, title and total, fonts embedded), the
values-only copy, and the report section whose sentences are the seed's own."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from golden_cases import golden_spec
from handmade_forms import seed_003_workbook

from perfeval_xl.cli import cli
from perfeval_xl.demo import load_example
from perfeval_xl.engine import score_project
from perfeval_xl.export import export_form
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import cell
from perfeval_xl.form.metadata import read_meta
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.kinds.self.reader import layout_from_meta
from perfeval_xl.kinds.self.report import analysis_paragraphs
from perfeval_xl.libreoffice import PDF, convert
from perfeval_xl.reader import evaluate
from perfeval_xl.spec import spec_from_data

GOLDEN_REPORTS = Path(__file__).parent / "golden_reports"


def pdf_facts(pdf: Path) -> tuple[int, str, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return pages, info, text


def rendered(pdf: Path, stem: Path) -> tuple[int, int, list[bytes]]:
    """The PDF's first page rendered by poppler at 50 dpi in grey: (width, height, rows of pixels)."""
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-singlefile", str(pdf), str(stem)], check=True)
    magic, size, _, pixels = stem.with_suffix(".pgm").read_bytes().split(b"\n", 3)
    assert magic == b"P5"
    width, height = map(int, size.split())
    return width, height, [pixels[r * width:(r + 1) * width] for r in range(height)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("export")
    form = build_form(load_example("donghu-2018-quality"), root / "自评表.xlsx").path
    return export_form(form, pdf=root / "out" / "自评表.pdf", values=root / "out" / "数值.xlsx",
                       report=root / "out" / "报告.docx")


def test_pdf_is_one_landscape_page_with_title_and_total(exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pages, info, text = pdf_facts(exported.pdf)
    assert pages == 1 and "841.89 x 595.3" in info
    assert "项目支出绩效自评表" in text and "（2018年度）" in text
    assert "96.64" in text and "质量技术监督项目" in text and "2.76" in text
    fonts = subprocess.run(["pdffonts", str(exported.pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    width, height, rows = rendered(exported.pdf, tmp_path / "p")
    assert (width, height) == (585, 414)  # A4 landscape at 50 dpi
    ink = sum(p < 128 for row in rows for p in row) / (width * height)
    assert 0.02 < ink < 0.2  # printed, not blank, not a black page
    rules = [r for r, row in enumerate(rows) if sum(p < 160 for p in row) > width // 2]
    columns = [c for c in range(width) if sum(row[c] < 160 for row in rows) > 0.4 * height]
    assert len(rules) >= 25 and len(columns) >= 9  # the table's grid: a rule under every row, its 9 columns
    title = rows[min(r for r, row in enumerate(rows) if any(p < 128 for p in row))]
    inked = [c for c, p in enumerate(title) if p < 128]
    assert abs(sum(inked) / len(inked) - width / 2) < width * 0.05  # the title, centred above the table


def test_a_long_form_breaks_across_pages_with_the_header_repeated(tmp_path: Path) -> None:
    rows = [{"level1": "产出指标", "level2": "数量指标", "name": f"巡查任务第{i}项", "target": f"≥{10 + i}次",
             "actual": f"{10 + i}次", "weight": 1} for i in range(50)]
    rows.append({"level1": "效益指标", "level2": "社会效益指标", "name": "群众受益", "target": "达成预期指标",
                 "actual": "达成", "weight": 30})
    rows.append({"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "≥90%",
                 "actual": "95%", "weight": 10})
    spec = spec_from_data({"year": 2020, "project": "长表项目", "funds": {"fiscal": {"budget": 10, "executed": 10}},
                           "indicators": rows})
    form = build_form(spec, tmp_path / "long.xlsx").path
    done = export_form(form, pdf=tmp_path / "long.pdf")
    pages, _, text = pdf_facts(done.pdf)  # type: ignore[arg-type]
    assert pages >= 2
    chunks = text.split("\f")
    assert all("三级指标" in chunk for chunk in chunks if chunk.strip())
    assert "100" in chunks[pages - 1]


def test_values_copy_has_no_formulas_and_stays_protected(exported) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(exported.values)
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert wb[SHEET].protection.sheet and wb.security.lockStructure
    with zipfile.ZipFile(exported.values) as archive:
        assert "xl/vbaProject.bin" not in archive.namelist()
    [result] = evaluate(exported.values)
    assert (result.total, result.grade) == (exported.result.total, "优")
    assert "form-altered" not in {f.code for f in result.all_findings()}
    assert "values-copy" in {f.code for f in result.all_findings()}
    assert convert([exported.values], PDF, exported.values.parent / "check")[0].exists()


def _both_readers(path: Path) -> list[set[str]]:
    from perfeval_xl.reader.fast import evaluate_fast

    [full] = evaluate(path)
    [fast], _ = evaluate_fast(path)
    return [{f.code for f in r.all_findings()} for r in (full, fast)]


def test_a_values_copy_is_checked_for_altered_content(exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The copy keeps the locked constants as issued: a changed target or weight is form-altered."""
    wb = openpyxl.load_workbook(exported.values)
    ws = wb[SHEET]
    row = next(r for r in range(13, 40) if ws.cell(r, 5).value == "3000台")
    ws.cell(row, 5).value = "2000台"  # a declared target, in the values copy
    wb.save(tmp_path / "target.xlsx")
    for found in _both_readers(tmp_path / "target.xlsx"):
        assert {"form-altered", "values-copy"} <= found
    wb = openpyxl.load_workbook(exported.values)
    layout = layout_from_meta(read_meta(wb))
    wb[SHEET][cell(layout.total, Col.SCORE)] = 100  # a result, typed over: no longer the engine's
    wb.save(tmp_path / "total.xlsx")
    for found in _both_readers(tmp_path / "total.xlsx"):
        assert "shown-differs" in found and "form-altered" not in found
    for found in _both_readers(exported.values):
        assert "form-altered" not in found and "shown-differs" not in found


def test_a_form_that_only_claims_to_be_a_values_copy_is_checked_in_full(tmp_path: Path) -> None:
    form = build_form(load_example("donghu-2018-quality"), tmp_path / "表.xlsx")
    wb = openpyxl.load_workbook(form.path)
    meta = wb["_meta"]
    next(r for r in meta.iter_rows() if r[0].value == "mode")[1].value = "values-only"
    ws = wb[SHEET]
    row = next(r for r in range(13, 40) if ws.cell(r, 5).value == "3000台")
    ws.cell(row, 5).value = "2000台"
    wb.save(tmp_path / "claims.xlsx")
    full, fast = _both_readers(tmp_path / "claims.xlsx")
    assert "form-altered" in full and "values-copy" not in full
    assert "form-altered" in fast


def test_report_has_the_table_and_the_analysis(exported) -> None:  # type: ignore[no-untyped-def]
    document = Document(str(exported.report))
    table = document.tables[0]
    texts_of = [[c.text for c in row.cells] for row in table.rows]
    assert texts_of[0][:3] == ["项目名称", "项目名称", "质量技术监督项目"]  # the label spans A:B, as on the form
    funds = {row[2]: row[3:] for row in texts_of[2:7]}
    assert texts_of[2][0] == "项目资金（万元）" and all(row[0] == "项目资金（万元）" for row in texts_of[2:7])
    assert funds["年度资金总额"] == ["200", "200", "200", "20", "100.00%", "20"]
    assert funds["其中：当年财政拨款"] == ["200", "200", "200", "—", "100.00%", "—"]
    assert funds["上年结转资金"] == ["", "", "", "—", "—", "—"] and "其他资金" in funds
    # 一级 and 二级 cells are merged down over their rows: one cell, written once
    header = next(i for i, row in enumerate(texts_of) if row[1] == "一级指标")
    total = next(i for i, row in enumerate(texts_of) if row[0] == "总分")
    rows = table.rows[header + 1:total]
    level1 = [row.cells[1] for row in rows]
    assert len({id(c._tc) for c in level1}) == 3  # 产出, 效益, 满意度
    # every 二级指标 keeps its row, as on the printed form: those without indicators are empty rows
    level2 = {c._tc: c.text for c in (row.cells[2] for row in rows)}
    hierarchy = exported.result.rules.hierarchy
    assert list(level2.values()) == [l2 for l2s in hierarchy.values() for l2 in l2s]
    empty = [texts_of[r] for r in range(header + 1, total) if texts_of[r][2] in ("时效指标", "成本指标")]
    assert empty and all(row[3:] == [""] * 6 for row in empty)
    assert len(rows) == len(exported.result.indicators) + len(empty) + sum(
        1 for l2s in hierarchy.values() for l2 in l2s
        if l2 not in ("时效指标", "成本指标") and not any(i.level2 == l2 for i in exported.result.indicators))
    assert texts_of[total][5:8] == ["总分", "100", "96.64"]
    texts = [p.text for p in document.paragraphs]
    assert "日常监管巡查设备台数，指标目标值3000台，设定分值4分。" in "".join(texts)
    assert any("绩效自评得分为96.64分，自评等级为“优”" in t for t in texts)
    assert any("评价设定分值40分，自评得分36.64分，得分率91.6%" in t for t in texts)


def test_report_sentences_are_the_seed_reports_own() -> None:
    case = yaml.safe_load((GOLDEN_REPORTS / "donghu_2018_business_admin.yaml").read_text("utf-8"))
    result = score_project(golden_spec(case))
    ours = [text for _, text in analysis_paragraphs(result)]

    def same(text: str) -> str:
        return text.replace(" ", "").replace("**", "")

    missing = [s for s in case["sentences"] if same(s) not in {same(t) for t in ours}]
    assert not missing, "not reproduced:\n" + "\n".join(missing) + "\nours:\n" + "\n".join(ours)
    assert len(case["sentences"]) >= 10


def test_hand_made_form_exports_too(tmp_path: Path) -> None:
    path = tmp_path / "手填.xlsx"
    seed_003_workbook(path)
    done = export_form(path, pdf=tmp_path / "h.pdf", report=tmp_path / "h.docx")
    pages, info, text = pdf_facts(done.pdf)  # type: ignore[arg-type]
    assert pages == 1 and "841.89 x 595.3" in info and "99.87" in text
    assert "自评等级为“优”" in "".join(p.text for p in Document(str(done.report)).paragraphs)


def test_cli_export_writes_all_three_next_to_the_form(tmp_path: Path) -> None:
    form = build_form(load_example("donghu-2018-business-admin"), tmp_path / "表.xlsx").path
    result = CliRunner().invoke(cli, ["export", str(form)], prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "表.pdf").exists() and (tmp_path / "表-数值.xlsx").exists()
    assert (tmp_path / "表-报告.docx").exists()
    assert "已导出PDF：" in result.stdout
    assert result.stderr == "注意：表中还有 1 个错误（perfeval-xl check 可列出），导出的附件反映的是当前填写的内容\n"


def _values_of(path: Path, sheet: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_an_xlwings_form_exports_what_the_native_form_exports(tmp_path: Path) -> None:
    """LibreOffice cannot run the UDFs: the export calculates the same cells with the native formulas."""
    import types

    from perfeval_xl.xlwings_macros import export as export_button

    spec = load_example("caidian-2019-quality")
    native = build_form(spec, tmp_path / "native" / "表.xlsx").path
    xlwings = build_form(spec, tmp_path / "xlwings" / "表.xlsm", mode="xlwings").path
    want = export_form(native, pdf=tmp_path / "native.pdf", values=tmp_path / "native-数值.xlsx")
    got = export_form(xlwings, pdf=tmp_path / "xlwings.pdf", values=tmp_path / "xlwings-数值.xlsx")
    _, _, native_text = pdf_facts(want.pdf)  # type: ignore[arg-type]
    _, _, text = pdf_facts(got.pdf)  # type: ignore[arg-type]
    assert "#NAME?" not in text and "#VALUE!" not in text
    assert "99.87" in text and text == native_text
    values = _values_of(got.values, SHEET)  # type: ignore[arg-type]
    assert values == _values_of(want.values, SHEET)  # type: ignore[arg-type]
    assert (values["I6"], values["H36"], values["G37"]) == (9.87, 99.87, "优")
    [result] = evaluate(got.values)  # type: ignore[arg-type]
    assert (result.total, result.grade) == (want.result.total, "优")
    assert {"form-altered", "shown-differs"}.isdisjoint(f.code for f in result.all_findings())
    # the form's 导出附件 button goes the same way
    alerts: list[str] = []
    book = types.SimpleNamespace(fullname=str(xlwings), name=xlwings.name, save=lambda: None,
                                 app=types.SimpleNamespace(alert=lambda text, title: alerts.append(text)))
    assert export_button(book).startswith("已导出：")
    assert pdf_facts(xlwings.with_suffix(".pdf"))[2] == native_text
    assert _values_of(xlwings.with_name("表-数值.xlsx"), SHEET) == values


def test_udf_calls_saved_as_shared_formulas_are_replaced_too() -> None:
    from perfeval_xl.kinds.self.native import replace_udf_formulas

    xml = ('<sheetData><row r="13"><c r="H13" s="6"><f t="shared" ref="H13:H14" si="0">'
           "PE_SCORE(E13,F13,G13,计算!X13,K13,pe_profile,pe_year)</f><v>4</v></c>"
           '<c r="I13" s="11"/></row><row r="14"><c r="H14" s="6"><f t="shared" si="0"/><v>3</v></c>'
           '<c r="J14"><f>_xludf.PE_DEVIATION_RATE(E14,F14,pe_profile,pe_year)</f></c>'
           '<c r="K14"><v>7</v></c></row></sheetData>')
    out = replace_udf_formulas(xml, {"H13": 'IF(A="","",1)', "H14": "B14&lt;2", "J14": "C14", "K14": "D14"})
    assert out == ('<sheetData><row r="13"><c r="H13" s="6"><f>IF(A="","",1)</f><v>4</v></c>'
                   '<c r="I13" s="11"/></row><row r="14"><c r="H14" s="6"><f>B14&amp;lt;2</f><v>3</v></c>'
                   '<c r="J14"><f>C14</f></c><c r="K14"><v>7</v></c></row></sheetData>')


def test_the_libreoffice_hint_fits_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from perfeval_xl import libreoffice
    from perfeval_xl.errors import FileError

    assert "sudo apt-get" not in libreoffice.install_hint("win32")
    assert "libreoffice.org" in libreoffice.install_hint("win32")
    assert "brew install --cask libreoffice" in libreoffice.install_hint("darwin")
    assert "sudo apt-get install" in libreoffice.install_hint("linux")
    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(FileError) as info:
        libreoffice.soffice()
    assert str(info.value).startswith("未找到 LibreOffice。请从 https://zh-cn.libreoffice.org/download/ 下载并安装")


def test_export_prints_only_the_chosen_sheet(tmp_path: Path) -> None:
    from handmade_forms import write_official

    wb = openpyxl.Workbook()
    write_official(wb.active, project="项目甲")
    write_official(wb.create_sheet("第二张"), project="项目乙", top=2)
    wb.create_sheet("说明")["A1"] = "填表说明"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    result = CliRunner().invoke(cli, ["export", str(path), "--sheet", "第二张", "--pdf", str(tmp_path / "two.pdf")],
                                prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    pages, _, text = pdf_facts(tmp_path / "two.pdf")
    assert pages == 1 and "项目乙" in text and "项目甲" not in text and "填表说明" not in text
    done = export_form(path, pdf=tmp_path / "both.pdf")  # no --sheet: every form, not the 说明 sheet
    pages, _, text = pdf_facts(done.pdf)  # type: ignore[arg-type]
    assert pages == 2 and "项目甲" in text.split("\f")[0] and "项目乙" in text.split("\f")[1]
    assert "填表说明" not in text


def test_a_file_libreoffice_cannot_open_is_said_in_chinese(tmp_path: Path) -> None:
    from perfeval_xl.errors import FileError

    junk = tmp_path / "坏.xlsx"
    # a zip that is cut short: no LibreOffice module opens it (plain text would open in Writer, when installed)
    junk.write_bytes(b"PK\x03\x04" + bytes(40) + b"not a spreadsheet" * 4)
    with pytest.raises(FileError) as info:
        convert([junk], PDF, tmp_path / "out")
    assert str(info.value) == "LibreOffice 未能转换 1 个文件（坏.pdf 等）：LibreOffice 无法打开该文件，可能已损坏或不是电子表格"


def coloured_pixels(pdf: Path, stem: Path, page: int = 1) -> int:
    """Pixels of a rendered page (50 dpi, RGB) that are not grey: any tint, highlight or coloured text."""
    subprocess.run(["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
                   check=True)
    magic, _size, _, pixels = stem.with_suffix(".ppm").read_bytes().split(b"\n", 3)
    assert magic == b"P6"
    return sum(1 for i in range(0, len(pixels) - 2, 3)
               if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 40)


def test_the_attachment_prints_in_black_and_white_without_the_status_line(tmp_path: Path) -> None:
    """The form's page setup says black and white: the PDF has no input tint, no highlight (a missing
    偏差原因 in pink, a short score in red, the grade's colour) and no 填报状态 line, which the official
    form does not have; the form itself keeps them on screen."""
    form = build_form(load_example("donghu-2018-business-admin"), tmp_path / "表.xlsx").path  # a reason missing
    done = export_form(form, pdf=tmp_path / "附件.pdf")
    assert done.pdf is not None
    pages, _, text = pdf_facts(done.pdf)
    assert pages == 1 and "填报状态" not in text and "项 偏差未说明原因" not in text and "99.79" in text
    assert coloured_pixels(done.pdf, tmp_path / "attachment") == 0
    on_screen = convert([form], PDF, tmp_path / "screen")[0]  # the form as it is, printed as it is
    assert coloured_pixels(on_screen, tmp_path / "screen") > 1000
    assert "填报状态" in pdf_facts(on_screen)[2]
    workbook = openpyxl.load_workbook(form)  # the on-screen form keeps its tints and highlights
    sheet = workbook[SHEET]
    assert sheet.conditional_formatting and any(
        c.fill.fill_type == "solid" for row in sheet.iter_rows() for c in row if c.has_style)


def test_a_hand_made_form_in_colour_prints_as_its_page_setup_says(tmp_path: Path) -> None:
    path = tmp_path / "手填.xlsx"
    seed_003_workbook(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet["A1"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    workbook.save(tmp_path / "彩色.xlsx")
    sheet.page_setup.blackAndWhite = True
    workbook.save(tmp_path / "黑白.xlsx")
    colour = export_form(tmp_path / "彩色.xlsx", pdf=tmp_path / "彩色.pdf").pdf
    mono = export_form(tmp_path / "黑白.xlsx", pdf=tmp_path / "黑白.pdf").pdf
    assert colour is not None and mono is not None
    assert coloured_pixels(colour, tmp_path / "c") > 0 and coloured_pixels(mono, tmp_path / "m") == 0


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def test_the_report_section_reads_as_a_government_report(exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Headings black in 黑体/楷体/仿宋 三号, text 仿宋 三号 on 28-point lines, portrait pages with the
    自评表 on a landscape page of its own, rendered by LibreOffice Writer and looked at."""
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document(str(exported.report))
    for name, face in (("Heading 1", "黑体"), ("Heading 2", "楷体"), ("Heading 3", "仿宋"), ("Normal", "仿宋")):
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == face and fonts.get(qn("w:asciiTheme")) is None, name
        assert style.font.size == Pt(16) and str(style.font.color.rgb) == "000000", name
    assert document.styles["Normal"].paragraph_format.line_spacing == Pt(28)
    orientations = [s.orientation for s in document.sections]
    assert orientations[:2] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    pdf = convert([exported.report], "pdf:writer_pdf_Export", tmp_path / "report")[0]
    sizes = _page_sizes(pdf)
    texts = [page for page in subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                             text=True, check=True).stdout.split("\f") if page.strip()]
    assert len(texts) == len(sizes)
    first = next(i for i, page in enumerate(texts) if "项目支出绩效自评表" in page)
    last = next(i for i, page in enumerate(texts) if "评价等级" in page)
    assert all(w > h for w, h in sizes[first:last + 1])  # the table on landscape pages
    assert all(w < h for w, h in sizes[:first] + sizes[last + 1:])  # the text on portrait pages
    assert "96.64" in texts[last] and first >= 1
    table = next(i for i, page in enumerate(texts) if "三级指标" in page)
    assert coloured_pixels(pdf, tmp_path / "page1") == 0  # headings black
    # column widths that fit: the longest 三级指标 takes at most two lines on the page
    longest = max((i.spec.name for i in exported.result.indicators), key=len)
    layout = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(table + 1), "-l", str(table + 1), str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    blocks = ["".join(re.findall(r">([^<]*)</word>", b)) for b in re.findall(r"<block .*?</block>", layout, re.S)]
    lines = next(b for b in re.findall(r"<block .*?</block>", layout, re.S)
                 if "".join(re.findall(r">([^<]*)</word>", b)) == longest)
    assert longest in blocks and lines.count("<line ") <= 2

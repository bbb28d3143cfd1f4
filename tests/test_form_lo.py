"""What a person sees, checked with the real engine: typing into a locked cell is
refused by LibreOffice, and the printed form is an A4 landscape page with the
title and the total."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.formula.translate import Translator

from perfeval_xl.demo import blank, load_example
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import cell
from perfeval_xl.kinds.self.formulas import in_band
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.libreoffice import _FONTS as FONTS
from perfeval_xl.libreoffice import CALC_XLSX, PDF, convert, recalculate

SYSTEM_PYTHON = "/usr/bin/python3"


def _has_uno() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def test_typing_into_a_locked_cell_is_refused(tmp_path: Path) -> None:
    assert _has_uno(), "python3-uno is needed (apt-get install python3-uno)"
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "form.xlsx")
    declared = next(p for p in built.plan.rows if p.place.spec_index is not None)
    spare = next(p for p in built.plan.rows if p.place.spec_index is None)
    edits = {
        cell(declared.row, Col.SCORE): "0",  # a formula: locked
        cell(declared.row, Col.WEIGHT): "50",  # a declared weight: locked
        cell(built.layout.total, Col.SCORE): "100",  # the total: locked
        cell(declared.row, Col.REASON): "已说明",  # an input
        cell(spare.row, Col.WEIGHT): "5",  # a spare row's weight: editable
    }
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(Path(__file__).parent / "uno_typing.py"), str(built.path),
         *[f"{k}={v}" for k, v in edits.items()]],
        capture_output=True, text=True, timeout=180, check=False)
    lines = dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    assert lines["protected"] == "True"
    for address in list(edits)[:3]:
        before, after = lines[address].split("\t")
        assert after == before, f"{address} was changed by typing: {before!r} -> {after!r}"
    assert lines[cell(declared.row, Col.REASON)].split("\t")[1] == "已说明"
    assert lines[cell(spare.row, Col.WEIGHT)].split("\t")[1] == "5"


def test_printed_form_is_a_landscape_a4_with_title_and_total(tmp_path: Path) -> None:
    built = build_form(load_example("caidian-2019-quality"), tmp_path / "form.xlsx")
    pdf = convert([built.path], PDF, tmp_path / "pdf")[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    assert pages == 1
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "项目支出绩效自评表" in text and "（2019年度）" in text
    assert "99.87" in text and "9.87" in text and "98.73%" in text
    assert "偏差原因分析及改进措施" in text
    # the helper columns beside the form are not printed
    assert "偏差率" not in text and "分项" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    assert shutil.which("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    png = tmp_path / "page-1.png"
    assert png.stat().st_size > 20000


def _pixels_near(ppm: Path, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    """How many pixels of a binary PPM (pdftoppm's output) are within ``tolerance`` of ``rgb``."""
    data = ppm.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pixels = data[pos + 1:]
    assert fields[0] == b"P6"
    r0, g0, b0 = rgb
    return sum(1 for i in range(0, len(pixels), 3)
               if abs(pixels[i] - r0) <= tolerance and abs(pixels[i + 1] - g0) <= tolerance
               and abs(pixels[i + 2] - b0) <= tolerance)


def test_a_missing_reason_is_highlighted_in_print(tmp_path: Path) -> None:
    """The 偏差原因 highlight is a conditional format whose rule reads the hidden 计算
    sheet: LibreOffice must evaluate it across sheets when it renders the page."""
    built = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "blank.xlsx")
    row = next(p.row for p in built.plan.rows
               if p.target is not None and not p.target.qualitative and p.target.value)
    pink = (0xF8, 0xCB, 0xAD)
    counts = {}
    for case, reason in (("missing", None), ("given", "因故延期")):
        wb = openpyxl.load_workbook(built.path)
        ws = wb[SHEET]
        ws[cell(row, Col.ACTUAL)] = 0  # far below the target: a reason is required
        ws[cell(row, Col.REASON)] = reason
        wb.save(tmp_path / f"{case}.xlsx")
        pdf = convert([tmp_path / f"{case}.xlsx"], PDF, tmp_path / "pdf")[0]
        subprocess.run(["pdftoppm", "-r", "40", "-singlefile", str(pdf), str(tmp_path / case)], check=True)
        counts[case] = _pixels_near(tmp_path / f"{case}.ppm", pink)
    assert counts["given"] == 0, counts
    assert counts["missing"] > 100, counts  # the reason cell, filled pink


def test_native_forms_open_with_default_settings_showing_their_results(tmp_path: Path) -> None:
    """LibreOffice as installed (no recalculation setting) keeps the stored result of a
    cell that has one and recalculates those stored as "" (t="str" or not, it ignores an
    empty value): either way every formula shows what the form stored, blank or filled."""
    example = load_example("donghu-2018-business-admin")
    forms = [build_form(example, tmp_path / "filled.xlsx").path,
             build_form(blank(example), tmp_path / "blank.xlsx").path]
    opened = convert(forms, CALC_XLSX, tmp_path / "opened", recalculate=None)
    checked = 0
    for form, seen in zip(forms, opened, strict=True):
        formulas, stored = openpyxl.load_workbook(form), openpyxl.load_workbook(form, data_only=True)
        shown = openpyxl.load_workbook(seen, data_only=True)
        for ws in formulas.worksheets:
            if ws.title == "_meta":
                continue
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        want, got = stored[ws.title][c.coordinate].value, shown[ws.title][c.coordinate].value
                        assert (want in (None, "") and got in (None, "")) or want == got or (
                            isinstance(want, float) and round(want, 9) == round(got, 9)), \
                            f"{form.name} {ws.title}!{c.coordinate}: stored {want!r}, shown {got!r}"
                        checked += 1
    assert checked > 1300


def test_a_qualitative_score_the_validation_accepts_is_scored(tmp_path: Path) -> None:
    """The 定性指标评分 validation is the score formula's own band test (formulas.in_band).
    LibreOffice evaluates the validation's formula (placed beside the row) and the score
    for each value typed on a 部分达成 row and a 达成 row of weight 15: exactly the values
    it accepts are scored — 12 is refused on the 部分达成 row (80% not included)."""
    spec = load_example("donghu-2018-business-admin")
    index = next(i for i, ind in enumerate(spec.indicators) if ind.target == "区内传销活动明显减少")
    indicators = list(spec.indicators)
    indicators[index] = dataclasses.replace(indicators[index], actual="部分达成", score=None)
    built = build_form(dataclasses.replace(spec, indicators=tuple(indicators)), tmp_path / "q.xlsx")
    row = next(p.row for p in built.layout.indicators if p.spec_index == index)
    k, h = cell(row, Col.QSCORE), cell(row, Col.SCORE)
    rule = next(dv for dv in openpyxl.load_workbook(built.path)[SHEET].data_validations.dataValidation
                if k in dv.sqref)
    origin = str(rule.sqref).split()[0].split(":")[0]
    check = Translator("=" + str(rule.formula1), origin=origin).translate_formula(k)
    y, z = cell(row, Col.BAND_LOW), cell(row, Col.BAND_HIGH)
    assert in_band(k, cell(row, Col.WEIGHT), f"计算!{cell(row, Col.AVALUE)}", f"计算!{y}", f"计算!{z}") in check
    assert in_band(f"自评表!{k}", f"自评表!{cell(row, Col.WEIGHT)}", cell(row, Col.AVALUE), y, z) in \
        openpyxl.load_workbook(built.path)["计算"][cell(row, Col.RAW)].value
    assert len("=" + str(rule.formula1)) <= 255  # Excel's limit for a validation formula
    cases = [(rating, value) for rating in ("部分达成年度指标并具有一定效果", "达成年度指标")
             for value in (12, 11.99, 11.999999, 9, 8.99, 15, 0)]
    files = []
    for number, (rating, value) in enumerate(cases):
        wb = openpyxl.load_workbook(built.path)
        ws = wb[SHEET]
        ws[cell(row, Col.ACTUAL)], ws[k] = rating, value
        ws[cell(row, Col.QSCORE + 2)] = check  # outside the form, in the row: the validation's verdict
        wb.save(tmp_path / f"case{number}.xlsx")
        files.append(tmp_path / f"case{number}.xlsx")
    verdicts = {}
    for (rating, value), path in zip(cases, recalculate(files, tmp_path / "lo"), strict=True):
        ws = openpyxl.load_workbook(path, data_only=True)[SHEET]
        accepted, score = ws[cell(row, Col.QSCORE + 2)].value, ws[h].value
        assert accepted is (score is not None and score != ""), (rating, value, accepted, score)
        verdicts[(rating[:4], value)] = accepted
    assert [v for (band, v), ok in verdicts.items() if band == "部分达成" and ok] == [11.99, 11.999999, 9]
    assert [v for (band, v), ok in verdicts.items() if band == "达成年度" and ok] == [12, 15]


# ---------------------------------------------------------------------------
# Long text typed after generation is printed whole

REASON = ("受上半年机构改革人员调整影响，部分检查任务推迟至第四季度集中开展，全年计划的抽查批次未能全部完成；"
          "下一年度将提前制定检查计划，按季度分解任务，加强培训和督促检查，确保按期完成目标。")


def _gray_page(pdf: Path, dpi: int) -> tuple[int, int, bytes]:
    """Page 1 of a PDF as 8-bit gray pixels (pdftoppm's PGM): width, height, pixels."""
    out = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-f", "1", "-l", "1", str(pdf), str(out)],
                   check=True)
    data = out.with_suffix(".pgm").read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5"
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def printed_in_one_cell(pdf: Path, text: str) -> str:
    """"" when ``text`` is printed whole inside one cell of the grid, else what is wrong.

    pdftotext alone cannot tell: LibreOffice writes a cell's whole text into the PDF
    and clips it to the cell, so clipped lines are in the text layer but not on the
    page. So the lines of ``text`` (pdftotext -bbox-layout) must lie between two
    horizontal borders of the rendered page with none crossing them.
    """
    layout = subprocess.run(["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    lines: list[tuple[float, float, float, float, str]] = []
    for block in re.findall(r"<block .*?</block>", layout, re.S):  # one cell's text is one block
        found = []
        for match in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                                 r"(.*?)</line>", block, re.S):
            words = "".join(re.findall(r">([^<]*)</word>", match.group(5)))
            found.append((float(match.group(2)), float(match.group(1)), float(match.group(3)),
                          float(match.group(4)), words))
        if "".join(line[4] for line in sorted(found)) == text:
            lines = sorted(found)
    if not lines:
        return "text not found whole in one block of the PDF's text"
    dpi = 100
    scale = dpi / 72
    width, height, pixels = _gray_page(pdf, dpi)
    x0, x1 = int(min(line[1] for line in lines) * scale), int(max(line[2] for line in lines) * scale)
    top, bottom = min(line[0] for line in lines) * scale, max(line[3] for line in lines) * scale
    borders = [y for y in range(height)
               if sum(1 for x in range(x0, x1) if pixels[y * width + x] < 160) >= 0.9 * (x1 - x0)]
    slack = 3  # px: a line's box (the font's ascent and descent) may touch the border, its ink does not
    crossing = [y for y in borders if top + slack < y < bottom - slack]
    if crossing or not any(y <= top + slack for y in borders) or not any(y >= bottom - slack for y in borders):
        return f"text spans {top:.0f}–{bottom:.0f} px, cell borders at {borders}"
    return ""


def test_a_long_reason_typed_in_libreoffice_prints_whole(tmp_path: Path) -> None:
    """Indicator rows' heights are not fixed (no customHeight): a 90-character 偏差原因
    typed into a generated form in LibreOffice grows its row, and the PDF printed from
    it shows every line inside the cell."""
    assert _has_uno(), "python3-uno is needed (apt-get install python3-uno)"
    assert len(REASON) == 90
    built = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "form.xlsx")
    row = next(p.row for p in built.plan.rows if p.place.spec_index is not None)
    address = cell(row, Col.REASON)
    pdf = tmp_path / "typed.pdf"
    fonts = tmp_path / "fonts.conf"
    fonts.write_text(FONTS, encoding="utf-8")
    proc = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).parent / "uno_print.py"), str(built.path), str(pdf),
                           f"{address}={REASON}"], capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "FONTCONFIG_FILE": str(fonts)})
    assert proc.stdout.rstrip().endswith("done"), proc.stdout + proc.stderr
    typed, grown = proc.stdout.splitlines()[0].split("\t")[1:]
    assert typed == REASON and int(grown) > 2 * 635  # 1/100 mm: more than twice the 18 pt it was
    assert printed_in_one_cell(pdf, REASON) == ""


def test_a_long_reason_filled_by_a_program_exports_whole(tmp_path: Path) -> None:
    """A form filled by a program (openpyxl saves every row's height as fixed) or saved with
    heights that do not fit: `perfeval-xl export` gives each indicator row the height its
    text needs, so the PDF and the values-only copy (printed by LibreOffice) show the whole
    reason inside its cell."""
    from perfeval_xl.export import export_form

    built = build_form(blank(load_example("caidian-2019-quality")), tmp_path / "form.xlsx")
    row = next(p.row for p in built.plan.rows if p.place.spec_index is not None)
    wb = openpyxl.load_workbook(built.path)
    wb[SHEET][cell(row, Col.REASON)] = REASON
    wb.save(tmp_path / "filled.xlsx")
    done = export_form(tmp_path / "filled.xlsx", pdf=tmp_path / "filled.pdf", values=tmp_path / "values.xlsx")
    assert done.pdf is not None and printed_in_one_cell(done.pdf, REASON) == ""
    assert done.values is not None
    assert printed_in_one_cell(convert([done.values], PDF, tmp_path / "values")[0], REASON) == ""
    # the check sees clipping: the same form printed as saved, without the export's heights
    clipped = convert([tmp_path / "filled.xlsx"], PDF, tmp_path / "asis")[0]
    assert printed_in_one_cell(clipped, REASON).startswith("text spans")


def test_the_full_marks_come_from_the_rules(tmp_path: Path) -> None:
    """满分 is a rule number (pe_p_total): a rule of 120 points says so in the status line,
    in the stored result and after LibreOffice recalculates."""
    import dataclasses

    from perfeval_xl.libreoffice import recalculate
    from perfeval_xl.profiles import load_rules

    spec = load_example("caidian-2019-quality")
    rules = dataclasses.replace(load_rules(spec.profile, spec.year), total_points=Decimal(120))
    built = build_form(spec, tmp_path / "form.xlsx", rules=rules)
    expected = "分值合计 100，应为 120"
    assert expected in built.plan.project["status"]
    [fresh] = recalculate([built.path], tmp_path / "lo")
    status = openpyxl.load_workbook(fresh, data_only=True)[SHEET][cell(built.layout.status, Col.LEVEL2)].value
    assert expected in status

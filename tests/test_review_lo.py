"""The review as LibreOffice shows and prints it: 300 projects' 汇总 on at most 12 A4 pages with
the header on every page and the totals visible (stored and recalculated alike), every row of
every table tall enough for its text (LibreOffice's own optimal heights), and the charts
printed. Forms are the generated returns of tests/review_corpus.py."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from review_corpus import build_returns

from perfeval_xl.consolidate import consolidate
from perfeval_xl.libreoffice import _FONTS as FONTS
from perfeval_xl.libreoffice import PDF, convert

SYSTEM_PYTHON = "/usr/bin/python3"
PAGE_LIMIT = 12  # the goal for 300 projects' 汇总
MIN_WORD_HEIGHT = 7.5  # points: the median height of a word's box on a printed 汇总 page (10-point text at ~75%)


@pytest.fixture(scope="module")
def review300(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("review300") / "回收"
    expected = build_returns(root, 300)
    done = consolidate([str(root)], root.parent / "汇总.xlsx", jobs=2)
    return {"root": root, "expected": expected, "output": done.output, "tmp": root.parent}


def only_sheets(source: Path, keep: set[str], dest: Path) -> Path:
    """A copy of a workbook in which every sheet but ``keep`` is hidden (LibreOffice prints the visible ones)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                text = re.sub(r'<sheet name="([^"]+)"', lambda m: m.group(0) if m.group(1) in keep
                              else m.group(0) + ' state="hidden"', text)
                # LibreOffice prints a hidden sheet's print area: keep only those of the sheets kept
                names = re.findall(r'<sheet name="([^"]+)"', text)
                text = re.sub(r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)">[^<]*</definedName>',
                              lambda m, names=names: m.group(0) if names[int(m.group(1))] in keep else "", text)
                first = [n for n in re.findall(r'<sheet name="([^"]+)"', text)].index(sorted(
                    keep, key=lambda n: text.index(f'"{n}"'))[0])
                text = re.sub(r'activeTab="\d+"', f'activeTab="{first}"', text)
                if "activeTab" not in text:
                    text = text.replace("<workbookView ", f'<workbookView activeTab="{first}" ')
                data = text.encode()
            elif item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b' tabSelected="1"', b"")
            out.writestr(item, data)
    return dest


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_300_projects_print_on_at_most_12_pages_with_header_and_totals(review300: dict[str, Any]) -> None:
    summary = only_sheets(review300["output"], {"汇总"}, review300["tmp"] / "只有汇总.xlsx")
    stored = convert([summary], PDF, review300["tmp"] / "stored", recalculate=False)[0]
    recalculated = convert([summary], PDF, review300["tmp"] / "recalculated", recalculate=True)[0]
    pages = pages_of(stored)
    assert 2 <= len(pages) <= PAGE_LIMIT, len(pages)
    # legible: one line a project lets the fit-to-width scale stay large (the words' boxes on a
    # page were 6.8 points tall when rows wrapped to two lines and the screen-only columns printed)
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(stored), "-"], capture_output=True,
                           text=True, check=True).stdout
    heights = sorted(float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"',
                                                                 boxes))
    assert heights[len(heights) // 2] >= MIN_WORD_HEIGHT, heights[len(heights) // 2]
    info = subprocess.run(["pdfinfo", str(stored)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape
    for number, page in enumerate(pages, start=1):
        for title in ("主管部门", "项目名称", "总分", "等级", "填报状态"):
            assert title in page, (number, title)  # the header row on every page
        assert "汇总日期：" in page and f"第 {number} 页" in page
    names = sum(1 for name in review300["expected"] if any(name[:8] in page for page in pages))
    assert names == 300
    totals = next(line for line in pages[-1].splitlines() if "合计（随筛选变化）" in line)
    numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.\d+", totals)]
    assert "300 个项目" in totals and len(numbers) >= 4 and all(n > 0 for n in numbers)
    again = next(line for line in pages_of(recalculated)[-1].splitlines() if "合计（随筛选变化）" in line)
    assert again.split() == totals.split()  # what LibreOffice computes is what the file stores


def test_every_row_is_tall_enough_for_its_text_in_libreoffice(review300: dict[str, Any], tmp_path: Path) -> None:
    assert Path(SYSTEM_PYTHON).exists(), "python3-uno is needed (apt-get install python3-uno)"
    fonts = tmp_path / "fonts.conf"
    fonts.write_text(FONTS, encoding="utf-8")
    sheets = ["汇总", "问题清单", "抽查", "按部门", "未能读取", "说明"]
    proc = subprocess.run([SYSTEM_PYTHON, str(Path(__file__).parent / "uno_heights.py"), str(review300["output"]),
                           *sheets], capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "FONTCONFIG_FILE": str(fonts)})
    assert proc.stdout.rstrip().endswith("done"), proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    counted = {line.split("\t")[0]: int(line.split("\t")[2]) for line in lines if "\trows\t" in line}
    assert counted["汇总"] == 302 and counted["问题清单"] > 1000  # header, 300 projects, the totals row
    short = [line for line in lines if "\trows\t" not in line and line != "done"]
    assert short == [], short[:20]


def test_the_charts_print(review300: dict[str, Any]) -> None:
    departments = only_sheets(review300["output"], {"按部门"}, review300["tmp"] / "只有按部门.xlsx")
    pdf = convert([departments], PDF, review300["tmp"] / "departments", recalculate=False)[0]
    pages = pages_of(pdf)
    text = "\n".join(pages)
    for title in ("各部门项目等级分布", "各部门预算执行率", "总分分布"):
        assert text.count(title) == 1, title  # each chart whole, on one page
    assert all("按部门" in page for page in pages)

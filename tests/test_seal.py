"""The bureau's seal: a form made without its key, sealed with another, or altered after issue —
even by someone who recomputed the fingerprint with perfeval-xl itself — is flagged by
check, score and consolidate --key, naming what differs; the key appears nowhere else.
Removing sheet protection and deleting _meta are findings too, in both readers."""

from __future__ import annotations

import dataclasses
import os
import stat
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfeval_xl.cli import cli
from perfeval_xl.demo import load_example
from perfeval_xl.errors import FormError
from perfeval_xl.form import build_form
from perfeval_xl.form.addresses import META_SHEET
from perfeval_xl.form.metadata import META_KEYS, fingerprint, workbook_cells
from perfeval_xl.kinds.self.layout import SHEET, Col
from perfeval_xl.kinds.self.reader import content_fingerprint
from perfeval_xl.reader import evaluate
from perfeval_xl.reader.cells import OpenpyxlSheet
from perfeval_xl.reader.fast import evaluate_fast
from perfeval_xl.seal import SealKey, new_key, read_key, verify, write_key
from perfeval_xl.spec import ProjectSpec

ADVICE = "；请使用财政局下发的原表重新填写，或联系财政局核实"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bureau's key and another one, made with `perfeval-xl key new`."""
    folder = tmp_path_factory.mktemp("keys")
    bureau, other = folder / "财政局.key", folder / "别处.key"
    for path in (bureau, other):
        code, out, _ = run("key", "new", "-o", str(path))
        assert code == 0, out
    return bureau, other


def _seal_findings(path: Path, key: SealKey | None) -> tuple[list[str], list[str]]:
    """The seal-invalid messages of the full reader (check) and the fast one (consolidate)."""
    [full] = evaluate(path, key=key)
    [fast], _ = evaluate_fast(path, key=key)
    return ([f.message for f in full.all_findings() if f.code == "seal-invalid"],
            [f.message for f in fast.all_findings() if f.code == "seal-invalid"])


def test_key_new_writes_a_private_key_and_never_replaces_one(keys: tuple[Path, Path], tmp_path: Path) -> None:
    bureau, other = keys
    assert stat.S_IMODE(bureau.stat().st_mode) == 0o600
    key = read_key(bureau)
    assert key.key_id != read_key(other).key_id
    assert repr(key) == f"SealKey(id={key.key_id})" and key.secret.hex() not in repr(key)
    code, _, err = run("key", "new", "-o", str(bureau))
    assert code == 2
    assert err == f"错误：密钥文件 {bureau} 已存在；替换它后，用原密钥盖章的表将无法验证。如确需替换，请加 --force\n"
    broken = tmp_path / "坏.key"
    broken.write_text("不是密钥 0123456789abcdef\n", encoding="utf-8")
    code, _, err = run("check", str(bureau), "--key", str(broken))
    assert code == 2
    assert err == f"错误：{broken} 不是 perfeval-xl 的密钥文件，或内容已被改动；请指定 perfeval-xl key new 生成的文件\n"


def test_a_sealed_form_verifies_and_the_key_is_in_it_nowhere(keys: tuple[Path, Path], tmp_path: Path) -> None:
    bureau, _ = keys
    key = read_key(bureau)
    spec = tmp_path / "项目.yaml"
    spec.write_text(Path(__file__).parents[1].joinpath("perfeval_xl/examples/caidian-2019-quality.yaml")
                    .read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run("new", str(spec), "-o", str(tmp_path / "表.xlsx"), "--key", str(bureau))
    assert code == 0 and f"已用密钥 {key.key_id} 盖章" in out
    assert _seal_findings(tmp_path / "表.xlsx", key) == ([], [])
    assert run("check", str(tmp_path / "表.xlsx"), "--key", str(bureau))[0] == 0
    with zipfile.ZipFile(tmp_path / "表.xlsx") as archive:
        content = b"".join(archive.read(name) for name in archive.namelist())
    assert key.secret.hex().encode() not in content and key.secret not in content
    assert key.key_id.encode() in content  # only its public id
    # without --key a sealed form reads as before
    assert _seal_findings(tmp_path / "表.xlsx", None) == ([], [])


def test_a_form_not_made_with_the_bureaus_key_is_flagged(keys: tuple[Path, Path], tmp_path: Path) -> None:
    bureau, other = keys
    key, stranger = read_key(bureau), read_key(other)
    example = load_example("caidian-2019-quality")
    build_form(example, tmp_path / "无章.xlsx")
    build_form(example, tmp_path / "他章.xlsx", key=stranger)
    missing = ("该表没有财政局的印章：不是用本局密钥下发的表，或印章已被删去，无法证明由财政局下发" + ADVICE)
    assert _seal_findings(tmp_path / "无章.xlsx", key) == ([missing], [missing])
    foreign = (f"该表的印章来自另一把密钥（编号 {stranger.key_id}），不是用本局密钥（编号 {key.key_id}）下发的表" + ADVICE)
    assert _seal_findings(tmp_path / "他章.xlsx", key) == ([foreign], [foreign])
    code, out, _ = run("check", str(tmp_path / "他章.xlsx"), "--key", str(bureau))
    assert code == 1 and foreign in out


def _move_weight(source: Path, dest: Path) -> tuple[str, str, str, str]:
    """What someone with perfeval-xl can do without the key: move 5 points from the first
    indicator to the second, and recompute both fingerprints in _meta. Returns the two cells and
    the two names."""
    formulas = openpyxl.load_workbook(source)
    sheet = formulas[SHEET]
    rows = [r for r in range(13, 60) if isinstance(sheet.cell(r, Col.WEIGHT + 1).value, (int, float))
            and sheet.cell(r, Col.NAME + 1).value][:2]
    first, second = (sheet.cell(r, Col.WEIGHT + 1) for r in rows)
    first.value, second.value = first.value - 5, second.value + 5
    meta = formulas[META_SHEET]
    values = {str(row[0].value): row[1] for row in meta.iter_rows(max_col=2)}
    read = {k: ("" if c.value is None else str(c.value)) for k, c in values.items()}
    values["fingerprint"].value = fingerprint(workbook_cells(formulas))
    values["content_fingerprint"].value = content_fingerprint({SHEET: OpenpyxlSheet(sheet)}, read)
    formulas.save(dest)
    names = [str(sheet.cell(r, Col.NAME + 1).value) for r in rows]
    return first.coordinate, second.coordinate, names[0], names[1]


def test_moving_weight_and_recomputing_the_fingerprint_breaks_the_seal(keys: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    bureau, _ = keys
    key = read_key(bureau)
    build_form(load_example("caidian-2019-quality"), tmp_path / "原表.xlsx", key=key)
    first, second, one, two = _move_weight(tmp_path / "原表.xlsx", tmp_path / "改过.xlsx")
    # the fingerprint alone cannot tell: it was recomputed
    [plain] = evaluate(tmp_path / "改过.xlsx")
    assert "form-altered" not in {f.code for f in plain.all_findings()}
    expected = (f"该表在下发后被改动，印章无效。锁定内容与盖章时不同：第 {first[1:]} 行“{one}”的分值（{first}）、"
                f"第 {second[1:]} 行“{two}”的分值（{second}）；隐藏的下发记录被改动：锁定内容的指纹、"
                "锁定内容和公式的指纹（指纹被重新计算过）" + ADVICE)
    assert _seal_findings(tmp_path / "改过.xlsx", key) == ([expected], [expected])


def test_consolidate_with_the_key_flags_forged_and_foreign_forms(keys: tuple[Path, Path], tmp_path: Path) -> None:
    bureau, other = keys
    key = read_key(bureau)
    root = tmp_path / "回收"
    root.mkdir()
    example = load_example("caidian-2019-quality")

    def project(name: str) -> ProjectSpec:  # one project per file: each is in the review
        return dataclasses.replace(example, project=name)

    build_form(project("真"), root / "真.xlsx", key=key)
    build_form(project("改过"), tmp_path / "原表.xlsx", key=key)
    _move_weight(tmp_path / "原表.xlsx", root / "改过.xlsx")
    build_form(project("无章"), root / "无章.xlsx")
    build_form(project("他章"), root / "他章.xlsx", key=read_key(other))
    review = tmp_path / "汇总.xlsx"
    code, _, err = run("consolidate", str(root), "-o", str(review), "--key", str(bureau))
    assert code == 0, err
    header, *rows = openpyxl.load_workbook(review)["问题清单"].iter_rows(values_only=True)
    problems = [dict(zip(header, row, strict=False)) for row in rows]
    flagged = {str(p["文件"]) for p in problems if p["代码"] == "seal-invalid"}
    assert flagged == {"改过.xlsx", "无章.xlsx", "他章.xlsx"}
    with zipfile.ZipFile(review) as archive:
        content = b"".join(archive.read(name) for name in archive.namelist())
    assert key.secret.hex().encode() not in content


def test_a_forged_copy_set_aside_beside_the_genuine_form_is_still_an_error(keys: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    """Of two submissions of one project the later counts; a forged earlier copy is not a mere
    resubmission: its seal error reaches 问题清单 through the project kept."""
    bureau, _ = keys
    key = read_key(bureau)
    root = tmp_path / "回收"
    root.mkdir()
    example = load_example("caidian-2019-quality")
    build_form(example, tmp_path / "原表.xlsx", key=key)
    _move_weight(tmp_path / "原表.xlsx", root / "改过.xlsx")
    os.utime(root / "改过.xlsx", (1_600_000_000, 1_600_000_000))
    time.sleep(1.1)  # the genuine form is saved later (its document time, then its file time)
    build_form(example, root / "真.xlsx", key=key)
    review = tmp_path / "汇总.xlsx"
    code, _, err = run("consolidate", str(root), "-o", str(review), "--key", str(bureau))
    assert code == 0, err
    header, *rows = openpyxl.load_workbook(review)["问题清单"].iter_rows(values_only=True)
    problems = [dict(zip(header, row, strict=False)) for row in rows]
    sealed = [p for p in problems if p["代码"] == "seal-invalid"]
    assert [str(p["文件"]) for p in sealed] == ["真.xlsx"] and "另一份提交的 改过.xlsx" in str(sealed[0]["问题"])
    assert sealed[0]["严重程度"] == "错误"


def test_a_values_only_copy_keeps_the_seal_of_its_form(keys: tuple[Path, Path]) -> None:
    """The export's values-only copy says so in _meta (mode): the seal of the form holds for it."""
    key = read_key(keys[0])
    from perfeval_xl.seal import seal

    meta = {"mode": "native", "project": "p", "year": "2019", "content_fingerprint": "x"}
    cells = [("D13", "s", "指标"), ("G13", "n", "25.0")]
    sealed = {**meta, **seal(key, meta, cells)}
    assert verify(key, sealed, cells).valid
    assert verify(key, {**sealed, "mode": "values-only"}, cells).valid
    assert not verify(key, {**sealed, "mode": "xlwings"}, cells).valid
    assert verify(key, sealed, [("D13", "s", "指标"), ("G13", "n", "30.0")]).changed == ("G13",)


def test_removed_protection_is_a_finding_of_both_readers(tmp_path: Path) -> None:
    build_form(load_example("caidian-2019-quality"), tmp_path / "表.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "表.xlsx")
    workbook[SHEET].protection.sheet = False
    workbook.save(tmp_path / "无保护.xlsx")
    for path, expected in ((tmp_path / "表.xlsx", False), (tmp_path / "无保护.xlsx", True)):
        [full] = evaluate(path)
        [fast], _ = evaluate_fast(path)
        for result in (full, fast):
            found = [f for f in result.all_findings() if f.code == "protection-removed"]
            assert bool(found) is expected, path
            if found:
                assert found[0].severity.value == "warning"


def test_a_form_whose_meta_was_deleted_does_not_pass_as_hand_made(keys: tuple[Path, Path], tmp_path: Path) -> None:
    key = read_key(keys[0])
    build_form(load_example("caidian-2019-quality"), tmp_path / "表.xlsx", key=key)
    _delete_sheet(tmp_path / "表.xlsx", META_SHEET, tmp_path / "删了记录.xlsx")
    expected = ("该表是 perfeval-xl 生成的自评表（定义名称 pe_department、pe_deviation、pe_exec_rate 等；"
                "隐藏的“计算”“参数”工作表；文档属性（由 perfeval-xl 生成的项目支出绩效自评表）），"
                "但隐藏的下发记录（_meta 工作表）已被删除或损坏，无法核对指标、分值和公式是否与下发时一致，已按手工表读取"
                + ADVICE)
    [full] = evaluate(tmp_path / "删了记录.xlsx", key=key)
    [fast], _ = evaluate_fast(tmp_path / "删了记录.xlsx", key=key)
    for result in (full, fast):
        assert result.kind == "hand-made"
        altered = [f.message for f in result.all_findings() if f.code == "form-altered"]
        assert altered == [expected]
        assert [f.code for f in result.all_findings() if f.code == "seal-invalid"] == ["seal-invalid"]
    assert len(META_KEYS) > 14  # the seal's entries follow the others


def _delete_sheet(source: Path, name: str, dest: Path) -> None:
    """Delete a sheet as a spreadsheet program does: its part and every reference to it go, the
    stored results of the other sheets stay (openpyxl would drop them)."""
    import re

    from perfeval_xl.reader.opening import sheet_parts

    with zipfile.ZipFile(source) as archive:
        part = sheet_parts(archive)[name]
        parts = {item.filename: archive.read(item.filename) for item in archive.infolist()}
    del parts[part]
    target = part.removeprefix("xl/")
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'Id="(rId\d+)"[^>]*Target="{re.escape(target)}"', rels).group(1)  # type: ignore[union-attr]
    parts["xl/_rels/workbook.xml.rels"] = re.sub(rf'<Relationship Id="{rid}"[^>]*/>', "", rels).encode()
    parts["xl/workbook.xml"] = re.sub(rf'<sheet [^>]*r:id="{rid}"/>', "", parts["xl/workbook.xml"].decode()).encode()
    parts["[Content_Types].xml"] = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "",
                                          parts["[Content_Types].xml"].decode()).encode()
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in parts.items():
            archive.writestr(filename, data)


def test_batch_seals_every_form(keys: tuple[Path, Path], tmp_path: Path) -> None:
    from targetlists import make_projects, write_xlsx

    bureau, _ = keys
    key = read_key(bureau)
    listing = write_xlsx(tmp_path / "清单.xlsx", make_projects(4))
    code, _, err = run("batch", str(listing), "-o", str(tmp_path / "下发"), "--jobs", "2", "--key", str(bureau))
    assert code == 0, err
    forms = sorted((tmp_path / "下发").glob("*.xlsx"))
    forms = [f for f in forms if f.name != "生成清单.xlsx"]
    assert forms
    for form in forms:
        assert _seal_findings(form, key) == ([], [])


def test_the_key_is_written_by_write_key_only_once(tmp_path: Path) -> None:
    key = new_key()
    write_key(key, tmp_path / "k.key")
    assert read_key(tmp_path / "k.key") == key
    write_key(new_key(), tmp_path / "k.key", force=True)
    assert read_key(tmp_path / "k.key") != key


@pytest.mark.parametrize(("entry", "value", "what"), [
    ("inputs", "A1:A1048576,B1:B1048576,C1:C1048576", "可填写或公式单元格的范围"),
    ("layout", '{"rows": [[2000000, "产出指标", "数量指标", 0, true]]}', "指标行的布局"),
    ("layout", '{"rows": [[900, "产出指标", "数量指标", 0, true]]}', "指标行的位置"),
    ("layout", "not json", "指标行的布局"),
    ("layout", "[" * 30_000 + "]" * 30_000, "指标行的布局"),  # nested past Python's recursion limit
])
def test_a_hand_written_meta_is_refused_not_followed(entry: str, value: str, what: str, tmp_path: Path) -> None:
    """_meta edited so that a reader would list millions of cells or rows: the readers that use the entry
    refuse the file at once (check exits 2), in a process that may use 1 GB. (Both readers use the list of
    inputs: it says which cells may hold a formula typed by the sender.)"""
    import sys

    from attacks import run_capped

    build_form(load_example("caidian-2019-quality"), tmp_path / "表.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "表.xlsx")
    for row in workbook[META_SHEET].iter_rows(max_col=2):
        if row[0].value == entry:
            row[1].value = value
    workbook.save(tmp_path / "改了记录.xlsx")
    expected = (f"改了记录.xlsx 的自评表中隐藏的下发记录（_meta）已损坏或被改动（{what}不是任何自评表会有的），无法按下发时的版式读取；"
                "请使用财政局下发的原表重新填写，或联系财政局核实")
    proc = run_capped([sys.executable, "-m", "perfeval_xl", "check", str(tmp_path / "改了记录.xlsx")], megabytes=1024)
    assert proc.returncode == 2 and proc.stderr == f"错误：{expected}\n", proc.stderr
    with pytest.raises(FormError, match="_meta"):
        evaluate_fast(tmp_path / "改了记录.xlsx")

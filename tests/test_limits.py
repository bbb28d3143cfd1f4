"""Inputs of any size: a spec that only an attack would write is refused at once with a clear
error (exit 2, never a RecursionError or gigabytes of memory), and a form of 5,000 indicators
that `new` writes is read back by both readers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from attacks import alias_bomb, deep_nesting, run_capped
from click.testing import CliRunner

from perfeval_xl import yamlfile
from perfeval_xl.cli import cli
from perfeval_xl.reader import evaluate
from perfeval_xl.reader.fast import evaluate_fast

CLI = [sys.executable, "-m", "perfeval_xl"]


def test_an_alias_bomb_is_refused_in_little_memory(tmp_path: Path) -> None:
    """A 500-byte spec whose aliases expand to 9^9 strings (it drove `new` to 7.9 GB): refused by
    new, check and score in a process that may use 512 MB."""
    spec = alias_bomb(tmp_path / "炸弹.yaml")
    assert spec.stat().st_size < 1024
    for command in (["new", str(spec), "-o", str(tmp_path / "x.xlsx")], ["check", str(spec)], ["score", str(spec)]):
        proc = run_capped([*CLI, *command], megabytes=512)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == (f"错误：文件 {spec} 第 4 行定义了 YAML 锚点（&a0）：项目文件和规则文件不支持锚点与别名，"
                               "请直接写出内容\n")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("name", ["深.yaml", "深.json"])
def test_deep_nesting_is_a_file_that_cannot_be_read(name: str, tmp_path: Path) -> None:
    """50,000 nested lists: exit 2 (cannot read) with the line, not a RecursionError and exit 1."""
    spec = deep_nesting(tmp_path / name)
    result = CliRunner().invoke(cli, ["check", str(spec)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    line = 1 if name.endswith(".json") else 2
    assert result.stderr == f"错误：文件 {spec} 第 {line} 行嵌套超过 32 层，远多于任何项目文件，拒绝读取\n"


def test_aliases_too_many_values_and_size_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alias = tmp_path / "别名.yaml"
    alias.write_text("year: 2019\nproject: x\nunit: *u\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(alias)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == (f"错误：文件 {alias} 第 3 行用了 YAML 别名（*u）：项目文件和规则文件不支持锚点与别名，"
                             "请直接写出内容\n")
    monkeypatch.setattr(yamlfile, "MAX_NODES", 50)
    many = tmp_path / "很多.yaml"
    many.write_text("year: 2019\nproject: x\nindicators:\n" + "  - 1\n" * 60, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(many)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == f"错误：文件 {many} 第 47 行含有超过 50 个值，远多于任何项目文件，拒绝读取\n"
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1000)
    big = tmp_path / "很大.yaml"
    big.write_text("year: 2019\nproject: x\n# " + "x" * 2000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(big)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == f"错误：文件 {big} 有 0 MB，超过项目文件的上限（0 MB），不像项目文件，拒绝读取\n"


def test_a_form_of_5000_indicators_is_read_back_by_both_readers(tmp_path: Path) -> None:
    """Its _meta values (the layout runs to 170,000 characters) are split over cells of at most
    32,767; `new` writes it and both readers read every indicator, with no alteration found."""
    lines = ["year: 2019", "project: 五千个指标的项目", "department: 部门", "unit: 单位",
             "funds: {fiscal: {budget: 100, executed: 90}}", "indicators:"]
    blocks = (("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标"))
    for index in range(5000):
        level1, level2 = blocks[index % 3]
        lines.append(f"  - {{level1: {level1}, level2: {level2}, name: 指标{index:04d}, target: '≥95%', "
                     f"actual: '96%', weight: 0.018}}")
    spec = tmp_path / "大.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    form = tmp_path / "大.xlsx"
    result = CliRunner().invoke(cli, ["new", str(spec), "-o", str(form)], prog_name="perfeval-xl")
    assert result.exit_code == 0, result.output
    [full] = evaluate(form)
    [fast], _ = evaluate_fast(form)
    for read in (full, fast):
        assert sorted(ind.spec.name for ind in read.indicators) == [f"指标{i:04d}" for i in range(5000)]
        assert not [f for f in read.all_findings() if f.code in ("form-altered", "seal-invalid")]
    assert full.total == fast.total

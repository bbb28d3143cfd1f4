"""`perfeval-xl score` / `check` on a 评分表 spec: exit codes and exact messages (click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from perfeval_xl.cli import cli

EXAMPLE = Path(__file__).parents[1] / "perfeval_xl" / "examples" / "evaluation" / "nanchang-2020-work-funds.yaml"
SPEC = str(EXAMPLE)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


def test_score_prints_seed_000s_sheet_with_its_two_slips() -> None:
    code, out, _ = run("score", SPEC)
    assert code == 0
    assert out.startswith("项目支出绩效评分表（2020年度）  规则：评分表全国基准（财预〔2020〕10号 附件2 共性指标框架）\n"
                          "项目名称：2020年度工作经费\n")
    assert "预算资金 2154.81 万元，实际到位资金 2154.81 万元，执行数 1172.32 万元" in out
    for block in ("决策：分值 14，得分 14", "过程：分值 16，得分 13.18", "产出：分值 45，得分 41.1",
                  "效益：分值 19，得分 16.22", "满意度：分值 6，得分 5.83"):
        assert block in out
    assert "总分 90.33    评价等级 优" in out
    assert f"[错误] 第 8 个指标“预算执行率”（{SPEC}:82）：写的得分为 2.16，按金额应为 2.18（4 × 1172.32 ÷ 2154.81）" in out
    assert (f"[错误] 第 32 个指标“指标2：培训对象满意度”（{SPEC}:246）：写的得分为 2.83，按规则应为 3"
            "（实际 90% 达到指标值 90%，得满分）") in out
    assert f"[错误] 总分（{SPEC}:248）：写的总分为 90.14，按规则应为 90.33" in out
    # every row is printed, the 一级 names once where their block starts, as the sheet merges them
    table = out.split("┡")[1].split("└")[0]
    assert sum(1 for line in table.splitlines() if line.startswith(("│决策", "│过程", "│产出", "│效益", "│满意度"))) == 5
    assert "54.40%" in table and "100.00%" in table  # the two rates computed from the amounts


def test_score_json() -> None:
    code, out, _ = run("score", SPEC, "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["form_kind"], data["total"], data["grade"], data["status"]) == ("evaluation", 90.33, "优", "已填写完整")
    assert len(data["indicators"]) == 32
    assert [f["code"] for f in data["findings"]] == ["level2-unknown", "level-alias", "stated-differs"]


def test_check_exit_codes(tmp_path: Path) -> None:
    code, out, _ = run("check", SPEC)
    assert code == 1
    assert out.startswith(f"2020年度工作经费（{SPEC}）：错误 3 条，警告 4 条，提示 4 条\n")
    clean = tmp_path / "评分表.yaml"
    clean.write_text(
        "kind: evaluation\nyear: 2020\nproject: 测试\nfunds: {budget: 100, arrived: 100, executed: 100}\n"
        "indicators:\n"
        "  - {level1: 过程, level2: 资金管理, name: 预算执行率, weight: 40, rule: execution}\n"
        "  - {level1: 产出, level2: 产出数量, name: 布置工作, weight: 60, score: 60}\n", encoding="utf-8")
    code, out, _ = run("check", str(clean))
    assert (code, out) == (0, f"测试（{clean}）：错误 0 条，警告 0 条，提示 0 条\n\n")
    code, out, _ = run("check", str(clean), "--json")
    assert code == 0 and json.loads(out) == [{"project": "测试", "source": str(clean), "findings": []}]


def test_a_bad_spec_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "评分表.yaml"
    spec.write_text(
        "kind: evaluation\nyear: 2020\nproject: 测试\nfunds: {budget: 100, executed: 90}\n"
        "indicators:\n"
        "  - {level1: 过程, level2: 资金管理, name: 预算执行率, weight: 40, rule: excution}\n"
        "  - {level1: 产出, level2: 产出数量, name: 布置工作, weight: 60, scroe: 60}\n", encoding="utf-8")
    for command in ("score", "check"):
        code, out, err = run(command, str(spec))
        assert (code, out) == (2, "")
        assert err == (
            f"错误：评分表文件 {spec} 有 2 处错误，请修改后再试：\n"
            "  - 第 7 行：第 2 个指标中有未知字段“scroe”，是不是“score”？（可用字段：level1、level2、name、weight、"
            "criteria、score、basis、rule、target、actual）\n"
            "  - 第 6 行：第 1 个指标“预算执行率”的 rule“excution”不存在，是不是“execution”？可用：arrival（资金到位率）、"
            "execution（预算执行率）\n")


def test_a_broken_evaluation_spec_is_reported_by_the_yaml_reader(tmp_path: Path) -> None:
    spec = tmp_path / "评分表.yaml"
    spec.write_text("kind: evaluation\nyear: 2020\nindicators: [\n", encoding="utf-8")
    code, _, err = run("score", str(spec))
    assert code == 2 and err.startswith(f"错误：文件 {spec} 第 4 行第 1 列不是合法的 YAML/JSON")


def test_new_on_an_evaluation_spec_writes_the_evaluation_form(tmp_path: Path) -> None:
    code, out, err = run("new", SPEC, "-o", str(tmp_path / "x.xlsx"))
    assert code == 0 and out == f"已生成评分表 {tmp_path / 'x.xlsx'}（32 个指标，规则 mof-2020）\n"
    assert err == ("注意：第 8 个指标“预算执行率”：所写得分 2.16 与按金额算出的 2.18 不同，表中得分由公式计算\n"
                   "注意：第 32 个指标“指标2：培训对象满意度”：所写得分 2.83 与按年度指标值和实际完成值算出的 3 不同，"
                   "表中得分由公式计算\n")
    assert (tmp_path / "x.xlsx").exists()


def test_profiles_lists_the_evaluation_rules() -> None:
    code, out, _ = run("profiles")
    assert code == 0
    assert out.endswith("评分表（kind: evaluation）的规则：\n  mof-2020：评分表全国基准（财预〔2020〕10号 附件2 共性指标框架）\n")

"""The command line: exit codes and exact messages (click's CliRunner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from perfeval_xl.cli import cli

EXAMPLES = Path(__file__).parents[1] / "perfeval_xl" / "examples"
CAIDIAN = str(EXAMPLES / "caidian-2019-quality.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="perfeval-xl")
    return result.exit_code, result.stdout, result.stderr


def test_score_prints_the_seed_003_result() -> None:
    code, out, _ = run("score", CAIDIAN)
    assert code == 0
    assert "执行率 98.73%，分值 10，执行率得分 9.87" in out
    assert "总分 99.87    评价等级 优" in out


def test_score_json() -> None:
    code, out, _ = run("score", CAIDIAN, "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["total"], data["grade"]) == (99.87, "优")
    assert data["execution"] == {"weight": 10.0, "budget": 87.65, "executed": 86.54,
                                 "rate": 0.9873, "score": 9.87}
    first = data["indicators"][0]
    assert {k: first[k] for k in ("name", "level1", "level2", "target", "actual", "weight", "score",
                                  "deviation")} == {
        "name": "及时完成质量监督检查任务", "level1": "产出指标", "level2": "时效指标",
        "target": "100%", "actual": "100%", "weight": 25.0, "score": 25.0, "deviation": 0.0}
    assert first["findings"][0]["code"] == "sign-inferred"


def test_check_exit_codes(tmp_path: Path) -> None:
    assert run("check", CAIDIAN)[0] == 0
    code, out, _ = run("check", str(EXAMPLES / "donghu-2018-business-admin.yaml"))
    assert code == 1
    assert "错误 1 条" in out
    assert "[错误] 第 6 个指标“全年案件结案率”" in out
    code, _, err = run("check", str(tmp_path / "missing.yaml"))
    assert code == 2
    assert err == f"错误：找不到文件 {tmp_path / 'missing.yaml'}，请检查路径是否正确\n"


def test_a_bad_spec_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("year: 2019\nproject: x\nindicators: []\nfunds: {fiscal: {budgte: 1}}\n",
                    encoding="utf-8")
    code, _, err = run("score", str(spec))
    assert code == 2
    assert err.startswith(f"错误：项目文件 {spec} 有 1 处错误，请修改后再试：\n")
    assert "第 4 行：funds.fiscal（当年财政拨款）中有未知字段“budgte”，是不是“budget”？" in err
    assert "Traceback" not in err


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    code, _, err = run("score", str(path))
    assert code == 2 and "无法识别文件" in err


def test_demo_scores_every_example(tmp_path: Path) -> None:
    code, out, _ = run("demo", str(tmp_path / "out"))
    assert code == 0
    assert "质量技术监督专项经费（2019年度）：执行率得分 9.87，总分 99.87，优；已填写完整" in out
    written = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert "caidian-2019-quality.json" in written and len(written) == 5
    data = json.loads((tmp_path / "out" / "donghu-2018-general-affairs.json").read_text("utf-8"))
    assert data["total"] == 96.25
    assert out.endswith(f"已写入 38 个文件到 {tmp_path / 'out'}/\n")
    assert "绩效目标清单：5 个项目 → 下发/ 中生成 5 份待填写的自评表" in out
    assert "汇总：5 个项目的已填写自评表逐份重新计分 → 汇总.xlsx（对照生成清单已回收 5 份" in out
    # every example also gets its forms (filled and blank) and the filled form's attachments
    from docx import Document

    from perfeval_xl.reader import evaluate

    for name in (p.stem for p in (tmp_path / "out").glob("*.json")):
        expected = json.loads((tmp_path / "out" / f"{name}.json").read_text("utf-8"))
        [filled] = evaluate(tmp_path / "out" / f"{name}-已填写.xlsx")
        [values] = evaluate(tmp_path / "out" / f"{name}-已填写-数值.xlsx")
        assert float(filled.total) == float(values.total) == expected["total"], name
        [blank] = evaluate(tmp_path / "out" / f"{name}-空白.xlsx")
        assert not blank.complete and all(i.spec.actual is None for i in blank.indicators), name
        pdf = subprocess.run(["pdftotext", "-layout", str(tmp_path / "out" / f"{name}-已填写.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        assert expected["project"] in pdf and f"{expected['total']:g}" in pdf, name
        report = Document(str(tmp_path / "out" / f"{name}-报告.docx"))
        assert report.tables[0].rows[0].cells[2].text == expected["project"], name
    # the finance bureau's side: the forms sent out from the list carry the declared targets and weights,
    # and the review recomputes every filled form to the same total
    totals = {}
    for name in (p.stem for p in (tmp_path / "out").glob("*.json")):
        expected = json.loads((tmp_path / "out" / f"{name}.json").read_text("utf-8"))
        totals[expected["project"]] = expected["total"]
        [sent] = evaluate(next((tmp_path / "out" / "下发").glob(f"*_{expected['project']}.xlsx")))
        assert [(i.spec.name, str(i.spec.target), float(i.spec.weight or 0)) for i in sent.indicators] == [
            (i["name"], i["target"], i["weight"]) for i in expected["indicators"]], name
        assert not sent.complete
    review = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx", read_only=True)["汇总"]
    rows = list(review.iter_rows(values_only=True))
    header = list(rows[0])
    shown = {r[header.index("项目名称")]: r[header.index("总分")] for r in rows[1:] if r[header.index("项目名称")]}
    assert {k: shown.get(k) for k in totals} == totals


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "perfeval_xl", "score", CAIDIAN, "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["total"] == 99.87


# --------------------------------------------------------------------------- Chinese usage errors and help


def test_usage_errors_are_chinese_and_say_where_to_read_the_usage() -> None:
    cases = {
        ("new", "--spare-rows", "x", CAIDIAN): "--spare-rows 的值不正确：“x”不是整数",
        ("new", "--spare-rows", "30", CAIDIAN): "--spare-rows 的值不正确：“30”超出范围 0<=x<=20",
        ("new", "--mode", "excel", CAIDIAN): "--mode 的值不正确：“excel”不在可选值中，应为 native、xlwings、lite 之一",
        ("new",): "缺少参数 SPEC",
        ("scoer", CAIDIAN): "没有命令“scoer”",
        ("score", "--jsn", CAIDIAN): "没有选项 --jsn，是不是 --json？",
        ("score", CAIDIAN, "extra"): "多余的参数：extra",
    }
    for args, expected in cases.items():
        code, _, err = run(*args)
        assert code == 2, args
        assert expected in err and "查看用法" in err, (args, err)
        assert not any(word in err for word in ("Error", "Usage", "Invalid", "Missing", "No such")), err


def test_help_pages_are_chinese() -> None:
    code, out, _ = run("new", "--help")
    assert code == 0
    assert out.startswith("用法：perfeval-xl new [选项] SPEC")
    assert "显示此帮助并退出" in out and "［默认：2；0<=x<=20］" in out and "--spare-rows 整数" in out
    code, out, _ = run("--help")
    assert "命令 [参数]..." in out and "命令:" in out and "Show this message" not in out
    assert run("--version")[1].strip().startswith("perfeval-xl ")


def test_spec_problems_are_reported_together(tmp_path: Path) -> None:
    spec = tmp_path / "p.yaml"
    spec.write_text("year: 2019\nyear: 2020\nprojct: a\nprofile: nosuch\nindicators: []\n", encoding="utf-8")
    code, _, err = run("score", str(spec))
    assert code == 2
    assert "4 处错误" in err
    assert "第 2 行：字段“year”重复出现（第一次在第 1 行）" in err
    assert "第 3 行：项目中有未知字段“projct”，是不是“project”？" in err
    assert "第 4 行：profile（规则）“nosuch”不存在，可用的有：mof-2020" in err
    assert "缺少 project（项目名称）" in err


def test_yaml_syntax_errors_say_what_is_wrong(tmp_path: Path) -> None:
    cases = {
        "year: 2019\nproject: a: b\n": "第 2 行第 11 列不是合法的 YAML/JSON：这里不能再出现“键: 值”",
        "year: 2019\n\tproject: a\n": "制表符 Tab",
        'year: 2019\nproject: "a\n': "引号或括号没有闭合",
    }
    for text, expected in cases.items():
        spec = tmp_path / "s.yaml"
        spec.write_text(text, encoding="utf-8")
        code, _, err = run("score", str(spec))
        assert code == 2 and expected in err, err


def test_operating_system_errors_are_explained_in_chinese(tmp_path: Path) -> None:
    import errno

    from perfeval_xl.errors import os_reason

    assert os_reason(OSError(errno.EACCES, "Permission denied")).startswith("没有权限")
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足，请清理磁盘后重试"
    folder = tmp_path / "目录.yaml"
    folder.mkdir()
    code, _, err = run("score", str(folder))
    assert code == 2 and "Is a directory" not in err and "目录.yaml" in err


def test_score_of_our_form_shows_actuals_in_the_targets_notation(tmp_path: Path) -> None:
    """Our form stores 100% as 1 and 86.54万元 as 86.54: the table writes them as the targets do."""
    from perfeval_xl.demo import load_example
    from perfeval_xl.form import build_form

    form = build_form(load_example("caidian-2019-quality"), tmp_path / "表.xlsx").path
    code, out, _ = run("score", str(form))
    assert code == 0
    rows = {cells[2]: cells[3:5] for line in out.splitlines() if line.startswith("│")
            for cells in [[c.strip() for c in line.strip("│").split("│")]]}
    assert rows["及时完成质量监督检查任务"] == ["100%", "100%"]
    assert rows["不超过年度预算"] == ["87.65万元", "86.54万元"]
    assert rows["社会公众或服务对象对项目"] == ["80%", "85%"]  # the name wraps; its first line

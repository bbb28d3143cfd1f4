"""The Lite form's main.py under Pyodide, in Node, offline: the engine inside the workbook
gives the CPython engine's answers.

`perfeval-xl new --mode lite` writes a form; its main.py is read back from the workbook's
web-extension part and run in Pyodide (the npm package, installed by `make`; nothing is
downloaded at test time: the runner fails on any network access and loads no Pyodide
package) by tests/pyodide/harness.py, which stands in for the xlwings Lite add-in and
calls the functions with arguments shaped as Office.js and xlwings pass them. All cases go
to one Pyodide session (it takes seconds to start).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from udfcases import Call, block_row, generated_projects, golden_projects, matches, project_calls

from perfeval_xl import udfs
from perfeval_xl.cli import cli
from perfeval_xl.engine import score_project
from perfeval_xl.form.webextension import read_settings
from perfeval_xl.lite import FUNCTIONS, main_py

HERE = Path(__file__).parent / "pyodide"
RUNNER, HARNESS = HERE / "run_lite.mjs", HERE / "harness.py"
EXAMPLE = Path(__file__).parents[1] / "perfeval_xl" / "examples" / "caidian-2019-quality.yaml"
GENERATED = 300  # projects; with the golden ones well over 200 generated cases of every function
HEADER = ["一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施"]


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "pyodide" / "pyodide.asm.wasm").exists():
        pytest.fail("Node and the npm package pyodide are needed: run `make check` (it installs them), "
                    "or `npm ci --prefix tests/pyodide` with Debian's nodejs and npm")
    return node


def _cases() -> tuple[list[dict[str, Any]], list[tuple[str, Call | None]]]:
    """Every call to send, and what each must give (the engine's answer; None: compare with CPython only)."""
    cases: list[dict[str, Any]] = []
    wants: list[tuple[str, Call | None]] = []

    def add(function: str, args: list[Any], want: Call | None, source: str, jsnull: bool = False) -> None:
        cases.append({"function": function, "args": args, "jsnull": jsnull})
        wants.append((source, want))

    add("PE_SCORE", ["97%", "95%", 10], Call("PE_SCORE", [], 9.79, "issue"), "issue")
    add("PE_EXEC_SCORE", [439.53, 357.04, 20], Call("PE_EXEC_SCORE", [], 16.25, "issue"), "issue")
    for source, projects in (("golden", golden_projects()), ("generated", generated_projects(GENERATED))):
        for label, spec in projects:
            calls, result = project_calls(spec, label)
            for call in calls:
                add(call.name, call.args, call, source)
            block = [HEADER] + [block_row(ind) for ind in result.indicators]
            rules = [result.rules.profile, spec.year]
            add("PE_SCORES", [block, *rules], None, source)
            add("PE_CHECK", [block, *rules], None, source)
            if source == "golden":  # the same, with empty cells as JavaScript's null passed through
                for call in calls:
                    add(call.name, call.args, call, "jsnull", jsnull=True)
                add("PE_SCORES", [block, *rules], None, "jsnull", jsnull=True)
    # empty cells and omitted arguments, as Excel sends them
    for args in ([None, None, None], ["≥95%", None, 10], ["≥95%", 0.9, None], ["0次", 0, 5, "安全指标"],
                 ["达成预期指标", "部分达成", 10, None, 7], ["达成预期指标", "部分达成", 10, None, None], ["≥95%", "约90", 10]):
        add("PE_SCORE", args, None, "blanks")
        add("PE_SCORE", args, None, "jsnull", jsnull=True)
    for name, args in (("PE_DEVIATION", ["37", 40]), ("PE_DEVIATION_RATE", [3000, 2072]), ("PE_GRADE", [89.99]),
                       ("PE_EVALUATION_GRADE", [None]), ("PE_EXECUTION_SCORE", [87.65, 86.54, None]),
                       ("PE_EXEC_SCORE", ["87.65万元", "865400元", 10]), ("PE_SCORES", [[[1, 2]]]),
                       ("PE_CHECK", [[["产出指标", "质量指标", "结案率", "97%", None, 10]]])):
        add(name, args, None, "blanks")
        add(name, args, None, "jsnull", jsnull=True)
    return cases, wants


def _cpython(case: dict[str, Any]) -> Any:
    """What the same call gives in CPython (an empty cell: None, the parameter's default)."""
    return json.loads(json.dumps(getattr(udfs, case["function"])(*case["args"]), ensure_ascii=False))


@pytest.fixture(scope="module")
def lite_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = _node()
    root = tmp_path_factory.mktemp("lite")
    form = root / "自评表.xlsx"
    result = CliRunner().invoke(cli, ["new", str(EXAMPLE), "--mode", "lite", "-o", str(form)])
    assert result.exit_code == 0, result.output
    main = root / "main.py"
    main.write_text(read_settings(form)["main.py"], encoding="utf-8")
    cases, wants = _cases()
    request = root / "request.json"
    request.write_text(json.dumps({"main": str(main), "harness": str(HARNESS), "cases": cases},
                                  ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([node, str(RUNNER), str(request)], capture_output=True, text=True, timeout=600,
                          cwd=HERE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer: dict[str, Any] = json.loads(proc.stdout)
    answer.update(cases=cases, wants=wants, main=main)
    return answer


def test_the_issue_values_under_pyodide(lite_run: dict[str, Any]) -> None:
    assert lite_run["results"][:2] == [9.79, 16.25]


def test_the_runtime_is_pyodide_with_the_standard_library_only(lite_run: dict[str, Any]) -> None:
    assert lite_run["platform"] == "emscripten" and lite_run["python"].startswith("3.")
    assert lite_run["packages"] == []  # nothing installed: no micropip, no PyYAML, nothing fetched
    assert not lite_run["yaml"] and lite_run["third_party"] == []
    assert ".zip/perfeval_xl/__init__.py" in lite_run["engine_file"]  # imported from the archive in main.py
    assert "perfeval_xl.udfs" in lite_run["engine_modules"] and "perfeval_xl.form" not in lite_run["engine_modules"]


def test_main_py_registers_the_functions_with_their_help(lite_run: dict[str, Any]) -> None:
    functions = lite_run["functions"]
    assert sorted(functions) == sorted(FUNCTIONS)
    for name, info in functions.items():
        assert info["func"] == {"category": udfs.CATEGORY}
        assert info["doc"] == (getattr(udfs, name).__doc__ or "").strip() and info["doc"]
        assert info["args"] == sorted(getattr(udfs, name).__code__.co_varnames[:getattr(udfs, name).__code__
                                                                              .co_argcount])
    assert functions["PE_SCORES"]["ndim2"] == ["block"] and functions["PE_CHECK"]["ndim2"] == ["block"]


def test_every_call_equals_the_cpython_engine(lite_run: dict[str, Any]) -> None:
    failures: list[str] = []
    counted: dict[str, int] = {}
    for case, (source, want), got in zip(lite_run["cases"], lite_run["wants"], lite_run["results"], strict=True):
        counted[source] = counted.get(source, 0) + 1
        if want is not None and not matches(got, want.want):
            failures.append(f"{source} {want.label} {case['function']}{tuple(case['args'])}: {got!r}, engine {want.want!r}")
        cpython = _cpython(case)
        if got != cpython:
            failures.append(f"{source} {case['function']}{tuple(case['args'])}: Pyodide {got!r}, CPython {cpython!r}")
    assert not failures, f"{len(failures)} calls differ:\n" + "\n".join(failures[:20])
    assert counted["golden"] > 100 and counted["generated"] > 4000 and counted["jsnull"] > 150, counted
    answers = [r for r in lite_run["results"] if isinstance(r, str)]
    assert not [r for r in answers if r.startswith("<raised")]
    assert sum(r.startswith("#错误：") for r in answers) > 100  # unreadable values are messages in the cell


def test_engine_results_for_every_golden_project(lite_run: dict[str, Any]) -> None:
    """Per golden project: every score, deviation, execution score and grade of the engine
    came back from Pyodide (the block calls included)."""
    golden = [(c, w, g) for c, (s, w), g in zip(lite_run["cases"], lite_run["wants"], lite_run["results"],
                                                  strict=True) if s == "golden"]
    blocks = [(c, g) for c, w, g in golden if c["function"] == "PE_SCORES"]
    assert len(blocks) == len(golden_projects())
    for (_, got), (label, spec) in zip(blocks, golden_projects(), strict=True):
        result = score_project(spec)
        want = [[float(i.score) if i.score is not None else "", float(i.deviation) if i.deviation is not None else ""]
                for i in result.indicators]
        rows = [[s if not (isinstance(s, str) and s.startswith("#错误：")) else "" for s in r] for r in got[1:]]
        assert rows == want, \
            label


def test_the_form_carries_the_main_py_that_was_run(lite_run: dict[str, Any]) -> None:
    assert Path(lite_run["main"]).read_bytes() == main_py().encode("utf-8")

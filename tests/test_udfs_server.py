"""The same functions through xlwings Server's custom-function call path
(``xlwings.server.custom_functions_call``, Office.js custom functions): 2-D
arguments, integers, and empty cells sent as 0 — the engine's answers again."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from udfcases import block_row, generated_projects, golden_projects, matches, project_calls

from perfeval_xl import udfs
from perfeval_xl.notation import parse_target

SCRIPT = Path(__file__).with_name("server_calls.py")
NUMBER_ARGS = {"PE_SCORE": (0, 1, 2, 4), "PE_DEVIATION": (0, 1), "PE_EXEC_SCORE": (0, 1, 2), "PE_GRADE": (0,)}


def on_server(calls: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    proc = subprocess.run([sys.executable, str(SCRIPT)], input=json.dumps({"calls": calls}), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return dict(json.loads(proc.stdout))


def matrix(value: Any, blank: Any) -> list[list[Any]]:
    """One argument as Office.js sends it: a 1×1 matrix; an empty cell as ``blank``."""
    return [[blank if value is None else _integral(value)]]


def _integral(value: Any) -> Any:
    # Office.js sends 25, not 25.0, for a cell holding an integer
    return int(value) if isinstance(value, float) and value.is_integer() else value


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    singles, blocks = [], []
    for label, spec in golden_projects() + generated_projects():
        calls, result = project_calls(spec, label)
        singles += calls
        rules = [result.rules.profile, spec.year]
        rows = [block_row(ind) for ind in result.indicators] + [[None] * 8]  # and a spare row
        blocks.append((calls, rows, rules))
    request: list[tuple[str, list[Any]]] = []
    # 1. blank-aware arguments: an empty cell sent as "" (IF(ISBLANK(x),"",x))
    request += [(c.name, [matrix(a, "") for a in c.args]) for c in singles]
    # 2. Office.js as is: an empty cell sent as 0
    request += [(c.name, [matrix(a, 0) for a in c.args]) for c in singles]
    # 3. whole blocks, empty cells sent as 0, in one call each
    request += [("PE_SCORES", [[[0 if v is None else _integral(v) for v in row] for row in rows],
                               [[rules[0]]], [[rules[1]]]]) for _, rows, rules in blocks]
    request.append(("PE_SCORE", [[["97%"]], [["95%"]], [[10]]]))
    request.append(("PE_EXEC_SCORE", [[[439.53]], [[357.04]], [[20]]]))
    request.append(("PE_GRADE", [[[89.99]]]))
    answers = on_server(request)
    return {"singles": singles, "blocks": blocks, **answers}


def test_the_issue_values_on_the_server(results: dict[str, Any]) -> None:
    assert results["results"][-3:] == [[[9.79]], [[16.25]], [["良"]]]


def test_blank_aware_arguments_give_the_engines_answers(results: dict[str, Any]) -> None:
    singles = results["singles"]
    got = results["results"][:len(singles)]
    failures = [f"{c.label} {c.name}: {g!r}, engine {c.want!r}" for c, g in zip(singles, got, strict=True)
                if not matches(g[0][0], c.want)]
    assert not failures, "\n".join(failures[:20])
    assert len(singles) > 7000


def test_zeros_for_empty_cells(results: dict[str, Any]) -> None:
    """An empty cell sent as 0: text arguments read it as blank; a number argument
    as the value 0 — exactly what the function gives for a typed 0."""
    singles = results["singles"]
    got = results["results"][len(singles):2 * len(singles)]
    unaffected = zeroed = 0
    for call, answer in zip(singles, got, strict=True):
        numbers = NUMBER_ARGS[call.name]
        blank_numbers = any(call.args[i] is None for i in numbers)
        if not blank_numbers:
            assert matches(answer[0][0], call.want), (call.label, call.name, answer, call.want)
            unaffected += 1
        else:
            typed_zero = [0 if (a is None and i in numbers) else a for i, a in enumerate(call.args)]
            assert answer[0][0] == getattr(udfs, call.name)(*typed_zero), (call.label, call.name)
            zeroed += 1
    assert unaffected > 3000 and zeroed > 3000


def test_blocks_with_zeros_for_empty_cells(results: dict[str, Any]) -> None:
    """One PE_SCORES call per project: rows whose number cells are all filled get the
    engine's answers (an empty 得分 cell sent as 0 only matters for a qualitative
    row: 0 is a score there), a row of zeros (an empty row) stays empty."""
    count = len(results["singles"])
    answers = results["results"][2 * count:2 * count + len(results["blocks"])]
    checked = 0
    for (calls, rows, _), answer in zip(results["blocks"], answers, strict=True):
        pairs = [c for c in calls if c.name in ("PE_SCORE", "PE_DEVIATION")]
        for row, (score, deviation), want_score, want_dev in zip(rows, answer, pairs[::2], pairs[1::2],
                                                                 strict=False):
            target = parse_target(row[3])
            if any(row[i] is None for i in (3, 4, 5)) or (row[6] is None and target and target.qualitative):
                continue
            assert matches(score, want_score.want) and matches(deviation, want_dev.want), want_score.label
            checked += 1
        assert answer[len(rows) - 1] == ["", ""]  # the spare row
    assert checked > 500


def test_office_js_metadata_matches_the_python_functions(results: dict[str, Any]) -> None:
    functions = {f["name"]: f for f in results["meta"]["functions"]}
    assert set(functions) == {n for n in udfs.__all__ if n.startswith("PE_")}
    for name, meta in functions.items():
        signature = inspect.signature(getattr(udfs, name))
        params = [(p.name, p.default is not inspect.Parameter.empty) for p in signature.parameters.values()]
        assert [(p["name"], p.get("optional", False)) for p in meta["parameters"]] == params
        assert meta["description"] == getattr(udfs, name).__doc__
        assert all(p["description"] and not p["description"].startswith("Positional") for p in meta["parameters"])

"""Approved copies of generated workbooks, compared part by part (XlsxWriter's way).

``python tests/approved_forms.py`` (``make approve``) rewrites the approved copies
after a deliberate change to the form; review the diff of the unzipped parts
before committing them.
"""

from __future__ import annotations

import datetime as dt
import sys
import zipfile
from pathlib import Path

from perfeval_xl.demo import blank, load_example
from perfeval_xl.form import build_form
from perfeval_xl.kinds.evaluation.plan import blank_evaluation
from perfeval_xl.kinds.evaluation.spec import load_evaluation_example

APPROVED = Path(__file__).parent / "approved"
WHEN = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

CASES = {
    "caidian-2019-quality-filled": lambda: load_example("caidian-2019-quality"),
    "donghu-2018-quality-blank": lambda: blank(load_example("donghu-2018-quality")),
    # the 评分表 (kind evaluation) of seed 000, as sent to the evaluator
    "nanchang-2020-evaluation-blank": lambda: blank_evaluation(load_evaluation_example("nanchang-2020-work-funds")),
}


def build(name: str, directory: Path) -> Path:
    return build_form(CASES[name](), directory / f"{name}.xlsx", generated_at=WHEN).path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def differences(got: Path, approved: Path) -> list[str]:
    """Parts that differ, with the first differing line of each."""
    a, b = parts(got), parts(approved)
    out = [f"part only in one file: {name}" for name in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        if a[name] == b[name]:
            continue
        lines_a = a[name].decode("utf-8", "replace").replace("><", ">\n<").splitlines()
        lines_b = b[name].decode("utf-8", "replace").replace("><", ">\n<").splitlines()
        first = next((i for i, (x, y) in enumerate(zip(lines_a, lines_b, strict=False)) if x != y),
                     min(len(lines_a), len(lines_b)))
        got_line = lines_a[first] if first < len(lines_a) else "<end>"
        want_line = lines_b[first] if first < len(lines_b) else "<end>"
        out.append(f"{name}: line {first + 1}: got {got_line[:160]!r}, approved {want_line[:160]!r}")
    return out


if __name__ == "__main__":
    APPROVED.mkdir(exist_ok=True)
    for case in CASES:
        print("approved", build(case, APPROVED))
    sys.exit(0)

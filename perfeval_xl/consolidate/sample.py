"""The 抽查 sheet: the forms finance re-checks by hand.

A sample stratified by 主管部门 (``--sample N``, ``--seed``): every department gets a
share of N in proportion to its number of projects (largest remainders; at least one
each when N is not smaller than the number of departments), and within a department
the projects are drawn at random. The draw depends only on the seed and on the
projects themselves (sorted by 主管部门, 实施单位, 项目名称, 年度 before drawing, each
department drawn with its own generator seeded by the seed and its name), so the same
seed over the same returns gives the same sample, whatever the order the files were
read in. Every form with an error is added to the sample, marked as such.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from . import printing
from .printing import Column

T = TypeVar("T")

DEFAULT_SEED = 2020  # the year of 财预〔2020〕10号; any fixed number makes the draw reproducible
DEFAULT_SHARE = 0.10  # without --sample: one project in ten, rounded up
DRAWN, ERRORS = "随机抽取", "有错误"

COLUMNS = (
    Column("序号", 5, "int", False), Column("抽查原因", 10, "center"), Column("主管部门", 14), Column("实施单位", 14),
    Column("项目名称", 24), Column("总分", 13, "num", False), Column("等级", 6, "center"),
    Column("错误", 5, "int", False), Column("警告", 5, "int", False), Column("文件", 24),
    Column("复核意见", 30), Column("复核人", 8),
)


def default_size(population: int) -> int:
    return math.ceil(population * DEFAULT_SHARE)


def allocate(sizes: dict[str, int], n: int, rng: random.Random) -> dict[str, int]:
    """How many of ``n`` each stratum gets (proportional, largest remainder, ≥ 1 each when n allows)."""
    total = sum(sizes.values())
    n = min(n, total)
    strata = sorted(sizes)
    if n <= 0 or not strata:
        return dict.fromkeys(strata, 0)
    if n < len(strata):  # fewer draws than departments: n departments at random, one each
        chosen = set(rng.sample(strata, n))
        return {s: int(s in chosen) for s in strata}
    quota = {s: n * sizes[s] / total for s in strata}
    out = {s: min(sizes[s], max(1, math.floor(quota[s]))) for s in strata}
    while sum(out.values()) > n:  # the minimum of one pushed it over: take from the largest surplus
        s = max((s for s in strata if out[s] > 1), key=lambda s: (out[s] - quota[s], s))
        out[s] -= 1
    while sum(out.values()) < n:
        s = max((s for s in strata if out[s] < sizes[s]), key=lambda s: (quota[s] - out[s], sizes[s], s))
        out[s] += 1
    return out


def stratified_sample(items: Sequence[T], n: int, seed: int, stratum: Callable[[T], str],
                      order: Callable[[T], Any]) -> list[T]:
    """``n`` of ``items`` drawn at random within strata, reproducibly for a seed."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[stratum(item)].append(item)
    counts = allocate({s: len(g) for s, g in groups.items()}, n, random.Random(f"{seed}:strata"))
    out: list[T] = []
    for name in sorted(groups):
        members = sorted(groups[name], key=order)
        out += random.Random(f"{seed}:{name}").sample(members, counts[name])
    return out


@dataclass
class Sample:
    """The sampled rows (review entries) with why each was chosen."""

    rows: list[tuple[str, Any]]
    size: int
    seed: int
    drawn: int
    errors: int


def choose(entries: Sequence[Any], size: int | None, seed: int | None, department: Callable[[Any], str],
           order: Callable[[Any], Any], has_errors: Callable[[Any], bool]) -> Sample:
    """The 抽查 list: ``size`` drawn (default one in ten) plus every entry with errors."""
    n = default_size(len(entries)) if size is None else max(0, size)
    seed = DEFAULT_SEED if seed is None else seed
    drawn = stratified_sample(entries, n, seed, department, order)
    picked = {id(e) for e in drawn}
    rows = []
    for entry in entries:
        why = [DRAWN] if id(entry) in picked else []
        if has_errors(entry):
            why.append(ERRORS)
        if why:
            rows.append(("、".join(why), entry))
    rows.sort(key=lambda r: (department(r[1]), order(r[1])))
    return Sample(rows, n, seed, len(drawn), sum(1 for e in entries if has_errors(e)))


def write_sample(workbook: Any, fmt: dict[str, Any], sample: Sample, values: Callable[[Any], list[object]],
                 partial: Callable[[Any], bool], run_date: str) -> None:
    """The 抽查 sheet; ``values`` gives an entry's 主管部门 … 文件 cells."""
    sheet = printing.add_sheet(workbook, "抽查")
    printing.write_header(sheet, fmt, COLUMNS)
    row = 0
    table = printing.Table(sheet, fmt, COLUMNS)
    for row, (why, entry) in enumerate(sample.rows, start=1):
        table.row(row, [row, why, *values(entry), "", ""], {5: "partial"} if partial(entry) else None)
    if row:
        sheet.autofilter(0, 0, row, len(COLUMNS) - 1)
    title = (f"项目支出绩效自评汇总——抽查（随机抽取 {sample.drawn} 份，种子 {sample.seed}，"
             f"另含全部有错误的 {sample.errors} 份）")
    printing.setup_print(sheet, title, run_date)

"""Generated targets lists for the batch tests and benchmark.

:func:`make_projects` builds deterministic projects (a seeded random generator)
across departments, units, years and profiles, with targets in the official
notation and weights that add up to 100 with the profile's execution weight.
The writers put the same projects into a list as a user would: CSV in a given
encoding, or an .xlsx made from the targets template.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl

from perfeval_xl.batch.columns import COLUMNS, PROJECT_KEYS, header_text
from perfeval_xl.batch.template import LIST_SHEET, spec_rows, write_template
from perfeval_xl.profiles import load_rules
from perfeval_xl.spec import FundsRow, Indicator, ProjectSpec

DEPARTMENTS = ["市市场监督管理局", "市财政局", "市教育局", "市卫生健康委员会", "市生态环境局"]
TOPICS = ["质量技术监督", "食品安全抽检", "校舍维修", "基层医疗设备", "河道治理", "信息化建设"]
TARGETS: list[object] = ["≥95%", "100%", "≤420元/次", "达成预期指标", "3500批次", "87.65万元", "0次", "≥90%",
                         "年底前完成", "不低于98%", Decimal("3500"), "30个工作日以内"]
PROFILES = [("mof-2020", range(2020, 2025)), ("sichuan", range(2023, 2025)), ("wuhan-donghu-2018", range(2018, 2019))]


def make_projects(count: int, seed: int = 6, indicators: tuple[int, int] = (3, 12)) -> list[ProjectSpec]:
    """``count`` projects; the last two share 主管部门 and 项目名称 and differ in 实施单位."""
    rng = random.Random(seed)
    projects = []
    for i in range(count):
        department = DEPARTMENTS[i % len(DEPARTMENTS)]
        profile, years = PROFILES[0] if i % 10 else PROFILES[(i // 10) % len(PROFILES)]
        year = rng.choice(list(years))
        rules = load_rules(profile, year)
        pairs = [(l1, l2) for l1, l2s in rules.hierarchy.items() for l2 in l2s]
        k = rng.randint(*indicators)
        chosen = sorted((rng.choice(pairs) for _ in range(k)), key=pairs.index)
        weights = _split(int(100 - rules.execution_weight), k, rng)
        rows = tuple(
            Indicator(level1=l1, level2=l2, name=f"{l2[:-2]}指标{j + 1}", target=rng.choice(TARGETS),
                      weight=Decimal(w))
            for j, ((l1, l2), w) in enumerate(zip(chosen, weights, strict=True))
        )
        budget = Decimal(rng.randint(500, 200000)) / 100 if i % 7 else None
        name = f"{TOPICS[i % len(TOPICS)]}专项经费{i:03d}"
        unit = f"{department[1:-2]}第{i % 3 + 1}中心"
        if i == count - 1 and count > 1:  # same department and name as the one before, another unit
            department, name = projects[-1].department, projects[-1].project
            unit = projects[-1].unit + "分部"
        projects.append(ProjectSpec(
            year=year, project=name, department=department, unit=unit, profile=profile,
            funds={"fiscal": FundsRow(budget=budget)} if budget is not None else {}, indicators=rows,
        ))
    return projects


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def list_rows(projects: Sequence[ProjectSpec], interleave: bool = False) -> list[list[object]]:
    """The rows of a list; with ``interleave`` the rows of neighbouring projects alternate."""
    blocks = [spec_rows(p) for p in projects]
    if not interleave:
        return [row for block in blocks for row in block]
    rows: list[list[object]] = []
    for a, b in zip(blocks[::2], [*blocks[1::2], []][: len(blocks[::2])], strict=True):
        for i in range(max(len(a), len(b))):
            rows += [block[i] for block in (a, b) if i < len(block)]
    return rows


def write_csv(path: Path, projects: Sequence[ProjectSpec], encoding: str, interleave: bool = True) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header_text(c) for c in COLUMNS])
        for row in list_rows(projects, interleave):
            writer.writerow(["" if v is None else str(v) for v in row])
    return path


def write_xlsx(path: Path, projects: Sequence[ProjectSpec]) -> Path:
    """Fill the targets template as a user would: project columns on each project's first row only."""
    write_template(path, year=2024)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[LIST_SHEET]
    project_columns = [i for i, c in enumerate(COLUMNS) if c.key in PROJECT_KEYS]
    row = 2
    for project in projects:
        for n, values in enumerate(spec_rows(project)):
            for col, value in enumerate(values):
                if n and col in project_columns:
                    continue
                if isinstance(value, Decimal):
                    value = float(value)
                if value is not None:
                    sheet.cell(row, col + 1, value)
            row += 1
    workbook.save(path)
    return path

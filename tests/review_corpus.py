"""Returned forms for the review tests: filled 自评表 of generated projects (tests/formcases.py),
named as a district's departments and units name them, in one folder per 主管部门.

The projects are the parity cases: random targets, actuals, ratings and reasons, so the
returns hold every kind of form a reviewer meets — complete ones, incomplete ones with a
partial total, forms with errors and long 填报状态 lines.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

from formcases import make_case

from perfeval_xl.engine import score_project
from perfeval_xl.form import build_form
from perfeval_xl.kinds.self.plan import funds_for_form
from perfeval_xl.spec import FundsRow, ProjectSpec

DEPARTMENTS = ["区市场监督管理局", "区教育局", "区卫生健康委员会", "区住房和城乡建设局", "区农业农村局", "区交通运输局",
               "区民政局", "区文化和旅游局", "区生态环境分局", "区应急管理局", "区城市管理执法局", "区人力资源和社会保障局"]
TOPICS = ["食品安全抽检监测专项经费", "特种设备安全监察工作经费", "义务教育学校公用经费补助", "基层医疗卫生机构运行补助",
          "老旧小区改造配套资金", "高标准农田建设项目", "农村公路养护专项资金", "城乡低保对象生活补助",
          "公共文化服务体系建设经费", "大气污染防治专项资金", "安全生产监管执法专项", "城市道路照明设施维护经费"]


def spec_of(index: int) -> ProjectSpec:
    case = make_case(index)
    department = DEPARTMENTS[index % len(DEPARTMENTS)]
    case.name = f"{TOPICS[(index * 7) % len(TOPICS)]}（第{index:03d}批）"
    return dataclasses.replace(case.filled_spec(), department=department,
                               unit=department.replace("区", "区属", 1) + f"第{index % 5 + 1}分局")


def form_equivalent(spec: ProjectSpec) -> ProjectSpec:
    """The spec as the form holds it (the funds rows the form derives), for the engine's own total."""
    rows, _ = funds_for_form(spec)
    return dataclasses.replace(spec, funds={k: FundsRow(**v) for k, v in rows.items()})


def _build(index: int, root: str) -> tuple[str, str, str, bool]:
    spec = spec_of(index)
    path = build_form(spec, Path(root) / (spec.department or "") / f"{index:03d}.xlsx").path
    result = score_project(form_equivalent(spec))
    return spec.project, str(path), str(result.total), result.complete


def build_returns(root: Path, count: int) -> dict[str, tuple[Path, Decimal, bool]]:
    """``count`` filled forms under ``root``; project name → (file, the engine's total, complete)."""
    with ProcessPoolExecutor(2) as pool:
        built = list(pool.map(_build, range(count), [str(root)] * count, chunksize=25))
    return {name: (Path(path), Decimal(total), complete) for name, path, total, complete in built}

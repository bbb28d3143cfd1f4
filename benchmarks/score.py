"""How long the engine takes to score a project (40 indicators).

Run: python benchmarks/score.py   (prints figures; no pass/fail)
"""

from __future__ import annotations

import statistics
import time

from perfeval_xl.engine import score_project
from perfeval_xl.profiles import load_rules
from perfeval_xl.spec import spec_from_data


def forty_indicator_project() -> dict:
    rows = []
    plan = [("产出指标", "数量指标", 20, 1.25), ("产出指标", "质量指标", 10, 2.5),
            ("效益指标", "社会效益指标", 6, 5), ("满意度指标", "服务对象满意度指标", 4, 2.5)]
    for level1, level2, count, weight in plan:
        for i in range(count):
            target, actual = ("≥95%", f"{90 + i % 8}%") if i % 3 else (f"{100 + i}次", f"{95 + i}次")
            if level2 == "社会效益指标" and i % 2:
                target, actual = "达成预期指标", "达成"
            rows.append({"level1": level1, "level2": level2, "name": f"{level2}{i}",
                         "target": target, "actual": actual, "weight": weight, "reason": "说明"})
    return {"year": 2020, "project": "基准项目",
            "funds": {"fiscal": {"budget": 439.53, "executed": 357.04}}, "indicators": rows}


def main() -> None:
    spec = spec_from_data(forty_indicator_project())
    rules = load_rules(spec.profile, spec.year)
    assert len(spec.indicators) == 40
    result = score_project(spec, rules)
    assert result.weight_total == 100, result.weight_total
    for _ in range(50):
        score_project(spec, rules)
    timings = []
    for _ in range(2000):
        start = time.perf_counter()
        score_project(spec, rules)
        timings.append(time.perf_counter() - start)
    timings.sort()
    print(f"score_project, 40 indicators, {len(timings)} runs:")
    print(f"  median {statistics.median(timings) * 1000:.3f} ms, "
          f"p95 {timings[int(len(timings) * 0.95)] * 1000:.3f} ms, "
          f"min {timings[0] * 1000:.3f} ms")


if __name__ == "__main__":
    main()

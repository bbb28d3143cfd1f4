"""`perfeval-xl demo`: the whole job on the built-in examples drawn from the seed reports."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datafiles import examples_dir
from .engine import ProjectResult, score_project, to_dict
from .spec import ProjectSpec, Stated, spec_from_text


@dataclass
class DemoOutput:
    """What the demo wrote."""

    results: list[ProjectResult]
    files: list[Path]
    batch: Any = None  # batch.BatchReport: the forms generated from the demo's targets list
    review: Any = None  # consolidate.Consolidated: the filled forms consolidated
    steps: list[str] = field(default_factory=list)  # what the batch and consolidation steps did, in Chinese


def example_names() -> list[str]:
    """The built-in examples (file stems)."""
    return sorted(e.name[:-5] for e in examples_dir().iterdir() if e.name.endswith(".yaml"))


def load_example(name: str) -> ProjectSpec:
    """One built-in example as a ProjectSpec."""
    text = examples_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return spec_from_text(text, f"examples/{name}.yaml")


def run_demo(outdir: Path, export: bool = True) -> DemoOutput:
    """The whole job on the examples, into ``outdir``: score each (JSON), write its 自评表 (filled,
    and blank) and, with ``export``, the attachments of the filled one (PDF, values-only copy,
    report); then, as the finance bureau would, list every example's declared targets
    (绩效目标清单.xlsx), generate the forms to send out from that list (下发/), and consolidate
    the filled forms into one review workbook (汇总.xlsx)."""
    from .batch import generate_batch, write_template
    from .consolidate import consolidate
    from .export import export_form
    from .form import build_form

    outdir.mkdir(parents=True, exist_ok=True)
    results, files, filled_forms, specs = [], [], [], []
    for name in example_names():
        spec = load_example(name)
        specs.append(spec)
        result = score_project(spec)
        results.append(result)
        path = outdir / f"{name}.json"
        path.write_text(json.dumps(to_dict(result), ensure_ascii=False, indent=2), encoding="utf-8")
        files.append(path)
        filled = build_form(spec, outdir / f"{name}-已填写.xlsx").path
        files.append(filled)
        filled_forms.append(filled)
        files.append(build_form(blank(spec), outdir / f"{name}-空白.xlsx").path)
        if export:
            done = export_form(filled, pdf=outdir / f"{name}-已填写.pdf",
                               values=outdir / f"{name}-已填写-数值.xlsx",
                               report=outdir / f"{name}-报告.docx")
            files += [p for p in (done.pdf, done.values, done.report) if p is not None]
    output = DemoOutput(results, files)
    listed = write_template(outdir / "绩效目标清单.xlsx", projects=specs)
    output.batch = generate_batch(listed, outdir / "下发", jobs=1, force=True)
    sent = [output.batch.outdir / o.filename for o in output.batch.outcomes if o.filename]
    files += [listed, *sent, output.batch.manifest]
    output.steps.append(f"绩效目标清单：{len(specs)} 个项目 → 下发/ 中生成 {len(sent)} 份待填写的自评表（清单见 "
                        f"{output.batch.manifest.name}）")
    output.review = consolidate([str(p) for p in filled_forms], outdir / "汇总.xlsx", jobs=1,
                                expected=output.batch.manifest)
    files.append(output.review.output)
    returned = output.review.review.returns
    received = f"对照生成清单已回收 {returned.received} 份，" if returned is not None else ""
    output.steps.append(f"汇总：{output.review.review.projects} 个项目的已填写自评表逐份重新计分 → 汇总.xlsx"
                        f"（{received}{output.review.review.findings} 条错误和警告，见“问题清单”）")
    return output


def blank(spec: ProjectSpec) -> ProjectSpec:
    """The form as the finance bureau sends it: declared targets, nothing filled in."""
    indicators = tuple(
        dataclasses.replace(ind, actual=None, reason="", score=None) for ind in spec.indicators
    )
    return dataclasses.replace(spec, funds={}, goal_actual="", indicators=indicators, stated=Stated())

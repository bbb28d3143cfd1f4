"""`perfeval-xl demo`: the whole job on the built-in examples drawn from the seed reports."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from .datafiles import examples_dir
from .engine import ProjectResult, score_project, to_dict
from .spec import ProjectSpec, Stated, spec_from_text


@dataclass
class DemoOutput:
    """What the demo wrote."""

    results: list[ProjectResult]
    files: list[Path]


def example_names() -> list[str]:
    """The built-in examples (file stems)."""
    return sorted(e.name[:-5] for e in examples_dir().iterdir() if e.name.endswith(".yaml"))


def load_example(name: str) -> ProjectSpec:
    """One built-in example as a ProjectSpec."""
    text = examples_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return spec_from_text(text, f"examples/{name}.yaml")


def run_demo(outdir: Path, export: bool = True) -> DemoOutput:
    """Score every example; write its JSON, its 自评表 (filled, and blank) and, with
    ``export``, the attachments of the filled one (PDF, values-only copy, report) into ``outdir``."""
    from .export import export_form
    from .form import build_form

    outdir.mkdir(parents=True, exist_ok=True)
    results, files = [], []
    for name in example_names():
        spec = load_example(name)
        result = score_project(spec)
        results.append(result)
        path = outdir / f"{name}.json"
        path.write_text(json.dumps(to_dict(result), ensure_ascii=False, indent=2), encoding="utf-8")
        files.append(path)
        filled = build_form(spec, outdir / f"{name}-已填写.xlsx").path
        files.append(filled)
        files.append(build_form(blank(spec), outdir / f"{name}-空白.xlsx").path)
        if export:
            done = export_form(filled, pdf=outdir / f"{name}-已填写.pdf",
                               values=outdir / f"{name}-已填写-数值.xlsx",
                               report=outdir / f"{name}-报告.docx")
            files += [p for p in (done.pdf, done.values, done.report) if p is not None]
    return DemoOutput(results, files)


def blank(spec: ProjectSpec) -> ProjectSpec:
    """The form as the finance bureau sends it: declared targets, nothing filled in."""
    indicators = tuple(
        dataclasses.replace(ind, actual=None, reason="", score=None) for ind in spec.indicators
    )
    return dataclasses.replace(spec, funds={}, goal_actual="", indicators=indicators, stated=Stated())

"""`perfeval-xl demo`: the whole job on the built-in examples drawn from the seed reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .datafiles import examples_dir
from .engine import ProjectResult, score_project, to_dict
from .spec import spec_from_text


@dataclass
class DemoOutput:
    """What the demo wrote."""

    results: list[ProjectResult]
    files: list[Path]


def example_names() -> list[str]:
    """The built-in examples (file stems)."""
    return sorted(e.name[:-5] for e in examples_dir().iterdir() if e.name.endswith(".yaml"))


def load_example(name: str):  # type: ignore[no-untyped-def]
    """One built-in example as a ProjectSpec."""
    text = examples_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return spec_from_text(text, f"examples/{name}.yaml")


def run_demo(outdir: Path) -> DemoOutput:
    """Score every example and write its JSON into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    results, files = [], []
    for name in example_names():
        result = score_project(load_example(name))
        results.append(result)
        path = outdir / f"{name}.json"
        path.write_text(json.dumps(to_dict(result), ensure_ascii=False, indent=2), encoding="utf-8")
        files.append(path)
    return DemoOutput(results, files)

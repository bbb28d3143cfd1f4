"""The README stays true: generated sections are current, and CI runs its test command."""

from pathlib import Path

from perfeval_xl import docgen

ROOT = Path(__file__).parents[1]


def test_generated_readme_sections_are_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docgen.render(readme) == readme, "README.md is stale: run `make docs`"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    marker = "<!-- test-command -->"
    command = readme.split(marker)[1].split("```")[1].strip().splitlines()[-1]
    assert command in ci.splitlines(), f"CI does not run the README's test command {command!r}"

"""Generated parts of README.md: the CLI reference and the table of findings.

``make docs`` rewrites them; tests/test_docs.py fails when they are stale, so the
README cannot drift from ``--help`` and from the engine's codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from .cli import cli
from .findings import CODES, type_name


def cli_reference() -> str:
    """Every command's --help, as Markdown."""
    runner = CliRunner()
    parts = []
    names = ["--help", *[f"{name} --help" for name in sorted(cli.commands)]]
    for args in names:
        result = runner.invoke(cli, args.split(), prog_name="perfeval-xl", terminal_width=100)
        title = "perfeval-xl" if args == "--help" else f"perfeval-xl {args.split()[0]}"
        parts.append(f"### {title}\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def findings_table() -> str:
    """The finding codes and what they mean, as a Markdown table."""
    rows = ["| 代码 code | 问题类型 | 含义 |", "| --- | --- | --- |"]
    rows += [f"| `{code}` | {type_name(code)} | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(rows) + "\n"


SECTIONS = {"cli-reference": cli_reference, "findings": findings_table}


def render(readme: str) -> str:
    """README text with every generated section brought up to date."""
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL
        )
        if not pattern.search(readme):
            raise click.ClickException(f"README.md has no {name} section")
        start, end = pattern.search(readme).span()  # type: ignore[union-attr]
        head = readme[:start] + f"<!-- {name}:start -->\n"
        readme = head + make() + f"<!-- {name}:end -->" + readme[end:]
    return readme


def main() -> None:
    path = Path("README.md")
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()

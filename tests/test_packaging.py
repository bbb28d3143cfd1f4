"""Every package of the library is installed: pyproject's package list cannot drift."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = config["package-dir"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "perfeval_xl").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    found |= {name for name, folder in mapped.items() if (ROOT / folder / "__init__.py").exists()}
    assert found <= listed, f"missing from pyproject.toml: {sorted(found - listed)}"

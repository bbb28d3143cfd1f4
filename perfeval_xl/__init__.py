"""perfeval-xl: the 项目支出绩效自评表 as a spreadsheet that does its own arithmetic.

The library's entry points:

- :func:`load_spec` reads a project spec (YAML/JSON);
- :func:`score_project` scores it under its rule profile;
- :func:`load_rules` resolves a rule profile for an evaluation year.
"""

__version__ = "0.1.0"

from .engine import ProjectResult, score_project, to_dict
from .errors import PerfEvalError
from .profiles import load_rules
from .spec import ProjectSpec, load_spec

__all__ = [
    "PerfEvalError",
    "ProjectResult",
    "ProjectSpec",
    "__version__",
    "load_rules",
    "load_spec",
    "score_project",
    "to_dict",
]

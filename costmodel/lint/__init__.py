"""Design linter: rules with codes (G1–G4, N…, D…), a registry, output formats.

>>> from costmodel.lint import lint_path
>>> [f.code for f in lint_path("specs/mobilenet_v2.yaml")][:1]  # doctest: +SKIP
['G1']
"""

from costmodel.lint.engine import LintOptions, lint_network, lint_path
from costmodel.lint.registry import RULES, Finding, Rule, Threshold

__all__ = ["RULES", "Finding", "Rule", "Threshold", "LintOptions", "lint_network", "lint_path"]

"""Rule families, one module each; importing this package registers every rule.

The import order is the order of the registry, of the docs and of the output.
"""

# isort: off
from costmodel.lint.rules import guidelines  # noqa: F401  (G: ShuffleNetV2's guidelines)
from costmodel.lint.rules import nonlinearity  # noqa: F401  (N: where activations hurt)
from costmodel.lint.rules import deployment  # noqa: F401  (D: runtimes and devices)
from costmodel.lint.rules import latency  # noqa: F401  (L: from a device's latency profile)
# isort: on

__all__: list[str] = []

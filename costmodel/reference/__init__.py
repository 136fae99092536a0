"""PyTorch-free numpy reference forward that counts what it executes.

Independent of the analytic formulas: nothing here imports `costmodel.ops`,
`costmodel.analysis` or sympy (enforced by tests/reference/test_independence.py).
"""

from costmodel.reference import kernels
from costmodel.reference.meter import Counts, Measurement, Meter

__all__ = ["Counts", "Measurement", "Meter", "kernels"]

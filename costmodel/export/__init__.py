"""Export a built network to ONNX (needs the ``onnx`` package: ``pip install 'costmodel[runtime]'``).

:func:`export_network` writes every op through the table in :mod:`costmodel.export.table`,
with the numpy reference forward's seeded weights.
"""

from costmodel.export import table as _table  # noqa: F401  (fills EXPORTERS)
from costmodel.export import table_modern as _table_modern  # noqa: F401
from costmodel.export.builder import (
    EXPORTERS,
    IR_VERSION,
    OPSET,
    Exported,
    LayerContext,
    export_network,
    register_exporter,
)

__all__ = ["EXPORTERS", "IR_VERSION", "OPSET", "Exported", "LayerContext", "export_network",
           "register_exporter"]

"""ONNX → costmodel spec: :func:`import_onnx` reads a model (bounded, one-line errors) and
maps its nodes onto costmodel's own layers, so it is counted with the same formulas;
:func:`import_model` also returns the model's weights for `costmodel check`."""

from costmodel.importer.convert import (
    SUPPORTED,
    Imported,
    image_input,
    import_model,
    import_onnx,
    load_onnx,
    parse_input_shape,
)

__all__ = ["SUPPORTED", "Imported", "image_input", "import_model", "import_onnx", "load_onnx", "parse_input_shape"]

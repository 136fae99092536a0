"""The layer vocabulary (costmodel.spec.layers) is the one list of layer classes: the op
and block registries, the spec union and the numpy reference's runners all name the same
ops (issue 10 item 1)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import get_args

import costmodel
from costmodel.blocks import BLOCKS
from costmodel.ops import OPS
from costmodel.reference.forward import RUNNERS
from costmodel.spec import layers
from costmodel.spec.base import LayerSpec, op_names
from costmodel.spec.layers import LAYER_CLASSES, BlockCall, BlockSpec, BuiltinLayer


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def test_the_union_is_every_op_and_every_block() -> None:
    members = get_args(BuiltinLayer)
    assert len(members) == len(set(members))
    names = [name for cls in members for name in op_names(cls)]
    assert len(names) == len(set(names)), "an op name in two classes"
    assert set(names) == set(OPS) | set(BLOCKS) == set(LAYER_CLASSES)
    assert not set(OPS) & set(BLOCKS)


def test_each_registry_files_an_op_under_its_vocabulary_class() -> None:
    for name, definition in OPS.items():
        assert definition.spec is LAYER_CLASSES[name], name
        assert not issubclass(definition.spec, BlockSpec), name
    for name, block in BLOCKS.items():
        assert block.spec is LAYER_CLASSES[name], name
        assert issubclass(block.spec, BlockSpec), name


def test_the_reference_runs_every_op_and_nothing_else() -> None:
    assert set(RUNNERS) == set(OPS)


def test_no_layer_class_is_declared_outside_the_vocabulary() -> None:
    for module in pkgutil.walk_packages(costmodel.__path__, "costmodel."):
        importlib.import_module(module.name)
    declared = {cls for cls in _subclasses(LayerSpec) if cls.__module__ == layers.__name__}
    assert {cls.__module__ for cls in _subclasses(LayerSpec)} == {layers.__name__}
    assert declared == set(get_args(BuiltinLayer)) | {BlockSpec, BlockCall}

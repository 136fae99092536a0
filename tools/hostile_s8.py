"""Hostile cases of session 8 for tools/hostile_corpus.py (issue 9): exact figures of odd but
valid inputs (a result is correct only if its numbers are), file names that are not UTF-8,
files the user may not read and folders the user may not write, empty ``inputs``, ``first``
overriding what it cannot, and valid ONNX spellings of the test network.

Every figure below is computed by hand in the comment beside it; a refusal is allowed only
where the case says ``any`` (and then one line naming the file). :func:`cases` takes the
hostile_corpus module (it calls back into it), as tools/hostile_generated.py does.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

__all__ = ["cases", "GEOMETRY", "ONNX_FIGURES"]

GEOMETRY = {
    # out ⌊(8 + 10 − 3)/2⌋ + 1 = 8; params 4·3·9 = 108; maccs 8·8·108 = 6,912;
    # mem_access = input 192 + weights 108 + output 256 = 556
    "pad_beyond_kernel": ("[3, 8, 8]", "{op: conv2d, out: 4, kernel: 3, stride: 2, padding: 5}",
                          "0,conv2d,,1x4x8x8,108,6912,556,0,1"),
    # effective kernel 2·(3 − 1) + 1 = 5: out 4; maccs 16·108 = 1,728; mem 192 + 108 + 64
    "dilation": ("[3, 8, 8]", "{op: conv2d, out: 4, kernel: 3, dilation: 2}",
                 "0,conv2d,,1x4x4x4,108,1728,364,0,1"),
    # groups 4: params 12·(8/4)·9 = 216; maccs 64·216 = 13,824; mem 512 + 216 + 768
    "groups": ("[8, 8, 8]", "{op: conv2d, out: 12, kernel: 3, padding: 1, groups: 4}",
               "0,conv2d,,1x12x8x8,216,13824,1496,0,1"),
    # PyTorch: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the last window would start in the padding
    # ((4 − 1)·2 ≥ 5 + 1): 3. mem 75 + 27; elementwise 27 outputs × 4 window elements
    "ceil_mode_drop": ("[3, 5, 5]", "{op: max_pool, kernel: 2, stride: 2, padding: 1, ceil_mode: true}",
                       "0,max_pool,,1x3x3x3,0,0,102,108,1"),
    # (5 − 1)·2 − 2 + (3 − 1) + 1 + 1 = 10; params 4·2·9 = 72; maccs 25 inputs · 72 = 1,800;
    # mem 100 + 72 + 200
    "conv_transpose": ("[4, 5, 5]", "{op: conv_transpose2d, out: 2, kernel: 3, stride: 2, padding: 1, "
                       "output_padding: 1}", "0,conv_transpose2d,,1x2x10x10,72,1800,372,0,1"),
    # PyTorch's windows over 8 for 3 outputs: [0, 3), [2, 6), [5, 8): 3 + 4 + 3 = 10 per axis,
    # 100 per channel summed: elementwise 300; mem 192 + 27
    "adaptive_overlap": ("[3, 8, 8]", "{op: adaptive_avg_pool, size: 3}",
                         "0,adaptive_avg_pool,,1x3x3x3,0,0,219,300,1"),
    # 'same': ⌈7/2⌉ = 4, ⌈9/3⌉ = 3; params 4·3·3·1 = 36; maccs 12·36 = 432; mem 189 + 36 + 48
    "same_rectangular": ("[3, 7, 9]", "{op: conv2d, out: 4, kernel: [3, 1], stride: [2, 3], padding: same}",
                         "0,conv2d,,1x4x4x3,36,432,273,0,1"),
    # kernel = input: 1×1; params = maccs = 4·3·64 = 768; mem 192 + 768 + 4
    "kernel_is_input": ("[3, 8, 8]", "{op: conv2d, out: 4, kernel: 8}", "0,conv2d,,1x4x1x1,768,768,964,0,1"),
    # a 1×1 input padded to 3×3: out 1; maccs 108; mem 3 + 108 + 4
    "one_pixel": ("[3, 1, 1]", "{op: conv2d, out: 4, kernel: 3, padding: 1}", "0,conv2d,,1x4x1x1,108,108,115,0,1"),
}
"""One-layer specs of unusual geometry → input, layer, and the CSV row ``report --format csv``
must print (name, op, block, output shape, params, maccs, mem_access, elementwise, fragments)."""

SPLIT_ADD = ("  - {name: s, op: split, sections: [1, 5]}\n"
             "  - {name: a, op: conv2d, out: 5, kernel: 1, inputs: 's:0'}\n"
             "  - {op: add, inputs: [a, 's:1']}\n")
"""6×4×4 split into 1 and 5 channels; the 1 widened to 5 by a 1×1 conv and added to the 5."""
SPLIT_ADD_ROWS = ("s,split,,1x1x4x4;1x5x4x4,0,0,192,0,1",  # read 96 + write 96; two shapes, not one
                  "a,conv2d,,1x5x4x4,5,80,101,0,1",         # params 5, maccs 16·5, mem 16 + 5 + 80
                  "2,add,,1x5x4x4,0,0,240,80,1",            # 80 + 80 read, 80 written
                  "total,,,,5,80,533,80,3")

ONNX_FIGURES: dict[str, tuple[str, tuple[str, ...]]] = {
    # valid spellings of hostile_onnx's network (118 params, 6,920 maccs)
    "inits_as_inputs": ("ok", ("118", "6,920")), "empty_optional_bias": ("ok", ("118", "6,920")),
    "fp16": ("ok", ("118", "6,920")), "fp16_weights_fp32_input": ("any", ("118", "6,920")),
    "bf16_input": ("any", ("118", "6,920")), "unused_initializer": ("ok", ("118", "6,920")),
    "identity": ("ok", ("118", "6,920")), "gemm_transb0": ("ok", ("118", "6,920")),
    "lying_value_info": ("ok", ("118", "6,920")), "lying_output": ("ok", ("118", "6,920")),
    "no_kernel_shape": ("ok", ("118", "6,920")), "sparse_unused": ("ok", ("118", "6,920")),
    "dilation2_pad2": ("ok", ("118", "6,920")),          # effective kernel 5, pads 2: 8×8 still
    "conv_bias": ("ok", ("122", "6,920")),               # + 4 biases
    "depthwise3": ("ok", ("35", "1,734")),               # 3·9 + 2·3 + 2; 3·64·9 + 6
    # counted right or refused: the output sizes ONNX gives these
    "asym_pads": ("any", ("conv,conv2d,,1x4x7x7,108,5292",)),       # 8 + 0 + 1 − 3 + 1 = 7
    "tf_same_pads_s2": ("ok", ("conv,conv2d,,1x4x4x4,108,1728",)),  # ⌊(8 + 1 − 3)/2⌋ + 1 = 4 = ⌈8/2⌉
    "maxpool_asym_pads": ("any", ("mp,max_pool,,1x4x7x7",)),
    "avgpool_exclude_pad_k5": ("any", ("ap,avg_pool,,1x4x6x6",)),  # 8 + 2 − 5 + 1 = 6
    "same_upper_s2": ("any", ("conv,conv2d,,1x4x4x4,108,1728",)),  # ⌈8/2⌉ = 4
    "same_lower_s2": ("any", ("conv,conv2d,,1x4x4x4,108,1728",)),
    "valid_auto_pad": ("any", ("conv,conv2d,,1x4x6x6,108,3888",)),  # 8 − 3 + 1 = 6
    "dead_node": ("any", ("conv,conv2d,,1x4x8x8,108,6912",)),
    "reversed_nodes": ("any", ("conv,conv2d,,1x4x8x8,108,6912",)),
    "initializer_shadows_input": ("any", ()),
    "loop_subgraph": ("any", ()), "local_function": ("any", ()),
    "conv1d": ("error", ()), "input_no_shape": ("error", ()),
}
"""Model name → expectation and the figures (``report --format csv`` for rows, else the
table's totals) it must print on success."""


def _onnx_models(corpus: ModuleType) -> dict[str, bytes]:
    """The models of :data:`ONNX_FIGURES`, serialized (built from hostile_onnx's network)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    h = corpus._hostile_onnx()
    found: dict[str, Any] = {}

    def model(name: str, **kwargs: Any) -> Any:
        found[name] = h._model(**kwargs)
        return found[name]

    def replace_init(m: Any, name: str, tensor: Any) -> None:
        for index, old in enumerate(m.graph.initializer):
            if old.name == name:
                m.graph.initializer[index].CopyFrom(tensor)

    m = model("inits_as_inputs")
    m.graph.input.extend(helper.make_tensor_value_info(t.name, TensorProto.FLOAT, list(t.dims))
                         for t in m.graph.initializer)
    m.ir_version = 3
    model("empty_optional_bias").graph.node[0].input.append("")
    for name, elem_type in (("fp16", TensorProto.FLOAT16), ("fp16_weights_fp32_input", TensorProto.FLOAT)):
        m = model(name, elem_type=elem_type)  # the second breaks ONNX's typing rules (T bound twice)
        m.graph.output[0].type.tensor_type.elem_type = TensorProto.FLOAT16
        for tensor in list(m.graph.initializer):
            replace_init(m, tensor.name, numpy_helper.from_array(
                numpy_helper.to_array(tensor).astype(np.float16), tensor.name))
    model("bf16_input", elem_type=TensorProto.BFLOAT16)
    model("unused_initializer").graph.initializer.append(h._weights([1000, 1000], "unused"))
    m = model("identity")
    m.graph.node[1].input[0] = "i1"
    m.graph.node.insert(1, helper.make_node("Identity", ["c"], ["i1"], name="id"))
    m = model("gemm_transb0")
    m.graph.node[4].ClearField("attribute")
    replace_init(m, "fc", h._weights([4, 2], "fc"))
    model("lying_value_info").graph.value_info.append(
        helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 4, 100, 100]))
    model("lying_output").graph.output[0].type.tensor_type.shape.dim[1].dim_value = 7
    model("no_kernel_shape", conv={"kernel_shape": None})
    model("sparse_unused").graph.sparse_initializer.append(helper.make_sparse_tensor(
        numpy_helper.from_array(np.array([1.0], np.float32), "sv"),
        numpy_helper.from_array(np.array([0], np.int64), "si"), [2, 4]))
    model("dilation2_pad2", conv={"dilations": [2, 2], "pads": [2, 2, 2, 2]})
    m = model("conv_bias")
    m.graph.node[0].input.append("cb")
    m.graph.initializer.append(h._weights([4], "cb"))
    m = model("depthwise3", conv={"group": 3}, weight=h._weights([3, 1, 3, 3], "w"))
    replace_init(m, "fc", h._weights([2, 3], "fc"))
    model("asym_pads", conv={"pads": [0, 0, 1, 1]})
    model("tf_same_pads_s2", conv={"pads": [0, 0, 1, 1], "strides": [2, 2]})
    for name, node in (("maxpool_asym_pads", helper.make_node("MaxPool", ["a"], ["p0"], name="mp", kernel_shape=[3, 3],
                                                              pads=[0, 0, 1, 1])),
                       ("avgpool_exclude_pad_k5", helper.make_node("AveragePool", ["a"], ["p0"], name="ap",
                                                                   kernel_shape=[5, 5], pads=[1, 1, 1, 1]))):
        m = model(name)
        m.graph.node[2].CopyFrom(node)
        m.graph.node.insert(3, helper.make_node("GlobalAveragePool", ["p0"], ["p"], name="pool"))
    model("same_upper_s2", conv={"pads": None, "auto_pad": "SAME_UPPER", "strides": [2, 2]})
    model("same_lower_s2", conv={"pads": None, "auto_pad": "SAME_LOWER", "strides": [2, 2]})
    model("valid_auto_pad", conv={"pads": None, "auto_pad": "VALID"})
    model("dead_node").graph.node.append(helper.make_node("Relu", ["c"], ["dead"], name="dead"))
    m = model("reversed_nodes")
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes[::-1])
    model("initializer_shadows_input").graph.initializer.append(h._weights([1, 3, 8, 8], "x"))
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]), helper.make_node("Relu", ["v_in"], ["v_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("v_in", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", TensorProto.FLOAT, None)])
    m = model("loop_subgraph", extra_inits=[h._scalar("trip", 3), numpy_helper.from_array(np.array(True), "cond")])
    m.graph.node[1].CopyFrom(helper.make_node("Loop", ["trip", "cond", "c"], ["a"], name="loop", body=body))
    m = model("local_function")
    m.graph.node[1].op_type, m.graph.node[1].domain = "MyRelu", "local"
    m.opset_import.append(helper.make_opsetid("local", 1))
    m.functions.append(helper.make_function("local", "MyRelu", ["X"], ["Y"], [helper.make_node("Relu", ["X"], ["Y"])],
                                            [helper.make_opsetid("", 17)]))
    model("conv1d", input_dims=[1, 3, 8], conv={"kernel_shape": [3], "pads": [1, 1]}, weight=h._weights([4, 3, 3], "w"))
    model("input_no_shape").graph.input[0].type.tensor_type.ClearField("shape")
    return {name: m.SerializeToString() for name, m in found.items()}


def _exact(corpus: ModuleType) -> Iterator[Any]:
    """Odd but valid specs and models: every figure right (or, where allowed, one line)."""
    for name, (input_, layer, row) in GEOMETRY.items():
        text = corpus.one(layer, input_=input_)
        yield corpus.Case(f"s8_exact/{name}/report", ["report", "s.yaml", "--format", "csv"], {"s.yaml": text},
                          expect="ok", figures=(row,))
        yield corpus.Case(f"s8_exact/{name}/check", ["check", "s.yaml"], {"s.yaml": text}, expect="ok",
                          figures=("agree",))
    yield corpus.Case("s8_exact/split_add/report", ["report", "s.yaml", "--format", "csv"],
                      {"s.yaml": corpus.spec(SPLIT_ADD, input_="[6, 4, 4]")}, expect="ok", figures=SPLIT_ADD_ROWS)
    for name, blob in _onnx_models(corpus).items():
        expect, figures = ONNX_FIGURES[name]
        rows = bool(figures) and "," in figures[0] and not figures[0][0].isdigit()
        argv = ["report", "m.onnx", *(["--format", "csv"] if rows else [])]
        yield corpus.Case(f"s8_onnx/{name}/report", argv, {"m.onnx": blob}, expect=expect, figures=figures)
        if expect == "ok" or name.startswith(("fp16", "bf16")):  # onnxruntime refuses the latter two
            yield corpus.Case(f"s8_onnx/{name}/check", ["check", "m.onnx"], {"m.onnx": blob}, expect=expect,
                              figures=("agree",))


BAD_NAME = "\udcff\udcfe.yaml"
"""A file name that is not UTF-8 (bytes ff fe), as Python decodes it (``os.fsdecode``)."""
SHOWN = "\\udcff\\udcfe.yaml"
"""How an error line shows it."""


def _file_names(corpus: ModuleType) -> Iterator[Any]:
    """A spec (or output, or zoo member) whose file name is not UTF-8, under the default
    locale and under strict UTF-8 output (``PYTHONIOENCODING=utf-8``): counted, or one line."""
    base, bad_yaml = corpus.BASE, "model: [\n"
    runs: list[tuple[str, list[str], dict[str, Any], str, tuple[str, ...]]] = [
        ("report", ["report", BAD_NAME], {BAD_NAME: base}, "ok", corpus.BASE_FIGURES),
        ("report_bad", ["report", BAD_NAME], {BAD_NAME: bad_yaml}, "error", ()),
        ("report_json", ["report", BAD_NAME, "--format", "json"], {BAD_NAME: base}, "ok", ('"params": 634',)),
        ("lint", ["lint", BAD_NAME], {BAD_NAME: base}, "ok", ()),
        ("check", ["check", BAD_NAME], {BAD_NAME: base}, "ok", ("634",)),
        ("sweep", ["sweep", BAD_NAME, "--width", "1,2", "--format", "csv"], {BAD_NAME: base}, "ok", ("1258",)),
        ("diff", ["diff", BAD_NAME, "s.yaml"], {BAD_NAME: base, "s.yaml": base}, "ok", ()),
        ("export", ["export", BAD_NAME, "-o", "e.onnx"], {BAD_NAME: base}, "ok", ("634 params",)),
        ("export_to", ["export", "s.yaml", "-o", "\udcff.onnx"], {"s.yaml": base}, "ok", ("634 params",)),
        ("transform_to", ["transform", "s.yaml", "--fold-bn", "-o", "\udcff.yaml"], {"s.yaml": base}, "ok", ()),
        ("zoo_member", ["zoo", "--specs", "zs", "--output", "-"], {"zs/" + BAD_NAME: base}, "ok", ("634",)),
        ("zoo_member_file", ["zoo", "--specs", "zs", "--output", "z.md"], {"zs/" + BAD_NAME: base}, "ok", ()),
        ("zoo_member_json", ["zoo", "--specs", "zs", "--output", "-", "--format", "json"],
         {"zs/" + BAD_NAME: base}, "ok", ("634",)),
        ("zoo_member_bad", ["zoo", "--specs", "zs", "--output", "-"], {"zs/" + BAD_NAME: bad_yaml}, "error", ()),
        ("latency", ["report", "s.yaml", "--latency", "\udcff.json"], {"s.yaml": base}, "error", ()),
        ("space", ["space", BAD_NAME], {BAD_NAME: corpus.SPACE_TEXT}, "ok", ()),
    ]
    for name, argv, files, expect, figures in runs:
        for encoding in ("", "utf-8"):
            yield corpus.Case(f"s8_fsname/{name}/{encoding or 'locale'}", argv, files, expect=expect,
                              names=f"{SHOWN}|\\udcff|zs", figures=figures, env={"PYTHONIOENCODING": encoding}
                              if encoding else {}, outputs=("e.onnx", "\udcff.onnx", "\udcff.yaml", "z.md"))


def _permissions(corpus: ModuleType) -> Iterator[Any]:
    """Files the user may not read and folders the user may not write (the corpus runs
    these without root's override of permissions): one line naming the path, nothing
    written."""
    base, space = corpus.BASE, corpus.SPACE_TEXT
    valid_onnx = corpus._hostile_onnx().serialized(corpus._hostile_onnx().models()["valid"])
    unreadable = {"s.yaml": 0}
    locked = {"ro": 0o555}
    for name, (argv, files, modes, names) in {
        "report": (["report", "s.yaml"], {"s.yaml": base}, unreadable, "s.yaml"),
        "lint": (["lint", "s.yaml"], {"s.yaml": base}, unreadable, "s.yaml"),
        "check": (["check", "s.yaml"], {"s.yaml": base}, unreadable, "s.yaml"),
        "sweep": (["sweep", "s.yaml", "--width", "1"], {"s.yaml": base}, unreadable, "s.yaml"),
        "transform": (["transform", "s.yaml", "--fold-bn"], {"s.yaml": base}, unreadable, "s.yaml"),
        "export": (["export", "s.yaml", "-o", "e.onnx"], {"s.yaml": base}, unreadable, "s.yaml"),
        "space": (["space", "s.yaml"], {"s.yaml": space}, unreadable, "s.yaml"),
        "diff_b": (["diff", "b.yaml", "s.yaml"], {"s.yaml": base, "b.yaml": base}, unreadable, "s.yaml"),
        "onnx": (["report", "m.onnx"], {"m.onnx": valid_onnx}, {"m.onnx": 0}, "m.onnx"),
        "import": (["import", "m.onnx", "-o", "o.yaml"], {"m.onnx": valid_onnx}, {"m.onnx": 0}, "m.onnx"),
        "latency": (["report", "b.yaml", "--latency", "d.json"], {"b.yaml": base, "d.json": "{}"},
                    {"d.json": 0}, "d.json"),
        "zoo_member": (["zoo", "--specs", "zs", "--output", "-"], {"zs/a.yaml": base, "zs/s.yaml": base},
                       {"zs/s.yaml": 0}, "zs/s.yaml"),
        "zoo_folder": (["zoo", "--specs", "zs", "--output", "-"], {"zs/a.yaml": base}, {"zs": 0}, "zs"),
        "zoo_notes": (["zoo", "--specs", "zs", "--notes", "n", "--output", "-"],
                      {"zs/a.yaml": base, "n/tiny.md": "note\n"}, {"n": 0}, "n"),
        "zoo_note": (["zoo", "--specs", "zs", "--notes", "n", "--output", "-"],
                     {"zs/a.yaml": base, "n/tiny.md": "note\n"}, {"n/tiny.md": 0}, "n/tiny.md"),
        "transform_to": (["transform", "s.yaml", "--fold-bn", "-o", "ro/x.yaml"], {"s.yaml": base, "ro": corpus.FOLDER},
                         locked, "ro/x.yaml"),
        "export_to": (["export", "s.yaml", "-o", "ro/x.onnx"], {"s.yaml": base, "ro": corpus.FOLDER}, locked, "ro/x.onnx"),
        "import_to": (["import", "m.onnx", "-o", "ro/x.yaml"], {"m.onnx": valid_onnx, "ro": corpus.FOLDER}, locked,
                      "ro/x.yaml"),
        "schema_to": (["schema", "-o", "ro/x.json"], {"ro": corpus.FOLDER}, locked, "ro/x.json"),
        "zoo_to": (["zoo", "--specs", "zs", "--output", "ro/z.md"], {"zs/a.yaml": base, "ro": corpus.FOLDER}, locked,
                   "ro/z.md"),
        "plot_to": (["sweep", "s.yaml", "--width", "1,2", "--plot", "ro/p.png"], {"s.yaml": base, "ro": corpus.FOLDER},
                    locked, "ro/p.png"),
        "space_out": (["space", "s.yaml", "--sample", "1", "--out", "ro/x.yaml"], {"s.yaml": space, "ro": corpus.FOLDER},
                      locked, "ro/x.yaml"),
        "extremes": (["space", "s.yaml", "--write-extremes", "ro/ex"], {"s.yaml": space, "ro": corpus.FOLDER}, locked,
                     "ro/ex"),
        "calibrate_to": (["calibrate", "--points", "2", "--rounds", "1", "-o", "ro/p.json"], {"ro": corpus.FOLDER},
                         locked, "ro/p.json"),
    }.items():
        yield corpus.Case(f"s8_perm/{name}", argv, files, names=names, modes=modes)


def _graphs(corpus: ModuleType) -> Iterator[Any]:
    """``inputs: []`` for every kind of layer (an op of one, of several inputs, a built-in
    block, a user block); ``first`` setting what a copy cannot have; names that collide
    with generated ones."""
    block = "blocks: {blk: {layers: [{op: relu}]}}\n"
    for name, layer in (("concat", "{op: concat, inputs: []}"), ("add", "{op: add, inputs: []}"),
                        ("relu", "{op: relu, inputs: []}"), ("builtin_block", "{op: inverted_residual, out: 3, "
                                                                              "inputs: []}"),
                        ("user_block", "{op: blk, inputs: []}"), ("matmul", "{op: matmul, inputs: []}")):
        yield corpus.Case(f"s8_graph/inputs_empty/{name}", ["report", "s.yaml"],
                          {"s.yaml": corpus.spec(f"  - {layer}\n", input_="[3, 8, 8]", extra=block)})
    for key in ("repeat: 5", "first: {stride: 2}", "name: b", "choices: {kernel: [1, 3]}"):
        yield corpus.Case(f"s8_graph/first_sets/{key.split(':')[0]}", ["report", "s.yaml"], {"s.yaml": corpus.one(
            f"{{name: a, op: conv2d, out: 4, kernel: 1, repeat: 2, first: {{{key}}}}}", input_="[3, 8, 8]")})
    for name, layers in (("position_name", "  - {op: relu}\n  - {name: '0', op: relu6}\n"),
                         ("input_name", "  - {name: input, op: relu}\n"),
                         ("child_name", "  - {name: x, op: conv_bn_act, out: 4, kernel: 1}\n"
                                        "  - {name: x.conv, op: relu}\n"),
                         ("copy_name", "  - {name: x, op: relu, repeat: 2}\n  - {name: x.1, op: relu6}\n")):
        yield corpus.Case(f"s8_graph/name_twice/{name}", ["report", "s.yaml"],
                          {"s.yaml": corpus.spec(layers, input_="[3, 8, 8]")})


def cases(corpus: ModuleType) -> Iterator[Any]:
    """Every session-8 case (hostile_corpus's ``Case`` objects)."""
    yield from _exact(corpus)
    yield from _file_names(corpus)
    yield from _permissions(corpus)
    yield from _graphs(corpus)

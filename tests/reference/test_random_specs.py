"""Hypothesis draws random valid specs — chains, residual adds, concats and splits, grouped
and depthwise convs, odd sizes, strides, paddings, dilations, pools, blocks — and the
analytic counts equal the measured ones on every node.

A spec is grown layer by layer; each layer's fields are drawn to fit the shapes the
builder inferred for the layers before it, so every drawn spec is valid.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costmodel.arith import as_int
from costmodel.check import check_network
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import parse_spec

ACTIVATIONS = ["relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "swish", "silu", "gelu",
               "leaky_relu", "identity"]


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def conv_layer(draw, c, h, w):
    groups = draw(st.sampled_from(divisors(c)))
    depthwise = groups == c and draw(st.booleans())
    out = c if depthwise and draw(st.booleans()) else groups * draw(st.integers(1, max(1, 8 // groups)))
    kernel = [draw(st.integers(1, 4)), draw(st.integers(1, 4))]
    dilation = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    padding = draw(st.sampled_from(["same", "valid", "pair", "int"]))
    if padding == "pair":
        padding = [draw(st.integers(0, 2)), draw(st.integers(0, 2))]
    elif padding == "int":
        padding = draw(st.integers(0, 2))
    pads = {"same": [10, 10], "valid": [0, 0]}.get(padding) if isinstance(padding, str) else (
        padding if isinstance(padding, list) else [padding, padding])
    # one window must fit in the padded input: d·(k − 1) + 1 ≤ size + 2p
    for axis, size in enumerate((h, w)):
        while dilation[axis] * (kernel[axis] - 1) + 1 > size + 2 * pads[axis]:
            kernel[axis] -= 1 if kernel[axis] > 1 else 0
            dilation[axis] = 1
    layer = {"op": "conv2d", "kernel": kernel if kernel[0] != kernel[1] else kernel[0],
             "stride": [draw(st.integers(1, 3)), draw(st.integers(1, 2))],
             "padding": padding, "dilation": dilation, "bias": draw(st.booleans())}
    if depthwise:
        layer["depthwise"] = True
        if out != c:
            layer["out"] = out
    else:
        layer.update(out=out, groups=groups)
    return layer


def pool_layer(draw, c, h, w):
    kernel = [draw(st.integers(1, min(3, h))), draw(st.integers(1, min(3, w)))]
    return {"op": draw(st.sampled_from(["max_pool", "avg_pool"])), "kernel": kernel,
            "stride": [draw(st.integers(1, 2)), draw(st.integers(1, 3))],
            "padding": [draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2))],
            "ceil_mode": draw(st.booleans())}


def next_layer(draw, tensors):
    """A layer reading the latest tensor, and sometimes earlier ones of a fitting shape."""
    ref, (n, c, h, w) = tensors[-1]
    same = [r for r, shape in tensors[:-1] if shape == (n, c, h, w)]
    same_hw = [r for r, shape in tensors[:-1] if shape[2:] == (h, w) and shape[0] == n]
    kind = draw(st.sampled_from(["conv", "conv", "conv", "bn", "act", "pool", "add", "concat",
                                 "split", "shuffle", "mul", "conv_bn_act", "inverted_residual",
                                 "norm", "pad", "slice", "resize", "adaptive", "deconv"]))
    if kind == "conv":
        return conv_layer(draw, c, h, w)
    if kind == "pool":
        return pool_layer(draw, c, h, w)
    if kind == "bn":
        return {"op": "batchnorm"}
    if kind == "act":
        return {"op": draw(st.sampled_from(ACTIVATIONS))}
    if kind == "add":
        others = draw(st.lists(st.sampled_from(same or [ref]), min_size=1, max_size=2))
        return {"op": "add", "inputs": [ref, *others]}
    if kind == "concat":
        others = st.lists(st.sampled_from(same_hw or [ref]), min_size=1, max_size=2)
        return {"op": "concat", "inputs": [ref, *draw(others)]}
    if kind == "split" and c > 1:
        if draw(st.booleans()):
            return {"op": "split", "parts": draw(st.sampled_from(divisors(c)[1:]))}
        first = draw(st.integers(1, c - 1))
        return {"op": "split", "sections": [first, c - first]}
    if kind == "shuffle":
        return {"op": "shuffle", "groups": draw(st.sampled_from(divisors(c)))}
    if kind == "mul":
        return {"op": "mul", "inputs": [ref, draw(st.sampled_from(same or [ref]))]}
    if kind == "conv_bn_act":
        layer = conv_layer(draw, c, h, w)
        layer.update(op="conv_bn_act", act=draw(st.sampled_from([*ACTIVATIONS, "none"])))
        if draw(st.booleans()):
            del layer["padding"]  # the block's default d·(k−1)/2
        return layer
    if kind == "norm":
        return draw(st.sampled_from([{"op": "layernorm"}, {"op": "softmax", "axis": 1},
                                     {"op": "softmax"}, {"op": "groupnorm",
                                                         "groups": draw(st.sampled_from(divisors(c)))}]))
    if kind == "pad":
        return {"op": "pad", "padding": [draw(st.integers(0, 2)) for _ in range(4)],
                "mode": draw(st.sampled_from(["constant", "replicate"]))}
    if kind == "slice":
        start = draw(st.integers(0, c - 1))
        return {"op": "slice", "start": start, "stop": draw(st.integers(start + 1, c))}
    if kind == "resize":
        size = {"scale": [draw(st.integers(1, 3)), draw(st.integers(1, 2))]} if draw(st.booleans()) else {
            "size": [draw(st.integers(1, 15)), draw(st.integers(1, 15))]}
        mode = draw(st.sampled_from(["nearest", "bilinear"]))
        corners = {"align_corners": draw(st.booleans())} if mode == "bilinear" else {}
        return {"op": "resize", "mode": mode, **size, **corners}
    if kind == "adaptive":
        return {"op": "adaptive_avg_pool", "size": [draw(st.integers(1, h)), draw(st.integers(1, w))]}
    if kind == "deconv":
        groups = draw(st.sampled_from(divisors(c)))
        stride = draw(st.integers(1, 3))
        return {"op": "conv_transpose2d", "out": groups * draw(st.integers(1, 3)), "groups": groups,
                "kernel": draw(st.integers(1, 4)), "stride": stride, "padding": draw(st.integers(0, 1)),
                "output_padding": draw(st.integers(0, stride - 1)), "bias": draw(st.booleans())}
    if kind == "inverted_residual" and h >= 3 and w >= 3:
        return {"op": "inverted_residual", "out": draw(st.sampled_from([c, c + 2])),
                "expansion": draw(st.sampled_from([1, 2, "3/2"])), "stride": draw(st.integers(1, 2))}
    return {"op": "batchnorm"}


def outputs(network, name):
    return [(f"{name}:{k}" if k else name, tuple(as_int(s) for s in shape))
            for k, shape in enumerate(network.nodes[name].outputs)] if name in network.nodes else []


@st.composite
def specs(draw):
    spec = {"model": "random", "batch": draw(st.integers(1, 2)),
            "input": [draw(st.integers(1, 6)), draw(st.integers(1, 13)), draw(st.integers(1, 13))],
            "layers": []}
    network = build(parse_spec({**spec, "layers": [{"op": "identity", "name": "start"}]}))
    tensors = outputs(network, "start")
    for index in range(draw(st.integers(1, 8))):
        layer = {"name": f"l{index}", **next_layer(draw, tensors)}
        candidate = {**spec, "layers": [*spec["layers"], layer]}
        try:
            network = build(parse_spec(candidate))
        except SpecError:  # e.g. the block default padding leaves no output: skip this layer
            continue
        spec = candidate
        last = network.output[0]
        tensors += outputs(network, layer["name"]) or [(layer["name"], tuple(
            as_int(s) for s in network.nodes[last].outputs[0]))]
    if draw(st.booleans()):
        spec["layers"] += [{"op": "global_avg_pool"}, {"op": "flatten"},
                           {"op": "dropout"}, {"op": "linear", "out": draw(st.integers(1, 5)),
                                               "bias": draw(st.booleans())}]
    return spec


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_random_specs_agree_exactly(spec):
    if not spec["layers"]:
        spec["layers"] = [{"op": "relu"}]
    result = check_network(build(parse_spec(spec)))
    assert [] == [str(d) for d in result.disagreements]

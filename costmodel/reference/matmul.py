"""Reference batched matrix product (attention's Q·Kᵀ and A·V) through `Meter.contract`."""

from __future__ import annotations

import string

import numpy as np

from costmodel.reference.meter import Meter

__all__ = ["matmul", "attention_bias", "relative_offsets"]


def matmul(meter: Meter, a: np.ndarray, b: np.ndarray, transpose_b: bool = False,
           scale: float | None = None) -> np.ndarray:
    """a[…, M, K] · b[…, K, N] (b[…, N, K] with `transpose_b`), batch axes equal or 1.

    A batch axis of extent 1 in one operand is dropped from its subscripts, so the
    contraction broadcasts it: maccs = ∏ batch · M·K·N. `scale` multiplies the product in
    place (a GEMM's α).

    Raises:
        ValueError: ranks differ or batch axes do not broadcast.
    """
    if a.ndim != b.ndim or a.ndim < 2:
        raise ValueError(f"matmul: operands of ranks {a.ndim} and {b.ndim}")
    letters = iter(string.ascii_letters[:-3])  # x, y, z are reserved for M, K, N
    sub_a: list[str] = []
    sub_b: list[str] = []
    sub_out: list[str] = []
    squeeze_a: list[int] = []
    squeeze_b: list[int] = []
    for axis, (x, y) in enumerate(zip(a.shape[:-2], b.shape[:-2])):
        if x != y and 1 not in (x, y):
            raise ValueError(f"matmul: batch extents {x} and {y} do not broadcast")
        letter = next(letters)
        sub_out.append(letter)
        if x == y or y == 1:
            sub_a.append(letter)
        if x == y or x == 1:
            sub_b.append(letter)
        if x != y:
            (squeeze_a if x == 1 else squeeze_b).append(axis)
    a = np.squeeze(meter.load(a), axis=tuple(squeeze_a))
    b = np.squeeze(meter.load(b), axis=tuple(squeeze_b))
    right = "zy" if transpose_b else "yz"
    spec = f"{''.join(sub_a)}xy,{''.join(sub_b)}{right}->{''.join(sub_out)}xz"
    y = meter.contract(spec, a, b)
    if scale is not None:
        y = np.multiply(y, np.asarray(scale, y.dtype), out=y)
    return meter.store(y)


def relative_offsets(rows: int, cols: int, stride: int = 1) -> np.ndarray:
    """[L_q, L] index of the offset between query i, taken every ``stride`` positions, and
    key j of a rows×cols grid (row-major): |r_i − r_j|·cols + |c_i − c_j| (timm
    ``efficientformer.Attention.attention_bias_idxs``; ``levit.AttentionDownsample``'s
    ``attention_bias_idxs`` with its stride)."""
    r, c = np.divmod(np.arange(rows * cols), cols)
    grid = np.meshgrid(np.arange(0, rows, stride), np.arange(0, cols, stride), indexing="ij")
    qr, qc = (axis.reshape(-1) for axis in grid)
    return np.abs(qr[:, None] - r[None, :]) * cols + np.abs(qc[:, None] - c[None, :])


def attention_bias(meter: Meter, scores: np.ndarray, table: np.ndarray,
                   resolution: tuple[int, int], stride: int = 1) -> np.ndarray:
    """scores[N, h, L_q, L] + table[h, offset(i, j)]: the bias gathered per query–key pair
    is read like an operand (heads·L_q·L), one add per score.

    Raises:
        ValueError: L_q × L is not the grid's queries × positions.
    """
    _, heads, queries, keys = scores.shape
    offsets = relative_offsets(*resolution, stride)
    if (queries, keys) != offsets.shape:
        raise ValueError(f"attention_bias: scores {queries}×{keys} on a "
                         f"{resolution[0]}×{resolution[1]} grid at stride {stride}")
    gathered = table[:, offsets]
    return meter.store(meter.apply(np.add, meter.load(scores), meter.load(gathered)))

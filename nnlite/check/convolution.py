"""Checkers for chapter 7, convolution and pooling: a 1-D convolution, max pooling, the output length
of a convolution."""

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise


def conv1d(student):
    """Check ``conv1d(x, w)``: valid cross-correlation (no kernel flip) of x (L,) with w (k,) -> (L - k + 1,)."""
    ex = Exercise("conv1d(x, w)", ref.conv1d,
                  hint="slide the kernel along x; at each position multiply the window by the kernel and sum.",
                  shape_hint="a valid convolution has one output per position where the whole kernel fits "
                             "inside x: L - k + 1 of them.",
                  mistakes=[
                      ("you flipped the kernel (that is convolution in the signal-processing sense, like "
                       "np.convolve); neural-network layers compute cross-correlation: no flip.",
                       lambda x, w: np.convolve(x, w, mode="valid")),
                      ("off by a factor of k: sum the products in each window, don't average them.",
                       lambda x, w: ref.conv1d(x, w) / len(w)),
                      ("one window short: the last window starts at L - k, so there are L - k + 1 of them.",
                       lambda x, w: ref.conv1d(x, w)[:-1]),
                      ("only windows that fit entirely inside x: no padding ('valid').",
                       lambda x, w: np.correlate(x, w, mode="same")),
                      ("only windows that fit entirely inside x: no padding ('valid').",
                       lambda x, w: np.correlate(x, w, mode="full")),
                      ("sum the products in each window: multiply elementwise, then add.",
                       lambda x, w: np.array([np.prod(x[i:i + len(w)] * w) for i in range(len(x) - len(w) + 1)])),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, 2.0, 3.0, 4.0, 6.0]), np.array([1.0, 0.0, -2.0])),
        ex.case(rng.normal(size=12), rng.normal(size=4)),
        ex.case(rng.normal(size=6), np.array([2.0])),
        ex.case(rng.normal(size=5), rng.normal(size=5)),
    ])


def maxpool1d(student):
    """Check ``maxpool1d(x, k)``: the maximum of each non-overlapping window of size k -> (L // k,)."""
    ex = Exercise("maxpool1d(x, k)", ref.maxpool1d,
                  hint="split x into consecutive windows of k entries and keep the largest entry of each.",
                  shape_hint="non-overlapping windows of size k: L // k outputs (a leftover shorter than k is dropped).",
                  mistakes=[
                      ("that is average pooling: keep the largest entry of each window.",
                       lambda x, k: x[:len(x) // k * k].reshape(-1, k).mean(axis=1)),
                      ("that keeps the smallest entry: max pooling keeps the largest.",
                       lambda x, k: x[:len(x) // k * k].reshape(-1, k).min(axis=1)),
                      ("the windows don't overlap: move by k (the stride is the window size), not by 1.",
                       lambda x, k: np.array([x[i:i + k].max() for i in range(len(x) - k + 1)])),
                      ("drop the leftover at the end: only full windows count (L // k of them).",
                       lambda x, k: np.array([x[i:i + k].max() for i in range(0, len(x), k)])),
                      ("keep the largest value, not the largest magnitude (negative numbers stay negative).",
                       lambda x, k: np.array([x[i:i + k][np.argmax(np.abs(x[i:i + k]))]
                                              for i in range(0, len(x) // k * k, k)])),
                      ("max pooling keeps one value per window, not one for the whole input.", np.max),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, 3.0, 2.0, -1.0, -5.0, -4.0, 0.0]), 2),
        ex.case(rng.normal(size=12), 3),
        ex.case(rng.normal(size=5), 1),
        ex.case(rng.normal(size=9), 4),
    ])


def conv_output_length(student):
    """Check ``conv_output_length(L, k, stride=1, padding=0)``: floor((L + 2 p - k) / s) + 1, an int."""
    ex = Exercise("conv_output_length(L, k, stride=1, padding=0)", ref.conv_output_length, returns="int",
                  hint="count the positions of the kernel on the padded input, moving by the stride each time.",
                  mistakes=[
                      ("off by one: the kernel's first position counts too (add 1 after dividing by the stride).",
                       lambda L, k, stride=1, padding=0: (L + 2 * padding - k) // stride),
                      ("padding adds p entries on both sides.",
                       lambda L, k, stride=1, padding=0: (L + padding - k) // stride + 1),
                      ("divide by the stride: the kernel moves stride entries at a time.",
                       lambda L, k, stride=1, padding=0: L + 2 * padding - k + 1),
                      ("round down: a last position where the kernel doesn't fit doesn't count.",
                       lambda L, k, stride=1, padding=0: int(np.ceil((L + 2 * padding - k) / stride)) + 1),
                      ("the kernel size is subtracted, not added.",
                       lambda L, k, stride=1, padding=0: (L + 2 * padding + k) // stride + 1),
                  ])
    return ex.run(student, [
        ex.case(10, 3, stride=1, padding=3),
        ex.case(11, 3, stride=2, padding=0),
        ex.case(10, 3, stride=2, padding=0),
        ex.case(28, 5, stride=2, padding=2),
        ex.case(32, 3, stride=1, padding=1),
        ex.case(7, 7),
    ])

"""Checkers for chapter 2, parameters: counting a network's parameters, uniform initialisation, how far
a bias shifts a neuron's curve."""

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise
from ._runner import Fail, as_array


def count_parameters(student):
    """Check ``count_parameters(layer_sizes)``: weights and biases of Dense layers, [784, 128, 10] -> 101770."""
    pairs = lambda sizes: zip(sizes[:-1], sizes[1:])           # noqa: E731
    ex = Exercise("count_parameters(layer_sizes)", ref.count_parameters, returns="int",
                  hint="each Dense layer between two consecutive sizes has n_in * n_out weights and n_out biases.",
                  mistakes=[
                      ("forgot the biases: every neuron after the input layer has one.",
                       lambda s: sum(a * b for a, b in pairs(s))),
                      ("the input layer has no bias (it computes nothing): biases belong to the layers after it.",
                       lambda s: sum(a * b for a, b in pairs(s)) + sum(s)),
                      ("one bias per output neuron of each layer (n_out), not per input.",
                       lambda s: sum(a * b + a for a, b in pairs(s))),
                      ("that counts neurons; count the parameters: one weight per connection plus the biases.",
                       lambda s: sum(s)),
                      ("only the first layer was counted: add up every pair of consecutive sizes.",
                       lambda s: s[0] * s[1] + s[1]),
                      ("weights only connect consecutive layers: add n_in * n_out per layer, don't multiply "
                       "all the sizes together.", lambda s: int(np.prod(s))),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case([3, 4, 2]),
        ex.case([784, 128, 10]),
        ex.case([5, 1]),
        ex.case([3, 4, 5, 2]),
        ex.case([int(n) for n in rng.integers(1, 50, size=5)]),
    ])


def init_uniform(student):
    """Check ``init_uniform(n_in, n_out, rng)``: (n_in, n_out) from U(-1/sqrt(n_in), 1/sqrt(n_in)) drawn with rng."""
    ex = Exercise("init_uniform(n_in, n_out, rng)", ref.init_uniform,
                  hint="draw every weight from a uniform distribution between -1/sqrt(n_in) and +1/sqrt(n_in).",
                  shape_hint="one row per input and one column per output: shape (n_in, n_out).")
    n_in, n_out = 400, 100
    bound = 1 / np.sqrt(n_in)

    def shape_and_type(student):
        W = ex.call(student, n_in, n_out, np.random.default_rng(1))
        if isinstance(W, np.ndarray) and W.shape == (n_out, n_in):
            raise Fail(f"the result has shape {W.shape}, but ({n_in}, {n_out}) was expected.",
                       "rows are inputs and columns are outputs: shape (n_in, n_out), as W in Y = X @ W.")
        as_array(W, (n_in, n_out), f"the result for n_in = {n_in}, n_out = {n_out}", ex.shape_hint)

    def uses_rng(student):
        first = ex.call(student, n_in, n_out, np.random.default_rng(1))
        again = ex.call(student, n_in, n_out, np.random.default_rng(1))
        other = ex.call(student, n_in, n_out, np.random.default_rng(2))
        if not np.array_equal(first, again):
            raise Fail("two generators with the same seed gave different weights.",
                       "draw the numbers with the rng you were given (rng.uniform(...)), not np.random, "
                       "so that a seed reproduces them.")
        if np.array_equal(first, other):
            raise Fail("generators with different seeds gave the same weights.",
                       "draw the numbers with the rng argument instead of a generator of your own.")

    def distribution(student):
        W = ex.call(student, n_in, n_out, np.random.default_rng(3))
        low, high, largest = float(W.min()), float(W.max()), float(np.abs(W).max())
        centred = W - W.mean()
        kurtosis = float(np.mean(centred ** 4) / np.mean(centred ** 2) ** 2 - 3)   # uniform: -1.2, normal: 0
        problem = f"for n_in = {n_in} the weights range from {low:.3g} to {high:.3g}"
        if low >= 0:
            raise Fail(problem + ".", "every weight is positive: the distribution is symmetric around zero, "
                                      "from minus the bound to plus the bound.")
        if abs(kurtosis + 1.2) > 0.2:
            raise Fail(problem + ", and they do not look uniform.",
                       "draw from a uniform distribution (every value in the range equally likely), not a normal one.")
        if abs(largest - 1 / np.sqrt(n_out)) < 0.02 / np.sqrt(n_out):
            raise Fail(problem + ".", "the bound uses the number of inputs, n_in, not n_out.")
        if abs(largest - 1 / n_in) < 0.02 / n_in:
            raise Fail(problem + ".", "too narrow: the bound is one over the square root of n_in.")
        if largest > 1.001 * bound or largest < 0.98 * bound:
            raise Fail(problem + ".", "the weights should fill the range -1/sqrt(n_in) to +1/sqrt(n_in), "
                                      "and go no further.")
        if abs(float(W.mean())) > 0.02 * bound:
            raise Fail(problem + ", but their mean is not zero.", "the range is symmetric around zero.")

    def small_layer(student):
        W = ex.call(student, 3, 5, np.random.default_rng(0))
        W = as_array(W, (3, 5), "the result for n_in = 3, n_out = 5", ex.shape_hint)
        if np.abs(W).max() > 1 / np.sqrt(3) + 1e-12:
            raise Fail("for n_in = 3 some weights lie outside ±1/sqrt(3).", ex.hint)

    return ex.run(student, [shape_and_type, uses_rng, distribution, small_layer])


def bias_shift(student):
    """Check ``bias_shift(w, b)``: the x where w * x + b = 0, i.e. how far the bias shifts the curve."""
    ex = Exercise("bias_shift(w, b)", ref.bias_shift, returns="number",
                  hint="write down w * x + b = 0 and solve it for x.",
                  mistakes=[
                      ("check the sign: the curve crosses zero where w * x + b = 0; solve that for x.",
                       lambda w, b: b / w),
                      ("the shift depends on the weight too: a steeper curve moves less for the same bias.",
                       lambda w, b: -b),
                      ("the shift is not the bias itself: solve w * x + b = 0 for x.", lambda w, b: b),
                      ("swapped: divide the bias by the weight, not the weight by the bias.", lambda w, b: -w / b),
                      ("divide by the weight, don't multiply.", lambda w, b: -b * w),
                      ("swapped: divide the bias by the weight, not the weight by the bias.", lambda w, b: w / b),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(2.0, 3.0),
        ex.case(-0.5, 2.0),
        ex.case(0.25, -1.5),
        ex.case(float(rng.uniform(0.5, 3)), float(rng.normal())),
    ])

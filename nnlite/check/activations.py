"""Checkers for chapter 3, activation functions: ReLU, the sigmoid and its derivative."""

import numpy as np

from . import _reference as ref
from ._common import _gradient_check, _rng, _sigmoid
from ._exercise import Exercise


def relu(student):
    """Check ``relu(x)``: max(0, x) elementwise, for any shape, without changing x."""
    ex = Exercise("relu(x)", ref.relu,
                  hint="positive entries stay as they are; every other entry becomes 0.",
                  shape_hint="ReLU works entry by entry: the result has exactly x's shape.",
                  mistakes=[
                      ("negative inputs become 0, not positive (that is the absolute value).", np.abs),
                      ("that keeps the negative part: ReLU keeps the positive part and zeros the rest.",
                       lambda x: np.minimum(0, x)),
                      ("negative inputs become exactly 0 (a small slope there is leaky ReLU).",
                       lambda x: np.where(x > 0, x, 0.01 * x)),
                      ("that is the derivative (0 or 1), not the function max(0, x).",
                       lambda x: (x > 0).astype(float)),
                      ("ReLU works entry by entry: the result has x's shape, not a flattened one.",
                       lambda x: np.maximum(0, x).reshape(-1)),
                      ("that is the largest entry of x; ReLU compares every entry with 0.", np.max),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([-2.0, -0.5, 0.0, 1.5, 3.0])),
        ex.case(rng.normal(size=(3, 4))),
        ex.case(rng.normal(size=(2, 3, 4))),
        ex.case(np.array([[-1e6, 1e6], [-1e-9, 1e-9]])),
        ex.case(rng.normal(size=50) * 10),
    ])


def sigmoid(student):
    """Check ``sigmoid(x)``: 1 / (1 + exp(-x)), any shape, with no overflow warning for ``|x|`` up to 1e4."""
    ex = Exercise("sigmoid(x)", ref.sigmoid,
                  hint="the sigmoid is 1 / (1 + e^(-x)): 0.5 at x = 0, near 1 for large x, near 0 for very negative x.",
                  shape_hint="the sigmoid works entry by entry: the result has x's shape.",
                  warning_hint="unstable for large inputs: exp(-x) overflows for very negative x. Compute exp "
                               "only of numbers that are <= 0 (for x < 0 rewrite the fraction), and note that "
                               "np.where evaluates both branches on every entry.",
                  mistakes=[
                      ("check the sign in the exponential: the sigmoid grows with x.", lambda x: 1 / (1 + np.exp(x))),
                      ("that is tanh, with outputs in (-1, 1); the sigmoid's outputs lie in (0, 1).", np.tanh),
                      ("that is the derivative of the sigmoid, not the sigmoid.",
                       lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
                      ("it is 1 / (1 + e^(-x)): the 1 goes in the denominator with the exponential.",
                       lambda x: 1 + np.exp(-x)),
                      ("it is 1 / (1 + e^(-x)): don't drop the 1.", lambda x: 1 / np.exp(-x)),
                      ("that is ReLU; the sigmoid squashes into (0, 1).", lambda x: np.maximum(0, x)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([-2.0, 0.0, 2.0])),
        ex.case(rng.normal(size=(3, 5)) * 3),
        ex.case(rng.normal(size=(2, 3, 4))),
        ex.case(np.array([-1e4, -800.0, -40.0, 40.0, 800.0, 1e4])),
        ex.case(rng.uniform(-1e4, 1e4, size=(4, 6))),
    ])


def sigmoid_grad(student):
    """Check ``sigmoid_grad(x)``: sigma(x) * (1 - sigma(x)), with a gradient check."""
    ex = Exercise("sigmoid_grad(x)", ref.sigmoid_grad,
                  hint="the derivative of the sigmoid is sigma(x) * (1 - sigma(x)): largest (0.25) at x = 0.",
                  shape_hint="the derivative works entry by entry: the result has x's shape.",
                  mistakes=[
                      ("that is the sigmoid itself, not its derivative.", _sigmoid),
                      ("apply the formula to sigma(x), not to x.", lambda x: x * (1 - x)),
                      ("check the sign: the second factor is 1 - sigma(x).", lambda x: _sigmoid(x) * (1 + _sigmoid(x))),
                      ("1 - s**2 is the derivative of tanh; the sigmoid's is s * (1 - s).",
                       lambda x: 1 - _sigmoid(x) ** 2),
                      ("forgot a factor: the derivative has two factors, sigma(x) and 1 - sigma(x).",
                       lambda x: 1 - _sigmoid(x)),
                      ("that is the derivative of tanh.", lambda x: 1 - np.tanh(x) ** 2),
                  ])
    rng = _rng()
    x = rng.normal(size=(3, 4)) * 2
    numeric = np.vectorize(lambda v: (ref.sigmoid(np.array(v + 1e-6)) - ref.sigmoid(np.array(v - 1e-6))) / 2e-6)(x)
    return ex.run(student, [
        ex.case(np.array([-2.0, 0.0, 2.0])),
        ex.case(rng.normal(size=(4, 3))),
        ex.case(rng.normal(size=(2, 2, 5)) * 5),
        ex.case(np.array([-30.0, -10.0, 10.0, 30.0])),
        _gradient_check(ex, (x,), numeric),
    ])

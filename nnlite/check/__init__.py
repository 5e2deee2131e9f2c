"""Checkers for the course's code exercises: ``relu = check.relu(relu)``.

Every public function here takes one argument, the student's function. It runs that function on golden
values and random shapes (and, for a backward pass, a gradient check against central differences), each
call under a time limit, and prints one verdict:

    ✅ relu: passed 5 checks.
    ❌ relu: it changed its input `x` in place.
       Hint: the caller still needs `x`: compute a new array ...
       Using nnlite's version so the rest of the notebook runs.

It returns the student's function if every check passes, else nnlite's own, so later cells always run.
Whatever the student's code does (raises, returns None, loops forever, prints, returns NaN or a list,
changes its input), the checker prints feedback, never a traceback and never the answer.
"""

import numpy as np

from ..gradcheck import rel_error
from . import _reference as ref
from ._exercise import Exercise, quietly
from ._runner import SEED, Fail, as_array

__all__ = [
    "weighted_sum", "dense_forward", "neuron_output",
    "count_parameters", "init_uniform", "bias_shift",
    "relu", "sigmoid", "sigmoid_grad",
    "softmax", "mse", "cross_entropy",
    "dense_backward", "relu_backward", "numerical_gradient",
    "sgd_step", "momentum_step", "adam_step",
    "conv1d", "maxpool1d", "conv_output_length",
    "rnn_step", "rnn_forward", "clip_gradient",
    "batchnorm_forward", "layernorm_forward", "dropout_forward",
]


def _rng():
    return np.random.default_rng(SEED)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _central(f, x, eps=1e-6):
    """d f / d x by central differences (f takes x and returns a float); x is not changed."""
    return quietly(ref.numerical_gradient, f, x, eps)


def _gradient_check(exercise, args, numeric, label="a gradient check against central differences"):
    """A check: the student's gradients agree with ``numeric`` (central differences) to 1e-6."""
    def check(student):
        got = exercise.call(student, *args)
        names = exercise.returns if isinstance(exercise.returns, tuple) else ("the gradient",)
        parts = got if isinstance(exercise.returns, tuple) else (got,)
        want = numeric if isinstance(exercise.returns, tuple) else (numeric,)
        exercise.compare(got, quietly(exercise.reference, *args), args, {}, label)   # type and shape first
        for i, (name, part, expected) in enumerate(zip(names, parts, want)):
            error = rel_error(as_array(part, np.shape(expected), name), expected)
            if error > 1e-6:
                component = i if isinstance(exercise.returns, tuple) else None
                hint = exercise.diagnose(part, args, {}, component) or exercise.hint
                raise Fail(f"{label}: {name} is off (relative error {error:.1e}).", hint)
    return check


# ==============================================================================================
# Chapter 1: neurons and layers


def weighted_sum(student):
    """Check ``weighted_sum(x, w, b)``: z = w · x + b for one example, a single number."""
    ex = Exercise("weighted_sum(x, w, b)", ref.weighted_sum, returns="number",
                  hint="multiply each input by its own weight, add up the products, then add the bias once.",
                  mistakes=[
                      ("forgot the bias: add b after summing the products.", lambda x, w, b: np.dot(w, x)),
                      ("the bias is added, not subtracted.", lambda x, w, b: np.dot(w, x) - b),
                      ("the bias was added to every product, so it counts n times: add it once, after the sum.",
                       lambda x, w, b: np.sum(w * x + b)),
                      ("the bias is added, not multiplied.", lambda x, w, b: np.dot(w, x) * b),
                      ("multiply each input by its own weight before adding (not the sum of the inputs "
                       "times the sum of the weights).", lambda x, w, b: np.sum(x) * np.sum(w) + b),
                      ("add the products w_i * x_i, not the inputs and the weights separately.",
                       lambda x, w, b: np.sum(x) + np.sum(w) + b),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.3, 0.8]), 0.5),
        ex.case(np.array([-1.0, 0.5, 2.0, 4.0]), np.array([0.7, -1.2, 0.1, 0.25]), -1.5),
        ex.case(rng.normal(size=7), rng.normal(size=7), float(rng.normal())),
        ex.case(np.array([2.5]), np.array([-0.4]), 3.0),
    ])


def dense_forward(student):
    """Check ``dense_forward(X, W, b)``: Y = X @ W + b, X (N, n_in), W (n_in, n_out), b (n_out,)."""
    ex = Exercise("dense_forward(X, W, b)", ref.dense_forward,
                  hint="each output is a weighted sum of one example's inputs plus that output's bias.",
                  shape_hint="Y has one row per example and one column per output: X (N, n_in) times "
                             "W (n_in, n_out) gives (N, n_out).",
                  mistakes=[
                      ("forgot the bias: add b to every row.", lambda X, W, b: X @ W),
                      ("transposed weights: W has shape (n_in, n_out), so it multiplies X as it is.",
                       lambda X, W, b: X @ W.T + b),
                      ("the bias is added, not subtracted.", lambda X, W, b: X @ W - b),
                      ("use matrix multiplication (@), not elementwise *.", lambda X, W, b: X * W + b),
                      ("the result came out transposed: rows are examples, columns are outputs.",
                       lambda X, W, b: (X @ W).T + b),
                      ("keep the batch axis: one row of outputs per example, not a sum or mean over the batch.",
                       lambda X, W, b: (X @ W + b).sum(axis=0)),
                      ("keep the batch axis: one row of outputs per example, not a sum or mean over the batch.",
                       lambda X, W, b: (X @ W + b).mean(axis=0)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5], [2.0, 0.0, -2.0]]),
                np.array([[0.2, -0.5, 1.0], [0.3, 0.1, -1.0], [0.8, 0.4, 0.0]]), np.array([0.1, -0.2, 0.3])),
        ex.case(rng.normal(size=(5, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)),
        ex.case(rng.normal(size=(1, 6)), rng.normal(size=(6, 3)), rng.normal(size=3)),
        ex.case(rng.normal(size=(8, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)),
    ])


def neuron_output(student):
    """Check ``neuron_output(X, w, b)``: sigmoid(X @ w + b) for a batch, X (N, n), w (n,) -> (N,)."""
    ex = Exercise("neuron_output(X, w, b)", ref.neuron_output,
                  hint="first the weighted sum plus bias for each example, then the sigmoid of it.",
                  shape_hint="one output per example: X (N, n) @ w (n,) has shape (N,).",
                  mistakes=[
                      ("forgot the activation: pass the weighted sum through the sigmoid.",
                       lambda X, w, b: X @ w + b),
                      ("forgot the bias: add b before the activation.", lambda X, w, b: _sigmoid(X @ w)),
                      ("check the sign inside the exponential: the output should grow with z.",
                       lambda X, w, b: 1 / (1 + np.exp(X @ w + b))),
                      ("add the bias before the activation, not after it.", lambda X, w, b: _sigmoid(X @ w) + b),
                      ("that is tanh; the exercise asks for the sigmoid, whose outputs lie in (0, 1).",
                       lambda X, w, b: np.tanh(X @ w + b)),
                      ("that is ReLU; the exercise asks for the sigmoid, whose outputs lie in (0, 1).",
                       lambda X, w, b: np.maximum(0, X @ w + b)),
                      ("one output per example: a vector of shape (N,), not a column (N, 1).",
                       lambda X, w, b: _sigmoid(X @ w[:, None] + b)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]]), np.array([0.2, 0.3, 0.8]), -1.0),
        ex.case(rng.normal(size=(6, 4)), rng.normal(size=4), 0.5),
        ex.case(rng.normal(size=(1, 5)), rng.normal(size=5), -0.3),
        ex.case(rng.normal(size=(10, 2)), rng.normal(size=2), float(rng.normal())),
    ])


# ==============================================================================================
# Chapter 2: parameters


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


# ==============================================================================================
# Chapter 3: activation functions


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
    """Check ``sigmoid(x)``: 1 / (1 + exp(-x)), any shape, with no overflow warning for |x| up to 1e4."""
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


# ==============================================================================================
# Chapter 4: forward pass and loss


def _naive_softmax(z, axis=-1, keepdims=True):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=keepdims)


def softmax(student):
    """Check ``softmax(z)``: exp normalised over the last axis, each row sums to 1, stable for large z."""
    ex = Exercise("softmax(z)", ref.softmax,
                  hint="exponentiate, then divide each row by that row's sum, so every row sums to 1.",
                  shape_hint="softmax keeps the shape: z (N, C) gives probabilities (N, C).",
                  warning_hint="unstable for large inputs: exp overflows (or a whole row underflows to 0/0). "
                               "Softmax does not change when you subtract the same number from every entry of a "
                               "row: subtract each row's own maximum first.",
                  mistakes=[
                      ("wrong axis: each row (one example) should sum to 1; you normalised the columns.",
                       lambda z: _naive_softmax(z, axis=0)),
                      ("the row sums have shape (N,) and line up with the columns: keep the summed axis "
                       "(keepdims=True) so each row is divided by its own sum.",
                       lambda z: np.exp(z) / np.exp(z).sum(axis=1)),
                      ("normalised over the whole array: each row is normalised separately.",
                       lambda z: np.exp(z) / np.exp(z).sum()),
                      ("forgot the exponential: divide exp(z), not z itself.",
                       lambda z: z / z.sum(axis=-1, keepdims=True)),
                      ("that is log-softmax; return the probabilities themselves.",
                       lambda z: np.log(_naive_softmax(z))),
                      ("subtract each row's own maximum, not the maximum of the whole array.",
                       lambda z: _naive_softmax(z - z.max())),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [-1.0, 0.5, 2.0]])),
        ex.case(rng.normal(size=(4, 5))),
        ex.case(rng.normal(size=(1, 10)) * 3),
        ex.case(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1003.0]])),
        ex.case(rng.normal(size=(6, 3)) * 500),
    ])


def mse(student):
    """Check ``mse(pred, target)``: the mean of the squared differences over every entry, a number."""
    ex = Exercise("mse(pred, target)", ref.mse, returns="number",
                  hint="subtract, square each difference, then average over every entry.",
                  mistakes=[
                      ("square each difference, so errors of opposite sign do not cancel.",
                       lambda p, t: np.mean(p - t)),
                      ("off by a factor of N: you summed the squared differences; take their mean.",
                       lambda p, t: np.sum((p - t) ** 2)),
                      ("that is the mean absolute error: square the differences instead of taking |.|.",
                       lambda p, t: np.mean(np.abs(p - t))),
                      ("off by a factor of 2: the mean of the squared differences has no 1/2.",
                       lambda p, t: 0.5 * np.mean((p - t) ** 2)),
                      ("that is the root of the MSE (RMSE): drop the square root.",
                       lambda p, t: np.sqrt(np.mean((p - t) ** 2))),
                      ("divide by the number of entries (every row and column), not the number of rows.",
                       lambda p, t: np.sum((p - t) ** 2) / len(p)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 1.0])),
        ex.case(rng.normal(size=8), rng.normal(size=8)),
        ex.case(rng.normal(size=(4, 3)), rng.normal(size=(4, 3))),
        ex.case(np.array([2.0]), np.array([-1.0])),
    ])


def _log_softmax(z, axis=-1):
    return np.log(_naive_softmax(z, axis=axis))


def cross_entropy(student):
    """Check ``cross_entropy(logits, y)``: mean over the batch of -log softmax(logits)[i, y_i], stable."""
    ex = Exercise("cross_entropy(logits, y)", ref.cross_entropy, returns="number",
                  hint="softmax each row, take the log-probability of that example's own label, negate, "
                       "and average over the batch.",
                  warning_hint="unstable for large logits: exp overflows, or a tiny probability rounds to 0 and "
                               "its log is -inf. Work with log-probabilities: subtract each row's maximum, "
                               "and take the log of the row's sum of exponentials instead of the log of a ratio.",
                  mistakes=[
                      ("forgot 1/N: average over the batch instead of summing.",
                       lambda z, y: -np.sum(_log_softmax(z)[np.arange(len(y)), y])),
                      ("forgot the softmax: the loss uses log-probabilities, not the raw logits.",
                       lambda z, y: -np.mean(z[np.arange(len(y)), y])),
                      ("forgot the log: the loss is minus the log of the probability.",
                       lambda z, y: -np.mean(_naive_softmax(z)[np.arange(len(y)), y])),
                      ("check the sign: -log p is positive, and the loss falls as p rises.",
                       lambda z, y: np.mean(_log_softmax(z)[np.arange(len(y)), y])),
                      ("picked the wrong entries: for each example i you need the log-probability of its own "
                       "label y[i], one entry per row.", lambda z, y: -np.mean(_log_softmax(z)[:, y])),
                      ("softmax over the wrong axis: each row is one example, so normalise along the last axis.",
                       lambda z, y: -np.mean(_log_softmax(z, axis=0)[np.arange(len(y)), y])),
                      ("off by a factor of C: average over the N examples, not over all N × C entries.",
                       lambda z, y: -np.mean(np.eye(z.shape[1])[y] * _log_softmax(z))),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [0.0, 0.0, 3.0]]), np.array([0, 2, 1])),
        ex.case(rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)),
        ex.case(rng.normal(size=(1, 3)), np.array([2])),
        ex.case(np.array([[1000.0, 0.0, -1000.0], [5.0, 800.0, 1.0]]), np.array([1, 0])),
    ])


# ==============================================================================================
# Chapter 5: backpropagation


def dense_backward(student):
    """Check ``dense_backward(X, W, dY)`` -> (dX, dW, db) for Y = X @ W + b, with a gradient check."""
    ex = Exercise("dense_backward(X, W, dY)", ref.dense_backward, returns=("dX", "dW", "db"),
                  hint="each gradient has the shape of what it is the gradient of: dX like X, dW like W, db like b.",
                  shape_hint="dX has X's shape (N, n_in), dW has W's shape (n_in, n_out), db has b's shape (n_out,).",
                  mistakes=[
                      ("dX must have X's shape and pairs dY with the weights of each input: "
                       "check which of W and W.T you multiply by.", lambda X, W, dY: (dY @ W, X.T @ dY, dY.sum(0))),
                      ("dW is transposed: it must have W's shape (n_in, n_out).",
                       lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(0))),
                      ("dW pairs every input feature with every output gradient, summed over the batch: "
                       "check the order and the transposes.", lambda X, W, dY: (dY @ W.T, X @ dY, dY.sum(0))),
                      ("db is off by a factor of N: sum dY over the batch, don't average.",
                       lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.mean(0))),
                      ("db has b's shape (n_out,): sum dY over the batch axis.",
                       lambda X, W, dY: (dY @ W.T, X.T @ dY, dY)),
                      ("db: wrong axis. Sum over the batch (axis 0), one entry per output.",
                       lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum(1))),
                      ("return the values in the order (dX, dW, db).",
                       lambda X, W, dY: (X.T @ dY, dY @ W.T, dY.sum(0))),
                  ])
    rng = _rng()
    X, W, dY = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    loss = lambda X_, W_, b_: float(np.sum(dY * (X_ @ W_ + b_)))          # noqa: E731  dL/dY = dY
    b = np.zeros(2)
    numeric = (_central(lambda X_: loss(X_, W, b), X), _central(lambda W_: loss(X, W_, b), W),
               _central(lambda b_: loss(X, W, b_), b))
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0], [2.0, 1.0, -0.5]]),
                np.array([[0.2, -0.4, 1.0], [0.5, 0.3, -1.0], [-0.7, 0.8, 0.1]]),
                np.array([[1.0, -1.0, 0.5], [0.2, 0.4, -0.6], [-1.0, 0.0, 2.0]])),
        ex.case(rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))),
        ex.case(rng.normal(size=(1, 6)), rng.normal(size=(6, 2)), rng.normal(size=(1, 2))),
        _gradient_check(ex, (X, W, dY), numeric),
    ])


def relu_backward(student):
    """Check ``relu_backward(X, dY)`` -> dX: dY where X > 0, else 0; with a gradient check."""
    ex = Exercise("relu_backward(X, dY)", ref.relu_backward,
                  hint="the gradient flows through where the input X was positive and is 0 everywhere else.",
                  shape_hint="dX has X's shape.",
                  mistakes=[
                      ("forgot the mask: where X <= 0 the gradient is 0.", lambda X, dY: dY),
                      ("multiply the mask by dY (the chain rule): the mask alone is ReLU's local derivative.",
                       lambda X, dY: (X > 0).astype(float)),
                      ("the mask comes from X, the input of the forward pass, not from dY.",
                       lambda X, dY: dY * (dY > 0)),
                      ("at X == 0 the gradient is 0 (PyTorch's convention): use a strict inequality.",
                       lambda X, dY: dY * (X >= 0)),
                      ("multiply dY by ReLU's derivative (0 or 1), not by ReLU(X) itself.",
                       lambda X, dY: dY * np.maximum(0, X)),
                      ("multiply dY by ReLU's derivative (0 or 1), not by X.", lambda X, dY: dY * X),
                  ])
    rng = _rng()
    X = rng.normal(size=(3, 4))
    X[np.abs(X) < 0.1] = 0.5                                    # keep away from the kink for the numerical check
    dY = rng.normal(size=(3, 4))
    numeric = _central(lambda X_: float(np.sum(dY * np.maximum(0, X_))), X)
    return ex.run(student, [
        ex.case(np.array([-1.5, 0.0, 2.0, 0.5]), np.array([0.5, -1.0, 2.0, -3.0])),
        ex.case(rng.normal(size=(4, 5)), rng.normal(size=(4, 5))),
        ex.case(rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))),
        _gradient_check(ex, (X, dY), numeric),
    ])


class _Function:
    """A scalar test function with a readable name, for numerical_gradient's feedback."""

    def __init__(self, label, fn):
        self.label, self.fn = label, fn

    def __call__(self, x):
        return float(self.fn(np.asarray(x, dtype=float)))


def _forward_difference(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x)) / eps
    return grad


def _first_axis_only(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def numerical_gradient(student):
    """Check ``numerical_gradient(f, x, eps=1e-6)``: central differences of a scalar f at x, x's shape."""
    ex = Exercise("numerical_gradient(f, x, eps=1e-6)", ref.numerical_gradient, allow_rounding=("x",),
                  hint="for each entry x[i]: f with x[i] + eps minus f with x[i] - eps, divided by 2 * eps; "
                       "the other entries stay as they are.",
                  shape_hint="the gradient has x's shape: one partial derivative per entry of x.",
                  mistakes=[
                      ("use central differences, f(x + eps) - f(x - eps) over 2 eps; one-sided differences "
                       "are much less accurate.", _forward_difference),
                      ("off by a factor of 2: the two points are 2 * eps apart.",
                       lambda f, x, eps=1e-6: 2 * ref.numerical_gradient(f, x, eps)),
                      ("use the eps argument you were given.", lambda f, x, eps=1e-6: ref.numerical_gradient(f, x)),
                      ("perturb one entry at a time: moving every entry at once measures a sum of partial "
                       "derivatives.", lambda f, x, eps=1e-6: np.full(np.shape(x), (f(x + eps) - f(x - eps)) / (2 * eps))),
                      ("handle x of any shape: loop over every entry (np.ndindex(x.shape) visits them all), "
                       "not only over the first axis.", _first_axis_only),
                  ])
    cube = _Function("sum(x ** 3)", lambda x: np.sum(x ** 3))
    sines = _Function("sum(sin(x) * x)", lambda x: np.sum(np.sin(x) * x))
    square = _Function("sum(x ** 2) / 2", lambda x: np.sum(x ** 2) / 2)
    A = _rng().normal(size=(3, 2))
    mixed = _Function("sum(tanh(x @ A))", lambda x: np.sum(np.tanh(x @ A)))
    rng = _rng()
    return ex.run(student, [
        ex.case(cube, np.array([1.0, -2.0, 0.5, 3.0]), eps=1e-2),
        ex.case(sines, rng.normal(size=(2, 3)), eps=1e-3),
        ex.case(mixed, rng.normal(size=3), eps=1e-4),
        ex.case(square, rng.normal(size=(2, 2, 2))),
    ])


# ==============================================================================================
# Chapter 6: training


def sgd_step(student):
    """Check ``sgd_step(w, grad, lr)`` -> a new array w - lr * grad (w itself unchanged)."""
    ex = Exercise("sgd_step(w, grad, lr)", ref.sgd_step,
                  hint="move the weights a small step (the learning rate) against the gradient.",
                  shape_hint="the new weights have w's shape.",
                  mistakes=[
                      ("check the sign: step against the gradient, downhill.", lambda w, g, lr: w + lr * g),
                      ("forgot the learning rate: it sets the size of the step.", lambda w, g, lr: w - g),
                      ("the step follows the gradient, not the weights themselves.", lambda w, g, lr: w - lr * w),
                      ("multiply the gradient by the learning rate, don't divide.", lambda w, g, lr: w - g / lr),
                      ("that is the step itself: return the new weights.", lambda w, g, lr: -lr * g),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0]), 0.1),
        ex.case(rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 0.01),
        ex.case(rng.normal(size=5), rng.normal(size=5), 0.5),
        ex.case(rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4)), 1e-3),
    ])


def momentum_step(student):
    """Check ``momentum_step(w, v, grad, lr, momentum)`` -> (new w, new v), PyTorch's convention."""
    ex = Exercise("momentum_step(w, v, grad, lr, momentum)", ref.momentum_step, returns=("new w", "new v"),
                  hint="first update the velocity from the old velocity and the gradient, then step the "
                       "weights with the new velocity.",
                  shape_hint="the new w and v have w's shape.",
                  mistakes=[
                      ("update v first, then step the weights with the new v.",
                       lambda w, v, g, lr, mu: (w - lr * v, mu * v + g)),
                      ("PyTorch's convention: v accumulates raw gradients; the learning rate multiplies v in "
                       "the weight update.", lambda w, v, g, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g)),
                      ("there is no (1 - momentum) factor on the gradient in this convention.",
                       lambda w, v, g, lr, mu: (w - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g)),
                      ("decay the old velocity by the momentum factor before adding the gradient.",
                       lambda w, v, g, lr, mu: (w - lr * (v + g), v + g)),
                      ("check the sign: step against the velocity.",
                       lambda w, v, g, lr, mu: (w + lr * (mu * v + g), mu * v + g)),
                      ("return (new w, new v) in that order.",
                       lambda w, v, g, lr, mu: (mu * v + g, w - lr * (mu * v + g))),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([1.0, 2.0]), 0.1, 0.9),
        ex.case(rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 0.05, 0.8),
        ex.case(rng.normal(size=4), np.zeros(4), rng.normal(size=4), 0.01, 0.9),
        ex.case(rng.normal(size=(2, 5)), rng.normal(size=(2, 5)), rng.normal(size=(2, 5)), 0.3, 0.5),
    ])


def _adam(w, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, correct=True, square=True,
          eps_inside=False, swap=False, shift=0, corrected_moments=False, sign=-1):
    m = (1 - beta1) * m + beta1 * g if swap else beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * (g ** 2 if square else g)
    m_hat = m / (1 - beta1 ** (t + shift)) if correct else m
    v_hat = v / (1 - beta2 ** (t + shift)) if correct else v
    step = m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
    if corrected_moments:
        return w + sign * lr * step, m_hat, v_hat
    return w + sign * lr * step, m, v


def adam_step(student):
    """Check ``adam_step(w, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)`` -> (w, m, v)."""
    ex = Exercise("adam_step(w, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)", ref.adam_step,
                  returns=("new w", "new m", "new v"),
                  hint="update m (average of gradients) and v (average of squared gradients), correct both for "
                       "their start at zero, then step by lr * m_hat / (sqrt(v_hat) + eps).",
                  shape_hint="the new w, m and v have w's shape.",
                  mistakes=[
                      ("forgot the bias correction: m and v start at zero, so divide them by 1 - beta ** t "
                       "before the step.", lambda *a, **k: _adam(*a, **k, correct=False)),
                      ("v is the moving average of the squared gradients.", lambda *a, **k: _adam(*a, **k, square=False)),
                      ("eps is added after the square root, not inside it.",
                       lambda *a, **k: _adam(*a, **k, eps_inside=True)),
                      ("the weights of the moving average are swapped: beta1 multiplies the old m.",
                       lambda *a, **k: _adam(*a, **k, swap=True)),
                      ("t starts at 1: use beta ** t with the t you were given.",
                       lambda *a, **k: _adam(*a, **k, shift=1)),
                      ("return the raw moments m and v; the bias-corrected ones are only for the step.",
                       lambda *a, **k: _adam(*a, **k, corrected_moments=True)),
                      ("use the lr, beta1, beta2 and eps arguments, not fixed numbers.",
                       lambda w, m, v, g, t, **k: _adam(w, m, v, g, t)),
                      ("check the sign: step against the gradient.", lambda *a, **k: _adam(*a, **k, sign=1)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3), np.array([0.3, -1.0, 2.0]), 1),
        ex.case(rng.normal(size=4), rng.normal(size=4) * 0.1, rng.uniform(0.01, 0.1, size=4), rng.normal(size=4), 5,
                lr=0.01, beta1=0.8, beta2=0.99, eps=0.1),
        ex.case(rng.normal(size=(2, 3)), rng.normal(size=(2, 3)) * 0.1, rng.uniform(0, 0.1, size=(2, 3)),
                rng.normal(size=(2, 3)), 10),
    ])


# ==============================================================================================
# Chapter 7: convolution and pooling


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


# ==============================================================================================
# Chapter 8: recurrent layers


def rnn_step(student):
    """Check ``rnn_step(x_t, h, Wx, Wh, b)``: tanh(x_t @ Wx + h @ Wh + b), x_t (N, F), h (N, H) -> (N, H)."""
    ex = Exercise("rnn_step(x_t, h, Wx, Wh, b)", ref.rnn_step,
                  hint="combine the input's contribution, the previous hidden state's contribution and the "
                       "bias, then apply tanh.",
                  shape_hint="x_t (N, F) @ Wx (F, H) and h (N, H) @ Wh (H, H) are both (N, H).",
                  mistakes=[
                      ("forgot the activation: the new hidden state is the tanh of the sum.",
                       lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b),
                      ("forgot the bias.", lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh)),
                      ("the step ignores the previous hidden state h: it carries the memory.",
                       lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b)),
                      ("transposed Wh: it has shape (H, H), so it multiplies h as it is.",
                       lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b)),
                      ("a simple RNN step uses tanh, not the sigmoid.",
                       lambda x, h, Wx, Wh, b: _sigmoid(x @ Wx + h @ Wh + b)),
                      ("Wx multiplies the input x_t and Wh the hidden state h.",
                       lambda x, h, Wx, Wh, b: np.tanh(x @ Wh + h @ Wx + b)),
                      ("a simple RNN step uses tanh, not ReLU.",
                       lambda x, h, Wx, Wh, b: np.maximum(0, x @ Wx + h @ Wh + b)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3)),
                rng.normal(size=3)),
        ex.case(rng.normal(size=(4, 5)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(3, 3)),
                rng.normal(size=3)),
        ex.case(rng.normal(size=(1, 2)), rng.normal(size=(1, 4)), rng.normal(size=(2, 4)), rng.normal(size=(4, 4)),
                rng.normal(size=4)),
    ])


def _rnn_states(X, h0, Wx, Wh, b, activation=np.tanh, carry=True, reverse=False):
    h, states = h0, []
    times = range(X.shape[1] - 1, -1, -1) if reverse else range(X.shape[1])
    for t in times:
        h_new = activation(X[:, t] @ Wx + h @ Wh + b)
        states.append(h_new)
        h = h_new if carry else h0
    if reverse:
        states = states[::-1]
    return states


def rnn_forward(student):
    """Check ``rnn_forward(X, h0, Wx, Wh, b)``: every hidden state over X (N, T, F) -> (N, T, H)."""
    ex = Exercise("rnn_forward(X, h0, Wx, Wh, b)", ref.rnn_forward,
                  hint="start from h0; for t = 0, 1, ..., T-1 compute the next hidden state from X[:, t] and the "
                       "previous one, and keep every state.",
                  shape_hint="stack one hidden state (N, H) per time step along axis 1: (N, T, H).",
                  mistakes=[
                      ("stack the states along axis 1: the result is (N, T, H), time second.",
                       lambda *a: np.stack(_rnn_states(*a), axis=0)),
                      ("return every hidden state, not only the last.", lambda *a: _rnn_states(*a)[-1]),
                      ("leave h0 out: one state per time step, computed from the input at that step.",
                       lambda X, h0, *a: np.stack([h0] + _rnn_states(X, h0, *a), axis=1)),
                      ("carry the hidden state forward: each step starts from the previous step's state, not h0.",
                       lambda *a: np.stack(_rnn_states(*a, carry=False), axis=1)),
                      ("forgot the tanh at each step.",
                       lambda *a: np.stack(_rnn_states(*a, activation=lambda z: z), axis=1)),
                      ("go forward in time: t = 0, 1, ..., T - 1.",
                       lambda *a: np.stack(_rnn_states(*a, reverse=True), axis=1)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5)), rng.normal(size=(3, 5)),
                rng.normal(size=(5, 5)) * 0.5, rng.normal(size=5)),
        ex.case(rng.normal(size=(3, 1, 2)), np.zeros((3, 4)), rng.normal(size=(2, 4)), rng.normal(size=(4, 4)),
                rng.normal(size=4)),
        ex.case(rng.normal(size=(1, 6, 3)), rng.normal(size=(1, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2)),
                np.zeros(2)),
    ])


def clip_gradient(student):
    """Check ``clip_gradient(g, max_norm)``: g rescaled so its L2 norm is at most max_norm."""
    ex = Exercise("clip_gradient(g, max_norm)", ref.clip_gradient,
                  hint="compute the L2 norm of all of g; if it is larger than max_norm, scale g down so that "
                       "its norm becomes max_norm, keeping its direction.",
                  shape_hint="the clipped gradient has g's shape.",
                  warning_hint="a division by zero: a gradient of zeros has norm 0. Divide only when you need "
                               "to rescale.",
                  mistakes=[
                      ("only shrink gradients whose norm is above max_norm; smaller ones stay as they are.",
                       lambda g, c: g * c / np.sqrt(np.sum(g ** 2))),
                      ("np.clip limits each entry separately and changes the direction: rescale the whole "
                       "gradient instead.", lambda g, c: np.clip(g, -c, c)),
                      ("the clipped norm should be max_norm, not 1.",
                       lambda g, c: g / np.sqrt(np.sum(g ** 2)) if np.sqrt(np.sum(g ** 2)) > c else g),
                      ("use the L2 norm (square root of the sum of squares), not the sum of absolute values.",
                       lambda g, c: g * c / np.sum(np.abs(g)) if np.sum(np.abs(g)) > c else g),
                      ("forgot the square root in the norm.",
                       lambda g, c: g * c / np.sum(g ** 2) if np.sum(g ** 2) > c else g),
                      ("take the norm over every entry together, not the matrix 2-norm "
                       "(np.linalg.norm(g, 2) of a matrix is its largest singular value).",
                       lambda g, c: g * c / np.linalg.norm(g, 2) if np.linalg.norm(g, 2) > c else g),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([3.0, 4.0]), 2.0),
        ex.case(np.array([0.3, 0.4]), 2.0),
        ex.case(rng.normal(size=(3, 4)) * 5, 1.0),
        ex.case(np.zeros(3), 1.0),
        ex.case(rng.normal(size=10) * 0.01, 5.0),
    ])


# ==============================================================================================
# Chapter 9: normalisation and dropout


def _normalise(X, gamma, beta, eps=1e-5, axis=0, ddof=0, eps_inside=True, scale=True, power=0.5):
    mean = X.mean(axis=axis, keepdims=True)
    var = X.var(axis=axis, ddof=ddof, keepdims=True)
    normalised = (X - mean) / (var + eps) ** power if eps_inside else (X - mean) / (var ** power + eps)
    return gamma * normalised + beta if scale else normalised


def batchnorm_forward(student):
    """Check ``batchnorm_forward(X, gamma, beta, eps=1e-5)``: batch statistics, biased variance -> (N, D)."""
    ex = Exercise("batchnorm_forward(X, gamma, beta, eps=1e-5)", ref.batchnorm_forward,
                  hint="for each feature: subtract its mean over the batch, divide by sqrt(variance + eps), "
                       "then scale by gamma and shift by beta.",
                  shape_hint="batch norm keeps the shape: (N, D) in, (N, D) out; the statistics have shape (D,).",
                  mistakes=[
                      ("wrong axis: batch norm averages over the batch (axis 0), one mean and variance per feature.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, axis=1)),
                      ("use the biased variance (divide by N, np.var's default), as in training.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, ddof=1)),
                      ("forgot the learned scale gamma and shift beta.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, scale=False)),
                      ("eps goes inside the square root, added to the variance.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, eps_inside=False)),
                      ("divide by the standard deviation (the square root of the variance), not the variance.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, power=1.0)),
                      ("gamma scales and beta shifts: they are swapped.",
                       lambda X, g, b, eps=1e-5: _normalise(X, b, g, eps)),
                      ("use the eps argument, not a fixed number.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 0.0], [3.0, -2.0, 1.0], [0.0, 0.0, 5.0], [4.0, 6.0, -1.0]]),
                np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])),
        ex.case(rng.normal(size=(8, 5)) * 3 + 1, rng.normal(size=5), rng.normal(size=5)),
        ex.case(rng.normal(size=(6, 4)), rng.uniform(0.5, 2, size=4), rng.normal(size=4), eps=0.5),
        ex.case(rng.normal(size=(2, 3)), np.ones(3), np.zeros(3)),
    ])


def layernorm_forward(student):
    """Check ``layernorm_forward(X, gamma, beta, eps=1e-5)``: each example across its features -> (N, D)."""
    ex = Exercise("layernorm_forward(X, gamma, beta, eps=1e-5)", ref.layernorm_forward,
                  hint="for each example (row): subtract its mean over the features, divide by "
                       "sqrt(variance + eps), then scale by gamma and shift by beta.",
                  shape_hint="layer norm keeps the shape: (N, D) in, (N, D) out.",
                  mistakes=[
                      ("wrong axis: layer norm normalises each example across its features (the last axis), "
                       "not each feature across the batch.", lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, axis=0)),
                      ("keep the summed axis (keepdims=True) so each row's statistics line up with that row.",
                       lambda X, g, b, eps=1e-5: g * (X - X.mean(1)) / np.sqrt(X.var(1) + eps) + b),
                      ("use the biased variance (divide by D, np.var's default).",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, axis=-1, ddof=1)),
                      ("forgot the learned scale gamma and shift beta.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, axis=-1, scale=False)),
                      ("eps goes inside the square root, added to the variance.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, eps, axis=-1, eps_inside=False)),
                      ("gamma scales and beta shifts: they are swapped.",
                       lambda X, g, b, eps=1e-5: _normalise(X, b, g, eps, axis=-1)),
                      ("use the eps argument, not a fixed number.",
                       lambda X, g, b, eps=1e-5: _normalise(X, g, b, axis=-1)),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 0.0], [3.0, -2.0, 1.0], [0.0, 0.5, 5.0]]),
                np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])),
        ex.case(rng.normal(size=(5, 8)) * 3 + 1, rng.normal(size=8), rng.normal(size=8)),
        ex.case(rng.normal(size=(4, 6)), rng.uniform(0.5, 2, size=6), rng.normal(size=6), eps=0.5),
        ex.case(rng.normal(size=(1, 4)), np.ones(4), np.zeros(4)),
    ])


def dropout_forward(student):
    """Check ``dropout_forward(X, p, rng)``: zero each entry with probability p, scale the rest by 1/(1-p)."""
    ex = Exercise("dropout_forward(X, p, rng)", ref.dropout_forward,
                  hint="draw one random number per entry with rng; zero the entry with probability p, and "
                       "scale the entries you keep by 1 / (1 - p).",
                  shape_hint="dropout keeps the shape of X.")
    rng = _rng()
    X = rng.uniform(0.5, 1.5, size=(200, 500)) * rng.choice([-1.0, 1.0], size=(200, 500))
    p = 0.3

    def run_once(student, p=p, seed=1, X=X):
        return as_array(ex.call(student, X, p, np.random.default_rng(seed)), X.shape,
                        f"the result for X of shape {X.shape}, p = {p}", ex.shape_hint)

    def identity_at_zero(student):
        out = run_once(student, p=0.0, X=X[:4, :5])
        if np.all(out == 0):
            raise Fail("with p = 0 every entry was zeroed.", "p is the probability of zeroing an entry, not of keeping it.")
        if not np.allclose(out, X[:4, :5]):
            raise Fail("with p = 0 the output differs from X.", "with p = 0 nothing is dropped and the scale "
                                                                "1 / (1 - p) is 1: X comes back unchanged.")

    def fraction_dropped(student):
        out = run_once(student)
        dropped = float(np.mean(out == 0))
        if abs(dropped - p) > 0.02:
            hint = ("p is the probability of zeroing an entry, not of keeping it."
                    if abs(dropped - (1 - p)) < 0.02 else
                    "each entry should be zeroed with probability p, independently of the others.")
            raise Fail(f"with p = {p}, {dropped:.0%} of the entries were zeroed.", hint)
        if np.array_equal(out[0] == 0, out[1] == 0):
            raise Fail("every example lost the same units.",
                       "draw a separate random number for every entry of X, not one mask shared by every row.")

    def scale_of_kept(student):
        out = run_once(student)
        kept = out != 0
        ratio = out[kept] / X[kept]
        if np.allclose(ratio, 1 / (1 - p)):
            return
        for value, hint in [(1.0, "forgot to scale the kept entries by 1 / (1 - p) (inverted dropout keeps "
                                  "the expected value of each unit)."),
                            (1 - p, "scale the kept entries up by 1 / (1 - p), not down by (1 - p)."),
                            (1 / p, "scale by 1 / (1 - p), the probability of keeping, not 1 / p.")]:
            if np.allclose(ratio, value):
                raise Fail(f"with p = {p} the kept entries are X times {value:.3g}.", hint)
        raise Fail(f"with p = {p} the kept entries are not X / (1 - p).", ex.hint)

    def uses_rng(student):
        first, again, other = run_once(student, seed=5), run_once(student, seed=5), run_once(student, seed=6)
        if not np.array_equal(first, again):
            raise Fail("two generators with the same seed gave different masks.",
                       "draw the random numbers with the rng argument (rng.random(...)), not np.random.")
        if np.array_equal(first, other):
            raise Fail("generators with different seeds gave the same mask.",
                       "draw the random numbers with the rng argument, not a generator of your own.")

    return ex.run(student, [identity_at_zero, fraction_dropped, scale_of_kept, uses_rng])

"""Checkers for chapter 1, neurons and layers: one neuron's weighted sum, a Dense layer's forward
pass, a neuron's output."""

import numpy as np

from . import _reference as ref
from ._common import _rng, _sigmoid
from ._exercise import Exercise


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

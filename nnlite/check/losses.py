"""Checkers for chapter 4, forward pass and loss: softmax, mean squared error, cross-entropy on logits."""

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise


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

"""Checkers for chapter 9, normalisation and dropout: the forward passes of batch norm, layer norm
and dropout."""

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise
from ._runner import Fail, as_array


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

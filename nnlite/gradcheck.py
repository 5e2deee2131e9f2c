"""Numerical gradient checking: compare a layer's backward pass with central differences."""

import numpy as np

from .core import Layer, as_float
from .errors import NNLiteError
from .losses import Loss


def rel_error(a, b):
    """``norm(a - b) / max(norm(a) + norm(b), 1e-12)``: ~1e-10 for a correct float64 gradient, ~1 for a wrong one.

    Args:
        a: an array, e.g. the analytic gradient.
        b: an array of the same shape, e.g. the numerical gradient.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _numeric(f, array, eps):
    """d f / d array by central differences, one entry at a time (f returns a float)."""
    grad = np.zeros_like(array, dtype=np.float64)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(layer, X, target=None, eps=1e-6, seed=0):
    """Relative error between analytic and numerical gradients, for the input and every Parameter.

    For a layer, the scalar checked is L = sum(Y * G) with a fixed random G (so dL/dY = G). For a loss,
    pass ``target=`` and the scalar is the loss itself.

    Args:
        layer: a Layer (parameters in float64) or a Loss.
        X: an input batch; it is copied to float64.
        target: the targets, for a loss only.
        eps: the finite-difference step.  seed: seed of G.

    Returns:
        {"input": err, "W": err, ...}; below 1e-6 means the backward pass agrees with the forward.
    """
    X = np.array(as_float(X, "gradcheck"), dtype=np.float64)   # our own copy, perturbed in place
    if isinstance(layer, Loss):
        if target is None:
            raise NNLiteError("gradcheck on a loss needs its targets: gradcheck(loss_fn, pred, target=y).")
        layer(X, target)
        analytic = layer.backward()
        numeric = _numeric(lambda: layer(X, target), X, eps)
        return {"input": rel_error(analytic, numeric)}
    if not isinstance(layer, Layer):
        raise NNLiteError(f"gradcheck takes a Layer or a Loss, got {type(layer).__name__}.")
    for name, p in layer.named_parameters():
        if p.value.dtype != np.float64:
            raise NNLiteError(f"gradcheck needs float64 parameters; {name} is {p.value.dtype}. Build the "
                              "layer with dtype=np.float64: float32 rounding swamps the differences.")
    Y = layer.forward(X)
    G = np.random.default_rng(seed).standard_normal(Y.shape)
    layer.zero_grad()
    layer.forward(X)
    dX = layer.backward(G)
    errors = {"input": rel_error(dX, _numeric(lambda: float(np.sum(layer.forward(X) * G)), X, eps))}
    for name, p in layer.named_parameters():
        analytic = p.grad.copy()
        errors[name] = rel_error(analytic, _numeric(lambda: float(np.sum(layer.forward(X) * G)), p.value, eps))
    layer.zero_grad()
    return errors

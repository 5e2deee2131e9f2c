"""Checkers for chapter 5, backpropagation: the backward passes of Dense and ReLU, and a numerical
gradient by central differences."""

import numpy as np

from . import _reference as ref
from ._common import _central, _gradient_check, _rng
from ._exercise import Exercise


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

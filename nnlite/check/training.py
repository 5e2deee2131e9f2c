"""Checkers for chapter 6, training: the optimizer steps of SGD, SGD with momentum and Adam."""

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise


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

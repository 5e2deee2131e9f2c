"""Checkers for chapter 8, recurrent layers: one RNN step, an RNN over a sequence, gradient clipping."""

import numpy as np

from . import _reference as ref
from ._common import _rng, _sigmoid
from ._exercise import Exercise


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

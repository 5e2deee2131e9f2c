"""Optimizers, in increasing complexity: SGD, SGD with momentum, Adam.

Each takes ``model.parameters()`` and, in ``step()``, changes every ``p.value`` in place using
``p.grad``. Call ``zero_grad()`` before the next backward pass: gradients accumulate.
"""

import math

import numpy as np

from .core import Parameter
from .errors import NNLiteError


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


class Optimizer:
    def __init__(self, params, lr):
        params = list(params)
        if not params:
            raise NNLiteError(f"{type(self).__name__} got no parameters. Pass model.parameters() of a model "
                              "that has layers with weights (e.g. Dense).")
        for p in params:
            if not isinstance(p, Parameter):
                raise NNLiteError(f"{type(self).__name__} takes Parameters, got {type(p).__name__}. "
                                  "Pass model.parameters(), not the model or arrays.")
        if not _is_number(lr) or not np.isfinite(lr) or lr <= 0:
            raise NNLiteError(f"{type(self).__name__}: the learning rate must be a positive number, got {lr!r}.")
        self.params = params
        self.lr = float(lr)

    def zero_grad(self):
        """Set every gradient to zero."""
        for p in self.params:
            p.grad.fill(0)

    def step(self):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's convention).

    Without momentum:  p <- p - lr * g
    With momentum mu:  v <- mu * v + g;   p <- p - lr * v
    """

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr)
        if not _is_number(momentum) or not 0 <= momentum < 1:
            raise NNLiteError(f"SGD: momentum must be in [0, 1), got {momentum!r}. Typical values: 0.9.")
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p.value) for p in self.params] if momentum else None

    def step(self):
        for i, p in enumerate(self.params):
            if self.momentum:
                v = self.velocity[i]
                v *= self.momentum
                v += p.grad
                p.value -= self.lr * v
            else:
                p.value -= self.lr * p.grad


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum on the gradient, scaled by a running size of the gradient.

    m <- b1 m + (1 - b1) g            (first moment: direction)
    v <- b2 v + (1 - b2) g^2          (second moment: scale)
    p <- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)
    """

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not _is_number(beta) or not 0 <= beta < 1:
                raise NNLiteError(f"Adam: {name} must be in [0, 1), got {beta!r}.")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        # Python floats, not numpy scalars: a np.float64 scalar would compute float32 arrays in float64.
        step_size = self.lr / (1 - self.beta1 ** self.t)           # lr / bias correction of m
        sqrt_correction2 = math.sqrt(1 - self.beta2 ** self.t)     # sqrt of the bias correction of v
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            update = np.sqrt(v)                     # one new array, then everything in place in it:
            update /= sqrt_correction2              # sqrt(v_hat)
            update += self.eps
            np.divide(m, update, out=update)        # m / (sqrt(v_hat) + eps)
            update *= step_size                     # lr * m_hat / (sqrt(v_hat) + eps)
            p.value -= update

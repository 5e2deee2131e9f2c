"""Optimizers, in increasing complexity: SGD, SGD with momentum, Adam.

Each takes ``model.parameters()`` and, in ``step()``, changes every ``p.value`` in place using
``p.grad``. Call ``zero_grad()`` before the next backward pass: gradients accumulate.
"""

import math

import numpy as np

from .core import Parameter
from .errors import NNLiteError, NNLiteTypeError


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _parameter_list(owner, params):
    """``params`` as a list of Parameters, or an error that names the slip."""
    if callable(params) and getattr(params, "__name__", "") == "parameters":
        raise NNLiteTypeError(f"{owner} got the method model.parameters itself. Call it: "
                              f"{owner}(model.parameters(), ...), with the brackets.")
    if hasattr(params, "forward") and hasattr(params, "parameters"):
        raise NNLiteTypeError(f"{owner} got a {type(params).__name__} layer or model, not its parameters. "
                              f"Pass {owner}(model.parameters(), ...).")
    try:
        params = list(params)
    except TypeError:
        raise NNLiteTypeError(f"{owner} takes a list of Parameters, got {type(params).__name__}. "
                              f"Pass {owner}(model.parameters(), ...).") from None
    seen = set()
    for p in params:
        if id(p) in seen:
            raise NNLiteError(f"{owner} got the Parameter {getattr(p, 'name', '?')!r} twice, so step() would "
                              "move it twice. List each Parameter once (a weight shared by two layers is one "
                              "Parameter: list it once).")
        seen.add(id(p))
    return params


def _weight_decay(owner, value):
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise NNLiteError(f"{owner}: weight_decay must be a number of 0 or more (typical: 1e-4 to 0.1), got {value!r}.")
    return float(value)


class Optimizer:
    """Base class of the optimizers: holds the parameters and the learning rate.

    A subclass writes ``step()``, the update rule; ``zero_grad()`` is shared.

    Args:
        params: the Parameters to train, usually ``model.parameters()``.
        lr: the learning rate, a positive number.

    Attributes:
        params: list of the Parameters.
        lr: the learning rate (it may be changed between steps).
    """

    def __init__(self, params, lr):
        params = _parameter_list(type(self).__name__, params)
        if not params:
            raise NNLiteError(f"{type(self).__name__} got no parameters. Pass model.parameters() of a model "
                              "that has layers with weights (e.g. Dense).")
        for p in params:
            if not isinstance(p, Parameter):
                raise NNLiteTypeError(f"{type(self).__name__} takes Parameters, got {type(p).__name__}. "
                                  "Pass model.parameters(), not the model or arrays.")
        if not _is_number(lr) or not np.isfinite(lr) or lr <= 0:
            raise NNLiteError(f"{type(self).__name__}: the learning rate must be a positive number, got {lr!r}.")
        self.params = params
        self.lr = float(lr)

    def zero_grad(self):
        """Set every parameter's ``grad`` to zero. Gradients accumulate (``+=``), so call it after each
        ``step()``, before the next backward pass."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Update every parameter's ``value`` in place from its ``grad``, by the optimizer's rule."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's convention).

    Without momentum:  p <- p - lr * g
    With momentum mu:  v <- mu * v + g;   p <- p - lr * v
    With weight_decay wd, g is first replaced by g + wd * p: the gradient of an L2 penalty wd/2 * sum(p**2).

    Args:
        params: the Parameters to train, usually ``model.parameters()``.
        lr: the learning rate, a positive number.
        momentum: mu in [0, 1); 0 (the default) is plain SGD, 0.9 is usual.
        weight_decay: wd, 0 or more (default 0: no decay).
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        if not _is_number(momentum) or not 0 <= momentum < 1:
            raise NNLiteError(f"SGD: momentum must be in [0, 1), got {momentum!r}. Typical values: 0.9.")
        self.momentum = float(momentum)
        self.weight_decay = _weight_decay("SGD", weight_decay)
        self.velocity = [np.zeros_like(p.value) for p in self.params] if momentum else None

    def step(self):
        for i, p in enumerate(self.params):
            if self.weight_decay:
                p.grad += self.weight_decay * p.value          # L2 penalty: g <- g + wd * p (as PyTorch)
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

    With weight_decay wd (default 0), g is first replaced by g + wd * p, as PyTorch's Adam does; AdamW
    decays the weights themselves instead.

    Args:
        params: the Parameters to train, usually ``model.parameters()``.
        lr: the learning rate (default 1e-3).
        beta1: decay rate of the first moment m, in [0, 1) (default 0.9).
        beta2: decay rate of the second moment v, in [0, 1) (default 0.999).
        eps: added to sqrt(v_hat) so the step stays finite (default 1e-8).
        weight_decay: wd, 0 or more (default 0: no decay).
    """

    decoupled = False        # AdamW: the weight decay shrinks the weights directly, outside the moments

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.weight_decay = _weight_decay(type(self).__name__, weight_decay)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not _is_number(beta) or not 0 <= beta < 1:
                raise NNLiteError(f"Adam: {name} must be in [0, 1), got {beta!r}.")
        if not _is_number(eps) or not math.isfinite(eps) or eps <= 0:
            raise NNLiteError(f"Adam: eps must be a small positive number such as 1e-8 (it keeps the step "
                              f"finite where the gradient is 0), got {eps!r}.")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        self._scratch = [np.empty_like(p.value) for p in self.params]   # reused by every step: no new arrays
        self.t = 0

    def step(self):
        self.t += 1
        # Python floats, not numpy scalars: a np.float64 scalar would compute float32 arrays in float64.
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1 - b1 ** self.t)               # lr / bias correction of m
        sqrt_correction2 = math.sqrt(1 - b2 ** self.t)         # sqrt of the bias correction of v
        for p, m, v, scratch in zip(self.params, self.m, self.v, self._scratch):
            g = p.grad
            if self.weight_decay and self.decoupled:
                p.value *= 1 - self.lr * self.weight_decay      # AdamW: p <- p (1 - lr wd), then Adam
            elif self.weight_decay:
                g = g + self.weight_decay * p.value           # Adam's L2 penalty: g <- g + wd * p
            # Every operation writes into m, v or the scratch array: allocating four temporaries of the
            # parameter's size per step cost a quarter of Adam's time (784 x 128 float32: 152 -> 124 us).
            m *= b1
            np.multiply(g, 1 - b1, out=scratch)
            m += scratch                                       # m <- b1 m + (1 - b1) g
            v *= b2
            np.multiply(g, g, out=scratch)
            scratch *= 1 - b2
            v += scratch                                       # v <- b2 v + (1 - b2) g^2
            np.sqrt(v, out=scratch)
            scratch /= sqrt_correction2
            scratch += self.eps                                # sqrt(v_hat) + eps
            np.divide(m, scratch, out=scratch)
            scratch *= step_size                               # lr * m_hat / (sqrt(v_hat) + eps)
            p.value -= scratch


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's ``AdamW``.

    Each step first shrinks every weight, p <- p (1 - lr * wd), then takes Adam's step on the plain
    gradient. Unlike an L2 penalty added to g, the decay is not rescaled by Adam's per-parameter step
    size, so every weight decays at the same rate. Default weight_decay 0.01, as PyTorch.

    Args:
        params: the Parameters to train, usually ``model.parameters()``.
        lr: the learning rate (default 1e-3).
        beta1: decay rate of the first moment m, in [0, 1) (default 0.9).
        beta2: decay rate of the second moment v, in [0, 1) (default 0.999).
        eps: added to sqrt(v_hat) so the step stays finite (default 1e-8).
        weight_decay: wd, 0 or more (default 0.01).
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, beta1, beta2, eps, weight_decay)


def clip_grad_norm(parameters, max_norm):
    """Scale every gradient by the same factor so that their joint L2 norm is at most ``max_norm``.

    The norm is taken over all the gradients together, as one long vector; if it exceeds ``max_norm``,
    each ``p.grad`` is multiplied by ``max_norm / (norm + 1e-6)`` (PyTorch's ``clip_grad_norm_``). The
    direction of the step is kept; only its length is capped.

    Args:
        parameters: the Parameters whose gradients to clip, usually ``model.parameters()``.
        max_norm: the largest joint norm allowed, a positive number such as 1.0.

    Returns:
        The joint norm of the gradients before clipping (a float).
    """
    params = _parameter_list("clip_grad_norm", parameters)
    if not _is_number(max_norm) or not math.isfinite(max_norm) or max_norm <= 0:
        raise NNLiteError(f"clip_grad_norm: max_norm must be a positive number such as 1.0, got {max_norm!r}.")
    total = math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))
    if not math.isfinite(total):
        raise NNLiteError("clip_grad_norm: a gradient holds NaN or infinity, so it cannot be rescaled. Lower the "
                          "learning rate and rebuild the model.")
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            p.grad *= scale
    return total

"""Activation functions and their derivatives, as plain numpy functions.

Each activation ``f`` comes with ``f_grad(x)``, the elementwise derivative f'(x), so that a layer's
backward pass is ``dX = dY * f_grad(X)``. Softmax mixes the entries of a row, so its derivative is a
Jacobian; ``softmax_backward(s, dY)`` applies it without building the matrix.

Every function takes a number, a list or an array of any real dtype. float32 stays float32 and float64
stays float64; integers, booleans and float16 become float64 (``sigmoid([-2, 0, 2])`` is not rounded to
integers). A number gives a number, an array an array of the same shape.
"""

import functools

import numpy as np

from .errors import NNLiteTypeError, ShapeError

SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))   # a Python float, so float32 input stays float32
GELU_C = 0.044715
GELU_CLIP = 10.0   # GELU's tanh is +-1 to the last bit beyond |x| = 10 (float32 and float64): x is clipped there


def _as_float(name, x):
    """``x`` as a float32 or float64 array, and whether it came as a single number."""
    scalar = np.ndim(x) == 0 if not isinstance(x, np.ndarray) else x.ndim == 0
    try:
        array = np.asarray(x)
    except (ValueError, TypeError):
        array = None
    if array is None or array.dtype.kind not in "biuf":
        got = type(x).__name__ if array is None else f"{type(x).__name__} of dtype {array.dtype}"
        raise NNLiteTypeError(f"F.{name} takes real numbers (a number, a list or a numpy array), got {got}. "
                              "Convert first, e.g. np.asarray(x, dtype=float).")
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return array, scalar


def _no_scores(array, axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -array.ndim <= axis < max(array.ndim, 1):
        raise ShapeError(f"axis {axis!r} does not exist in an array of shape {array.shape}: use -1 for the "
                         "last axis (the scores of each row).")
    return array.ndim > 0 and array.shape[axis] == 0


def _elementwise(function):
    """Let ``function`` (written for float arrays) take numbers, lists and any real dtype (module docstring)."""
    @functools.wraps(function)
    def wrapper(x, *args, **kwargs):
        array, scalar = _as_float(function.__name__, x)
        axis = kwargs.get("axis", args[0] if args else -1)
        if "axis" in function.__code__.co_varnames and (scalar or _no_scores(array, axis)):
            got = "a single number" if scalar else f"no scores along axis {axis} (shape {array.shape})"
            raise ShapeError(f"F.{function.__name__} works along an axis of scores, but got {got}. "
                             "Pass at least one score per row, e.g. F.softmax(np.array([1.0, 2.0, 3.0])).")
        out = np.asarray(function(array, *args, **kwargs)).astype(array.dtype, copy=False)
        if scalar:
            return float(out) if isinstance(x, (int, float, bool)) else out[()]
        return out
    return wrapper


@_elementwise
def relu(x):
    """max(0, x). Unbounded above: ReLU does not squash."""
    return np.maximum(x, 0)


@_elementwise
def relu_grad(x):
    """1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""
    return (x > 0).astype(x.dtype)


@_elementwise
def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise."""
    return np.where(x > 0, x, negative_slope * x)


@_elementwise
def leaky_relu_grad(x, negative_slope=0.01):
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


@_elementwise
def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for any finite x. Output in (0, 1)."""
    e = np.exp(-np.abs(x))                       # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


@_elementwise
def sigmoid_grad(x):
    """sigma(x) * (1 - sigma(x)); at most 0.25, at x = 0."""
    s = sigmoid(x)
    return s * (1 - s)


@_elementwise
def tanh(x):
    """Hyperbolic tangent. Output in (-1, 1), zero-centred."""
    return np.tanh(x)


@_elementwise
def tanh_grad(x):
    """1 - tanh(x)**2."""
    return 1 - np.tanh(x) ** 2


@_elementwise
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``; subtracting the max first keeps it finite."""
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(s, dY, axis=-1):
    """dL/dx for s = softmax(x): the Jacobian diag(s) - s s^T applied to dY, row by row."""
    return s * (dY - (dY * s).sum(axis=axis, keepdims=True))


@_elementwise
def log_softmax(x, axis=-1):
    """log(softmax(x)) computed stably as x - logsumexp(x)."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@_elementwise
def gelu(x):
    """GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    This is PyTorch's ``GELU(approximate="tanh")``; it differs from the exact erf form by < 1e-3.
    Inside tanh, x is clipped to +-10, where tanh is already +-1: huge inputs give x or 0, no overflow.
    """
    xc = np.clip(x, -GELU_CLIP, GELU_CLIP)        # so that x^3 cannot overflow; tanh is +-1 beyond anyway
    return 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (xc + GELU_C * (xc * xc * xc))))   # x*x*x: ** 3 is 100x slower


@_elementwise
def gelu_grad(x):
    """The derivative of the tanh-form GELU: 0.5 at 0, at most 1.13 (near x = 1.42), 1 for large x and
    0 for very negative x."""
    xc = np.clip(x, -GELU_CLIP, GELU_CLIP)
    x2 = xc * xc                                  # products, not **: numpy's power is ~100x slower
    t = np.tanh(SQRT_2_OVER_PI * (xc + GELU_C * x2 * xc))
    du = SQRT_2_OVER_PI * (1 + 3 * GELU_C * x2)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du


# name -> (function, derivative); used by the widgets and the activation chapter.
ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "gelu": (gelu, gelu_grad),
}

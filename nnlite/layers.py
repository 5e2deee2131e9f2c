"""Dense, Flatten and the activation layers."""

import numpy as np

from . import functional as F
from . import init
from .core import Layer, as_float, building_shapes_only, check_finite, new_parameter, validate_input
from .errors import NNLiteError, ShapeError


def _check_size(value, what, layer_name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise NNLiteError(f"{layer_name}: {what} must be a positive integer, got {value!r}.")
    return int(value)


class Dense(Layer):
    """Fully connected layer: Y = X @ W + b.

    Args:
        n_in: features per input example.
        n_out: features per output example (neurons).
        rng: seed or np.random.Generator for the initial weights (default: the generator ``nl.manual_seed`` seeds).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, n_in) -> Y (N, n_out); also X (N, ..., n_in) -> Y (N, ..., n_out), the same weights
    applied at every position of the leading axes (a token in a sequence, say). A 1-D X needs a batch
    axis; a convolution's (N, C, L) output needs Flatten first, unless L happens to be n_in.

    Attributes:
        W: Parameter (n_in, n_out), init U(-1/sqrt(n_in), 1/sqrt(n_in)).
        b: Parameter (n_out,), same initial distribution.

    Example:
        >>> layer = Dense(3, 2, rng=0)
        >>> layer(np.ones((5, 3))).shape
        (5, 2)
    """

    def __init__(self, n_in, n_out, rng=None, dtype=np.float64):
        self.n_in = _check_size(n_in, "n_in", "Dense")
        self.n_out = _check_size(n_out, "n_out", "Dense")
        self.dtype = init.check_dtype(dtype)
        rng = init.make_rng(rng)
        fill = lambda p: init.uniform_fan_in(p, fan_in=self.n_in, rng=rng)
        self.W = new_parameter((self.n_in, self.n_out), self.dtype, "W", fill)
        self.b = new_parameter((self.n_out,), self.dtype, "b", fill)
        self.shapes_only = building_shapes_only()
        self._X = None

    def forward(self, X):
        if not isinstance(X, np.ndarray):
            X = as_float(X, self, self.dtype)
        if X.ndim > 2 and X.shape[-1] == self.n_in:   # (N, ..., n_in): the same layer at every position
            if 0 in X.shape:
                raise ShapeError(f"{self!r} got an empty input {X.shape}. Pass at least one example, and "
                                 "at least one position along every axis.")
            X = validate_input(X, self, (None,) * (X.ndim - 1) + (self.n_in,), self.dtype)
        else:
            X = validate_input(X, self, (None, self.n_in), self.dtype)
        self._X = X                                   # kept for backward
        Y = X @ self.W.value                          # (N, ..., n_out)
        Y += self.b.value                             # the bias, broadcast over the batch (in place)
        return Y

    def backward(self, dY, input_grad=True):
        X = self._need_cache(self._X)
        dY = self._check_grad(dY, X.shape[:-1] + (self.n_out,))
        X2 = X.reshape(-1, self.n_in)       # (rows, n_in), a row a position
        dY2 = dY.reshape(-1, self.n_out)    # (rows, n_out)
        self.W.grad += X2.T @ dY2           # (n_in, n_out)
        self.b.grad += dY2.sum(axis=0)      # (n_out,)
        if not input_grad:
            return None
        return dY @ self.W.value.T          # (N, ..., n_in)

    def parameters(self):
        return [self.W, self.b]

    def output_shape(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] != self.n_in:
            return None                               # let forward raise its error
        return tuple(input_shape[:-1]) + (self.n_out,)

    def __repr__(self):
        return f"Dense({self.n_in}→{self.n_out})"


class Flatten(Layer):
    """Keep the batch axis, flatten the rest: (N, d1, d2, ...) -> (N, d1*d2*...). No parameters."""

    def forward(self, X):
        X = as_float(X, self)
        if X.ndim < 1 or X.shape[0] == 0:
            raise NNLiteError(f"Flatten expects a batch (N, ...), got shape {X.shape}. Add a batch axis: x[None].")
        self._shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dY, input_grad=True):
        shape = self._need_cache(getattr(self, "_shape", None))
        dY = self._check_grad(dY, (shape[0], int(np.prod(shape[1:]))))
        return dY.reshape(shape) if input_grad else None


class Activation(Layer):
    """An elementwise activation as a layer: Y = f(X), dX = dY * f'(X). No parameters. Any shape."""

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, X):
        X = check_finite(as_float(X, self), self)       # NaN would pass through every later layer
        self._X = X
        return self.f(X)

    def backward(self, dY, input_grad=True):
        X = self._need_cache(getattr(self, "_X", None))
        dY = self._check_grad(dY, X.shape)
        return dY * self.f_grad(X) if input_grad else None


class ReLU(Activation):
    """Y = max(0, X). Unbounded above; its derivative is 1 for X > 0 and 0 otherwise."""

    def forward(self, X):
        self._Y = np.maximum(check_finite(as_float(X, self), self), 0)   # Y > 0 exactly where X > 0
        return self._Y

    def backward(self, dY, input_grad=True):
        Y = self._need_cache(getattr(self, "_Y", None))
        dY = self._check_grad(dY, Y.shape)
        return dY * (Y > 0) if input_grad else None


class LeakyReLU(Activation):
    """Y = X for X > 0, negative_slope * X otherwise, so negative inputs still pass a gradient.

    Args:
        negative_slope: the slope for X <= 0 (default 0.01, as PyTorch).
    """

    def __init__(self, negative_slope=0.01):
        if (isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float, np.integer, np.floating))
                or not np.isfinite(negative_slope)):
            raise NNLiteError(f"LeakyReLU: negative_slope must be a finite number such as 0.01, got {negative_slope!r}.")
        self.negative_slope = float(negative_slope)

    def f(self, X):
        return F.leaky_relu(X, self.negative_slope)

    def f_grad(self, X):
        return F.leaky_relu_grad(X, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU({self.negative_slope:g})"


class Sigmoid(Activation):
    """Y = 1 / (1 + exp(-X)), in (0, 1). Saturates: its derivative is at most 0.25."""

    def forward(self, X):
        X = check_finite(as_float(X, self), self)
        self._Y = F.sigmoid(X)                        # backward needs only the output
        return self._Y

    def backward(self, dY, input_grad=True):
        Y = self._need_cache(getattr(self, "_Y", None))
        dY = self._check_grad(dY, Y.shape)
        return dY * Y * (1 - Y) if input_grad else None


class Tanh(Activation):
    """Y = tanh(X), in (-1, 1) and zero-centred. Derivative 1 - Y**2."""

    def forward(self, X):
        X = check_finite(as_float(X, self), self)
        self._Y = np.tanh(X)
        return self._Y

    def backward(self, dY, input_grad=True):
        Y = self._need_cache(getattr(self, "_Y", None))
        dY = self._check_grad(dY, Y.shape)
        return dY * (1 - Y * Y) if input_grad else None


class Softmax(Activation):
    """Y = softmax(X) over the last axis: each row becomes positive and sums to 1.

    For training a classifier use CrossEntropyLoss on the logits instead: it fuses softmax and the log
    and is stable; this layer is for looking at probabilities.
    """

    def forward(self, X):
        X = check_finite(as_float(X, self), self)
        if X.ndim == 0 or X.shape[-1] == 0:
            raise ShapeError(f"{self!r} needs at least one score along the last axis, got shape {X.shape}. "
                             "Pass scores of shape (batch, classes).")
        self._Y = F.softmax(X, axis=-1)
        return self._Y

    def backward(self, dY, input_grad=True):
        Y = self._need_cache(getattr(self, "_Y", None))
        dY = self._check_grad(dY, Y.shape)
        return F.softmax_backward(Y, dY) if input_grad else None


class GELU(Activation):
    """Gaussian error linear unit, tanh form (PyTorch's ``GELU(approximate="tanh")``)."""

    f = staticmethod(F.gelu)
    f_grad = staticmethod(F.gelu_grad)

"""BatchNorm, LayerNorm and Dropout: layers that behave differently in training and evaluation
(BatchNorm, Dropout) or that rescale activations (BatchNorm, LayerNorm)."""

import numpy as np

from . import init
from .core import Layer, Parameter, as_float, check_finite, validate_input
from .errors import InputError, NNLiteError, ShapeError


def _check_eps(eps, layer_name):
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or not eps > 0:
        raise NNLiteError(f"{layer_name}: eps must be a small positive number such as 1e-5, got {eps!r}.")
    return float(eps)


def _normalize_backward(dY, X_hat, inv_std, gamma, axes):
    """dL/dX of Y = gamma * X_hat + beta, X_hat = (X - mean) * inv_std, mean and variance over ``axes``.

    dX = inv_std * (dX_hat - mean(dX_hat) - X_hat * mean(dX_hat * X_hat)), dX_hat = dY * gamma.
    """
    dX_hat = dY * gamma
    return inv_std * (dX_hat - dX_hat.mean(axis=axes, keepdims=True)
                      - X_hat * (dX_hat * X_hat).mean(axis=axes, keepdims=True))


class BatchNorm(Layer):
    """Batch normalisation (Ioffe & Szegedy, 2015): normalise each feature over the batch, then scale and shift.

    Y = gamma * (X - mean) / sqrt(var + eps) + beta, per feature (axis 1).

    In training, mean and var are the batch's (biased variance), computed over every axis except axis 1,
    and the running statistics move towards them:
    ``running = (1 - momentum) * running + momentum * batch`` (PyTorch's convention; the running variance
    uses the unbiased batch variance). In evaluation (``eval()``) the running statistics are used instead,
    so an example's output no longer depends on the rest of its batch.

    Args:
        num_features: size C of axis 1 (features of a Dense output, channels of a convolution output).
        eps: added to the variance for stability (default 1e-5).
        momentum: weight of the newest batch in the running statistics (default 0.1, as PyTorch).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, C), (N, C, L) or (N, C, H, W) -> Y, same shape.

    Attributes:
        gamma: Parameter (C,), init 1.  beta: Parameter (C,), init 0.
        running_mean: buffer (C,), init 0.  running_var: buffer (C,), init 1 (not learned: see ``buffers()``).

    Example:
        >>> bn = BatchNorm(3)
        >>> Y = bn(np.random.default_rng(0).normal(5, 2, size=(64, 3)))
        >>> bool(np.allclose(Y.mean(axis=0), 0))
        True
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, dtype=np.float64):
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise NNLiteError(f"BatchNorm: num_features must be a positive integer, got {num_features!r}.")
        if (isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.integer, np.floating))
                or not 0 <= momentum <= 1):
            raise NNLiteError(f"BatchNorm: momentum must be a number in [0, 1] (0.1 is usual), got {momentum!r}.")
        self.num_features = int(num_features)
        self.eps, self.momentum = _check_eps(eps, "BatchNorm"), float(momentum)
        self.dtype = init.check_dtype(dtype)
        self.gamma = Parameter(np.ones(self.num_features, self.dtype), "gamma")
        self.beta = Parameter(np.zeros(self.num_features, self.dtype), "beta")
        self.running_mean = np.zeros(self.num_features, self.dtype)
        self.running_var = np.ones(self.num_features, self.dtype)
        self._cache = None

    def forward(self, X):
        X = as_float(X, repr(self), self.dtype)
        C = self.num_features
        expected = f"(batch, {C}), (batch, {C}, L) or (batch, {C}, H, W)"
        if X.ndim < 2 or X.ndim > 4:
            hint = " Add a batch axis: x[None]." if X.ndim == 1 else ""
            raise ShapeError(f"{self!r} expects input of shape {expected}, got {X.shape}.{hint}")
        if X.shape[1] != C:
            raise ShapeError(f"{self!r} expects input of shape {expected}, got {X.shape}: axis 1 (features or "
                             f"channels) should have size {C}. Use BatchNorm({X.shape[1]}) or check the "
                             "previous layer's output size.")
        X = validate_input(X, self, (None,) + X.shape[1:], self.dtype)       # empty batch, NaN, infinity
        axes = (0,) + tuple(range(2, X.ndim))                  # every axis but the feature axis
        shape = (1, -1) + (1,) * (X.ndim - 2)                  # broadcast (C,) against X
        if self.training:
            count = X.size // self.num_features                # values per feature in this batch
            if count < 2:
                raise ShapeError(f"{self!r} needs more than one value per feature in training, got input "
                                 f"{X.shape}. Use a batch of at least 2 examples, or call eval() first.")
            mean, var = X.mean(axis=axes), X.var(axis=axes)    # (C,), biased variance
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += m * var * (count / (count - 1))   # unbiased, as PyTorch
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = (1.0 / np.sqrt(var + self.eps)).reshape(shape)
        X_hat = (X - mean.reshape(shape)) * inv_std                # (N, C, ...)
        self._cache = (X_hat, inv_std, axes, shape, self.training)
        return self.gamma.value.reshape(shape) * X_hat + self.beta.value.reshape(shape)

    def backward(self, dY, input_grad=True):
        X_hat, inv_std, axes, shape, training = self._need_cache(self._cache)
        dY = self._check_grad(dY, X_hat.shape)
        self.gamma.grad += (dY * X_hat).sum(axis=axes)             # (C,)
        self.beta.grad += dY.sum(axis=axes)                        # (C,)
        if not input_grad:
            return None
        gamma = self.gamma.value.reshape(shape)
        if not training:                                           # mean and var are constants
            return dY * gamma * inv_std
        return _normalize_backward(dY, X_hat, inv_std, gamma, axes)

    def parameters(self):
        return [self.gamma, self.beta]

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def __repr__(self):
        return f"BatchNorm({self.num_features})"


class LayerNorm(Layer):
    """Layer normalisation (Ba et al., 2016): normalise each example across its features, then apply a
    learned gain and shift. Same computation in training and evaluation; no batch statistics.

    Y = gamma * (X - mean) / sqrt(var + eps) + beta, mean and (biased) var over the trailing
    ``normalized_shape`` axes of each example.

    Args:
        normalized_shape: the trailing shape to normalise over, e.g. 64 for (N, 64) or (T, F) for (N, T, F).
        eps: added to the variance for stability (default 1e-5).
        dtype: np.float64 (default) or np.float32.

    Shape: X ``(N, ..., *normalized_shape)`` -> Y, same shape.

    Attributes:
        gamma: Parameter ``normalized_shape``, init 1.  beta: Parameter ``normalized_shape``, init 0.

    Example:
        >>> ln = LayerNorm(4)
        >>> Y = ln(np.array([[1.0, 2.0, 3.0, 4.0]]))
        >>> bool(np.isclose(Y.mean(), 0))
        True
    """

    def __init__(self, normalized_shape, eps=1e-5, dtype=np.float64):
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else normalized_shape
        if not (isinstance(shape, (tuple, list)) and shape and all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in shape)):
            raise NNLiteError(f"LayerNorm: normalized_shape must be a positive integer or a tuple of them, "
                              f"got {normalized_shape!r}.")
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps = _check_eps(eps, "LayerNorm")
        self.dtype = init.check_dtype(dtype)
        self.gamma = Parameter(np.ones(self.normalized_shape, self.dtype), "gamma")
        self.beta = Parameter(np.zeros(self.normalized_shape, self.dtype), "beta")
        self._cache = None

    def forward(self, X):
        X = as_float(X, repr(self), self.dtype)
        k = len(self.normalized_shape)
        if X.ndim < k + 1 or X.shape[X.ndim - k:] != self.normalized_shape:
            expected = ", ".join(["batch", "..."] + [str(n) for n in self.normalized_shape])
            hint = (" Add a batch axis: x[None]." if X.shape == self.normalized_shape else
                    " Pass the size of the last axis (or axes) of the input as normalized_shape.")
            raise ShapeError(f"{self!r} expects input of shape ({expected}), got {X.shape}.{hint}")
        X = validate_input(X, self, (None,) + X.shape[1:], self.dtype)
        axes = tuple(range(X.ndim - k, X.ndim))                    # the features of each example
        mean = X.mean(axis=axes, keepdims=True)                    # (N, ..., 1, ...)
        inv_std = 1.0 / np.sqrt(X.var(axis=axes, keepdims=True) + self.eps)
        X_hat = (X - mean) * inv_std
        self._cache = (X_hat, inv_std, axes)
        return self.gamma.value * X_hat + self.beta.value

    def backward(self, dY, input_grad=True):
        X_hat, inv_std, axes = self._need_cache(self._cache)
        dY = self._check_grad(dY, X_hat.shape)
        batch_axes = tuple(range(X_hat.ndim - len(axes)))          # every axis that is not normalised
        self.gamma.grad += (dY * X_hat).sum(axis=batch_axes)
        self.beta.grad += dY.sum(axis=batch_axes)
        if not input_grad:
            return None
        return _normalize_backward(dY, X_hat, inv_std, self.gamma.value, axes)

    def parameters(self):
        return [self.gamma, self.beta]

    def output_shape(self, input_shape):
        k = len(self.normalized_shape)
        return tuple(input_shape) if tuple(input_shape[-k:]) == self.normalized_shape and len(input_shape) > k else None

    def __repr__(self):
        shape = self.normalized_shape[0] if len(self.normalized_shape) == 1 else self.normalized_shape
        return f"LayerNorm({shape})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014): in training, zero each value with probability p and
    scale the kept ones by 1 / (1 - p), so the expected output equals the input. In evaluation it is the
    identity: nothing is dropped and nothing is scaled.

    Args:
        p: probability of dropping a value, in [0, 1).
        rng: seed or np.random.Generator that draws the masks (default: the generator ``nl.manual_seed`` sets).

    Shape: X any shape (N, ...) -> Y, same shape. No parameters.

    Example:
        >>> drop = Dropout(0.5, rng=0)
        >>> np.unique(drop(np.ones((2, 4))))   # dropped (0) or kept, doubled
        array([0., 2.])
        >>> drop.eval()(np.ones((1, 3)))
        array([[1., 1., 1.]])
    """

    def __init__(self, p=0.5, rng=None):
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0 <= p < 1:
            raise NNLiteError(f"Dropout: p is the probability of dropping a value and must be in [0, 1), "
                              f"got {p!r}. Use p=0.5 for a hidden layer, 0.1-0.2 near the input.")
        self.p = float(p)
        self.rng = init.make_rng(rng)
        self._mask = None

    def forward(self, X):
        X = as_float(X, repr(self))
        if X.ndim < 1 or X.shape[0] == 0:
            raise InputError(f"{self!r} expects a batch (N, ...), got shape {X.shape}. Add a batch axis: x[None].")
        check_finite(X, repr(self))
        self._shape = X.shape
        if not self.training or self.p == 0:
            self._mask = np.ones((1,) * X.ndim, X.dtype)                    # identity
            return X
        keep = self.rng.random(X.shape) >= self.p                             # True with probability 1 - p
        self._mask = keep.astype(X.dtype) / (1 - self.p)                      # 0 or 1/(1-p), X's dtype
        return X * self._mask

    def backward(self, dY, input_grad=True):
        mask = self._need_cache(self._mask)
        dY = self._check_grad(dY, self._shape)
        return dY * mask if input_grad else None

    def __repr__(self):
        return f"Dropout(p={self.p:g})"

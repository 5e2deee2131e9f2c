"""Residual connections (He et al., 2016): Y = X + inner(X)."""

import numpy as np

from .core import Layer, Sequential
from .errors import NNLiteError, ShapeError
from .layers import Dense, ReLU


class Residual(Layer):
    """A skip connection around a layer: Y = X + inner(X).

    The gradient takes both paths and adds up: dX = dY + inner.backward(dY). Parameters, buffers and
    train/eval all belong to ``inner``. ``inner`` must keep the shape of its input.

    Args:
        inner: any Layer (often a Sequential) whose output has the shape of its input.

    Shape: X (N, ...) -> Y, same shape.

    Example:
        >>> # the hidden layer of the MNIST-1D MLP:
        >>> block = Residual(Sequential(Dense(100, 100, rng=0), ReLU()))
        >>> block(np.ones((4, 100))).shape
        (4, 100)
    """

    def __init__(self, inner):
        if not isinstance(inner, Layer):
            raise NNLiteError(f"Residual wraps a layer, got {type(inner).__name__}. Example: "
                              "Residual(Sequential(Dense(100, 100), ReLU())).")
        self.inner = inner

    def forward(self, X):
        Y = self.inner(X)
        X = np.asarray(X, Y.dtype)
        if Y.shape != X.shape:
            raise ShapeError(f"{self!r}: the inner layers turn {X.shape} into {Y.shape}, but X + inner(X) needs "
                             "the same shape. Make the last inner layer output as many features as the input.")
        return X + Y

    def backward(self, dY, input_grad=True):
        dX_inner = self.inner.backward(dY, input_grad=input_grad)          # the path through inner
        return dY + dX_inner if input_grad else None                       # plus the skip path

    def parameters(self):
        return self.inner.parameters()

    def named_parameters(self):
        return self.inner.named_parameters()

    def buffers(self):
        return self.inner.buffers()

    def train(self, mode=True):
        self.training = bool(mode)
        self.inner.train(mode)
        return self

    def __repr__(self):
        inner = repr(self.inner)
        if isinstance(self.inner, Sequential):
            inner = ", ".join(repr(layer) for layer in self.inner)
        return f"Residual({inner})"


class ResidualBlock(Residual):
    """The MNIST-1D paper's residual hidden layer: Y = X + ReLU(X @ W + b).

    Args:
        n_features: features in and out.
        rng: seed or np.random.Generator for the initial weights (default: the generator ``nl.manual_seed`` seeds).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, n_features) -> Y (N, n_features).

    Attributes:
        inner: Sequential(Dense(n_features, n_features), ReLU()); its W and b are the block's parameters.

    Example:
        >>> ResidualBlock(100, rng=0)(np.ones((4, 100))).shape
        (4, 100)
    """

    def __init__(self, n_features, rng=None, dtype=np.float64):
        super().__init__(Sequential(Dense(n_features, n_features, rng=rng, dtype=dtype), ReLU()))

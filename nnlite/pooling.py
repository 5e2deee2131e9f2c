"""Pooling layers: MaxPool1D/2D and AvgPool1D/2D. No parameters.

Each output is the maximum (or the mean) of one window of the input, channel by channel. There are no
Python loops over positions or examples: ``conv.kernel_offsets`` gives, for each of the prod(kernel)
offsets inside a window, the strided view of the input that this offset sees at every output position
(for 2×2 windows, the four sub-grids X[:, :, u::2, v::2]). The maximum of the windows is then the running
``np.maximum`` of those prod(kernel) views, their mean is their sum over prod(kernel); backward adds each
output's gradient back through the same views. This works for any stride, overlapping windows included.
"""

import numpy as np

from .conv import as_tuple, check_fits, kernel_offsets, output_size, validate_spatial
from .core import Layer


class _Pool(Layer):
    """Shared code of the pooling layers; ``dims`` is the number of spatial axes."""

    dims = None

    def __init__(self, kernel_size, stride=None):
        name = type(self).__name__
        self.kernel_size = as_tuple(kernel_size, self.dims, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_tuple(stride, self.dims, "stride", name)
        self._cache = None

    def _views(self, X):
        """Check X; return it and, for every kernel offset, the index of its view X[index] (N, C, *out)."""
        X = validate_spatial(X, self, None, self.dims, None)               # (N, C, *size), any C
        check_fits(X, self, self.kernel_size, (0,) * self.dims)
        out = tuple(output_size(n, k, s) for n, k, s in zip(X.shape[2:], self.kernel_size, self.stride))
        return X, [index for _, index in kernel_offsets(self.kernel_size, self.stride, out)]

    def __repr__(self):
        kernel = "×".join(map(str, self.kernel_size))
        extra = ""
        if self.stride != self.kernel_size:
            extra = f", stride={self.stride[0] if len(set(self.stride)) == 1 else self.stride}"
        return f"{type(self).__name__}({kernel}{extra})"


class _MaxPool(_Pool):
    def forward(self, X):
        X, views = self._views(X)                               # (N, C, *size), prod(k) indices
        Y = X[views[0]].copy()                                  # (N, C, *out): first entry of each window
        for index in views[1:]:
            np.maximum(Y, X[index], out=Y)                      # running maximum over the kernel offsets
        self._cache = (X, Y, views)
        return Y

    def backward(self, dY, input_grad=True):
        X, Y, views = self._need_cache(self._cache)
        dY = self._check_grad(dY, Y.shape)                      # (N, C, *out)
        if not input_grad:
            return None
        overlap = any(s < k for s, k in zip(self.stride, self.kernel_size))   # an entry in several windows?
        dX = np.zeros(X.shape, dY.dtype)                        # (N, C, *size)
        unclaimed = np.ones(Y.shape, bool)                      # windows whose maximum is still to be found
        for index in views:                                     # offsets in window order (row by row)
            first = X[index] == Y                               # (N, C, *out): this entry is a maximum...
            first &= unclaimed                                  # ...and the first one: ties go to it, as PyTorch
            unclaimed ^= first
            if overlap:
                dX[index] += dY * first                         # an entry in several windows adds their shares
            else:
                np.multiply(dY, first, out=dX[index])           # each entry is in one window at most
        return dX


class _AvgPool(_Pool):
    def forward(self, X):
        X, views = self._views(X)                               # (N, C, *size), prod(k) indices
        Y = X[views[0]].copy()                                  # (N, C, *out)
        for index in views[1:]:
            Y += X[index]                                       # sum over the kernel offsets...
        Y /= len(views)                                         # ...divided by the window size prod(k)
        self._cache = (X.shape, Y.shape, views)
        return Y

    def backward(self, dY, input_grad=True):
        X_shape, Y_shape, views = self._need_cache(self._cache)
        dY = self._check_grad(dY, Y_shape)                      # (N, C, *out)
        if not input_grad:
            return None
        share = dY / len(views)                                 # every entry of a window gets 1/prod(k)
        dX = np.zeros(X_shape, dY.dtype)                        # (N, C, *size)
        for index in views:
            dX[index] += share                                  # overlapping windows add up
        return dX


class MaxPool1D(_MaxPool):
    """Maximum of each window of length k, per channel: Y[n, c, t] = max_j X[n, c, t*stride + j].

    Args:
        kernel_size: window length k.
        stride: step between windows (default k: windows do not overlap).

    Shape: X (N, C, L) -> Y (N, C, L_out), L_out = floor((L - k) / stride) + 1.

    Backward sends each output's gradient to the input that was the maximum (the first one on a tie).
    No parameters.

    Example:
        >>> MaxPool1D(2)(np.arange(6.0).reshape(1, 1, 6))
        array([[[1., 3., 5.]]])
    """

    dims = 1


class MaxPool2D(_MaxPool):
    """Maximum of each kh×kw window, per channel.

    Args:
        kernel_size: k or (kh, kw).
        stride: s or (sh, sw) (default the kernel size: windows do not overlap).

    Shape: X (N, C, H, W) -> Y (N, C, H_out, W_out), H_out = floor((H - kh) / sh) + 1.

    Backward sends each output's gradient to the input that was the maximum (the first one on a tie).
    No parameters.

    Example:
        >>> MaxPool2D(2)(np.ones((5, 8, 6, 6))).shape
        (5, 8, 3, 3)
    """

    dims = 2


class AvgPool1D(_AvgPool):
    """Mean of each window of length k, per channel: Y[n, c, t] = mean_j X[n, c, t*stride + j].

    Args:
        kernel_size: window length k.
        stride: step between windows (default k).

    Shape: X (N, C, L) -> Y (N, C, L_out), L_out = floor((L - k) / stride) + 1. No parameters.

    Example:
        >>> AvgPool1D(2)(np.arange(6.0).reshape(1, 1, 6))
        array([[[0.5, 2.5, 4.5]]])
    """

    dims = 1


class AvgPool2D(_AvgPool):
    """Mean of each kh×kw window, per channel.

    Args:
        kernel_size: k or (kh, kw).
        stride: s or (sh, sw) (default the kernel size).

    Shape: X (N, C, H, W) -> Y (N, C, H_out, W_out), H_out = floor((H - kh) / sh) + 1. No parameters.

    Example:
        >>> AvgPool2D(2)(np.ones((5, 8, 6, 6))).shape
        (5, 8, 3, 3)
    """

    dims = 2

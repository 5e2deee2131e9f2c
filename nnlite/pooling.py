"""Pooling layers: MaxPool1D/2D and AvgPool1D/2D. No parameters.

Each output is the maximum (or the mean) of one window of the input, channel by channel. The windows
come from ``conv.sliding_windows``, so there are no Python loops over positions; backward sends each
window's gradient back with ``conv.add_windows`` (a loop over the kernel offsets only).
"""

import numpy as np

from .conv import add_windows, as_tuple, check_fits, sliding_windows, validate_spatial
from .core import Layer


class _Pool(Layer):
    """Shared code of the pooling layers; ``dims`` is the number of spatial axes."""

    dims = None

    def __init__(self, kernel_size, stride=None):
        name = type(self).__name__
        self.kernel_size = as_tuple(kernel_size, self.dims, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_tuple(stride, self.dims, "stride", name)
        self._cache = None

    def _windows(self, X):
        X = validate_spatial(X, self, None, self.dims, None)              # (N, C, *size), any C
        check_fits(X, self, self.kernel_size, (0,) * self.dims)
        windows = sliding_windows(X, self.kernel_size, self.stride)       # (N, C, *out, *k), a view
        K = int(np.prod(self.kernel_size))
        flat = windows.reshape(windows.shape[:2 + self.dims] + (K,))      # (N, C, *out, K)
        self._out_shape = flat.shape[:-1]
        return X, flat

    def backward(self, dY, input_grad=True):
        X_shape, route = self._need_cache(self._cache)         # route: share of each window entry, (..., K)
        dY = self._check_grad(dY, self._out_shape)             # (N, C, *out)
        if not input_grad:
            return None
        dwindows = (dY[..., None] * route).reshape(dY.shape + self.kernel_size)   # (N, C, *out, *k)
        return add_windows(dwindows, X_shape, self.kernel_size, self.stride)            # (N, C, *size)

    def __repr__(self):
        kernel = "×".join(map(str, self.kernel_size))
        extra = ""
        if self.stride != self.kernel_size:
            extra = f", stride={self.stride[0] if len(set(self.stride)) == 1 else self.stride}"
        return f"{type(self).__name__}({kernel}{extra})"


class _MaxPool(_Pool):
    def forward(self, X):
        X, flat = self._windows(X)
        winner = flat.argmax(axis=-1)                          # (N, C, *out); ties: the first, as PyTorch
        K = flat.shape[-1]
        self._cache = (X.shape, (winner[..., None] == np.arange(K)).astype(X.dtype))   # one-hot (..., K)
        return np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0]


class _AvgPool(_Pool):
    def forward(self, X):
        X, flat = self._windows(X)
        K = flat.shape[-1]
        self._cache = (X.shape, np.full(K, 1.0 / K, X.dtype))      # every entry of a window gets 1/K
        return flat.mean(axis=-1)


class MaxPool1D(_MaxPool):
    """Maximum of each window of length k, per channel: Y[n, c, t] = max_j X[n, c, t*stride + j].

    Args:
        kernel_size: window length k.  stride: step between windows (default k: windows do not overlap).

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
        kernel_size: k or (kh, kw).  stride: s or (sh, sw) (default the kernel size: no overlap).

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
        kernel_size: window length k.  stride: step between windows (default k).

    Shape: X (N, C, L) -> Y (N, C, L_out), L_out = floor((L - k) / stride) + 1. No parameters.

    Example:
        >>> AvgPool1D(2)(np.arange(6.0).reshape(1, 1, 6))
        array([[[0.5, 2.5, 4.5]]])
    """

    dims = 1


class AvgPool2D(_AvgPool):
    """Mean of each kh×kw window, per channel.

    Args:
        kernel_size: k or (kh, kw).  stride: s or (sh, sw) (default the kernel size).

    Shape: X (N, C, H, W) -> Y (N, C, H_out, W_out), H_out = floor((H - kh) / sh) + 1. No parameters.

    Example:
        >>> AvgPool2D(2)(np.ones((5, 8, 6, 6))).shape
        (5, 8, 3, 3)
    """

    dims = 2

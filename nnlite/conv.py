"""Convolution layers, Conv1D and Conv2D, and the window helpers pooling shares with them.

A convolution slides a small kernel W over the input and takes a weighted sum at every position.
Vectorised with im2col: ``sliding_windows`` views every window of the (padded) input at once, without
copying; one copy lays the windows out as the columns of a matrix (one row per channel and kernel
offset), and one matrix product multiplies all of them by the kernels. The backward pass adds each
window's gradient back into place with ``add_windows``, a loop over the kernel *offsets* only (9 steps
for a 3×3 kernel), never over positions or examples.

Like every deep-learning library this computes cross-correlation (the kernel is not flipped).
"""

import itertools

import numpy as np

from . import init
from .core import Layer, Parameter, as_float, validate_input
from .errors import NNLiteError, ShapeError


def as_tuple(value, dims, what, layer_name, minimum=1):
    """3 -> (3, 3) for dims=2; (3, 2) is kept. Refuses anything that is not `dims` integers >= minimum."""
    values = (value,) * dims if isinstance(value, (int, np.integer)) else value
    ok = (isinstance(values, (tuple, list)) and len(values) == dims
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum
                  for v in values))
    if not ok:
        kind = "a positive integer" if minimum == 1 else "a non-negative integer"
        pair = "" if dims == 1 else f" or a tuple of {dims} of them"
        raise NNLiteError(f"{layer_name}: {what} must be {kind}{pair}, got {value!r}.")
    return tuple(int(v) for v in values)


def output_size(size, kernel, stride=1, padding=0):
    """Positions a kernel fits at along one axis: floor((size + 2*padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def sliding_windows(X, kernel, stride):
    """Every window of the trailing axes of X, as a read-only view (no copy).

    Shape: X (N, C, *size) -> (N, C, *out, *kernel), out[i] = (size[i] - kernel[i]) // stride[i] + 1.
    """
    dims = len(kernel)
    windows = np.lib.stride_tricks.sliding_window_view(X, kernel, axis=tuple(range(2, 2 + dims)))
    steps = (slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
    return windows[steps]


def kernel_offsets(kernel, stride, out):
    """For every kernel offset, the index of the input entries that offset sees, one per output position.

    Yields ``(offset, index)``; ``X[index]`` has shape (N, C, *out) and holds X[n, c, *(i*stride + offset)]
    at position i. A loop over these visits the prod(kernel) offsets, never the positions or the examples.
    """
    for offset in itertools.product(*(range(k) for k in kernel)):
        index = tuple(slice(o, o + s * (n - 1) + 1, s) for o, s, n in zip(offset, stride, out))
        yield offset, (slice(None), slice(None)) + index


def add_windows(dwindows, shape, kernel, stride):
    """The adjoint of ``sliding_windows``: add every window's gradient back where the window came from.

    Shape: dwindows (N, C, *out, *kernel) -> dX ``shape`` (N, C, *size). Overlapping windows add up.
    """
    out = dwindows.shape[2:2 + len(kernel)]
    dX = np.zeros(shape, dwindows.dtype)
    for offset, index in kernel_offsets(kernel, stride, out):           # kernel offsets only
        dX[index] += dwindows[(Ellipsis,) + offset]                       # (N, C, *out)
    return dX


def validate_spatial(X, layer, channels, dims, dtype):
    """Check a (N, C, L) or (N, C, H, W) input and cast it to dtype; hints for the usual slips.

    ``channels=None`` accepts any number of channels (pooling).
    """
    X = as_float(X, layer, dtype)                 # the layer itself: formatted only on an error
    names = ("L",) if dims == 1 else ("H", "W")
    expected = "(batch, " + ("C" if channels is None else str(channels)) + ", " + ", ".join(names) + ")"
    if X.ndim != dims + 2:
        hint = ""
        if X.ndim == dims + 1:                    # one axis short: the channel axis or the batch axis?
            if channels is not None and channels != 1 and X.shape[0] == channels:
                hint = " Add a batch axis: x[None]."
            else:
                hint = " Add a channel axis: x[:, None]."
        elif X.ndim == 2 and dims == 2:
            hint = " Reshape flat images first, e.g. x.reshape(len(x), 1, 8, 8)."
        raise ShapeError(f"{layer!r} expects input of shape {expected}, got {X.shape}.{hint}")
    if X.shape[1] == 0:
        raise ShapeError(f"{layer!r} got an input with no channels, shape {X.shape}. Axis 1 holds the channels: "
                         "a grey image or a signal has one, x[:, None] adds it.")
    if channels is not None and X.shape[1] != channels:
        raise ShapeError(f"{layer!r} expects input of shape {expected}, got {X.shape}: axis 1 (channels) "
                         f"should have size {channels}. Check the previous layer's out_channels or this "
                         "layer's in_channels.")
    return validate_input(X, layer, (None,) + X.shape[1:], dtype)   # empty batch, NaN and infinity


def check_fits(X, layer, kernel, padding):
    """Refuse an input smaller than the kernel (after padding), which would give an empty output."""
    size = X.shape[2:]
    padded = tuple(n + 2 * p for n, p in zip(size, padding))
    if any(n < k for n, k in zip(padded, kernel)):
        got = "×".join(map(str, padded))
        want = "×".join(map(str, kernel))
        raise ShapeError(f"{layer!r} got spatial size {got} (after padding), smaller than its {want} kernel. "
                         "Use a smaller kernel, add padding, or remove a pooling layer before it.")


class _Conv(Layer):
    """Shared code of Conv1D and Conv2D; ``dims`` is the number of spatial axes."""

    dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None, dtype=np.float64):
        name = type(self).__name__
        self.in_channels = as_tuple(in_channels, 1, "in_channels", name)[0]
        self.out_channels = as_tuple(out_channels, 1, "out_channels", name)[0]
        self.kernel_size = as_tuple(kernel_size, self.dims, "kernel_size", name)
        self.stride = as_tuple(stride, self.dims, "stride", name)
        self.padding = as_tuple(padding, self.dims, "padding", name, minimum=0)
        self.dtype = init.check_dtype(dtype)
        rng = init.make_rng(rng)
        fan_in = self.in_channels * int(np.prod(self.kernel_size))
        self.W = Parameter(np.empty((self.out_channels, self.in_channels) + self.kernel_size, self.dtype), "W")
        self.b = Parameter(np.empty(self.out_channels, self.dtype), "b")
        init.uniform_fan_in(self.W, fan_in=fan_in, rng=rng)
        init.uniform_fan_in(self.b, fan_in=fan_in, rng=rng)
        self._cache = None

    def forward(self, X):
        X = validate_spatial(X, self, self.in_channels, self.dims, self.dtype)   # (N, C, *size)
        check_fits(X, self, self.kernel_size, self.padding)
        if any(self.padding):                                                    # zeros around the edges
            X = np.pad(X, [(0, 0), (0, 0)] + [(p, p) for p in self.padding])    # (N, C, *padded size)
        windows = sliding_windows(X, self.kernel_size, self.stride)             # (N, C, *out, *k), a view
        N, out, d = X.shape[0], windows.shape[2:2 + self.dims], self.dims
        # im2col: one row per (channel, kernel offset), one column per (example, output position); P = prod(out)
        spatial, kernel = tuple(range(2, 2 + d)), tuple(range(2 + d, 2 + 2 * d))
        W = self.W.value.reshape(self.out_channels, -1)                          # (O, C*prod(k))
        cols = windows.transpose((1,) + kernel + (0,) + spatial).reshape(W.shape[1], -1)   # (C*prod(k), N*P), a copy
        Y = W @ cols                                                             # (O, N*P), one product
        Y += self.b.value[:, None]
        self._cache = (X.shape, cols, out)
        Y = Y.reshape((self.out_channels, N) + out)                              # (O, N, *out)
        return np.ascontiguousarray(Y.swapaxes(0, 1))                            # (N, O, *out)

    def backward(self, dY, input_grad=True):
        padded_shape, cols, out = self._need_cache(self._cache)
        N, d = padded_shape[0], self.dims
        dY = self._check_grad(dY, (N, self.out_channels) + out)                  # (N, O, *out)
        dY_rows = dY.swapaxes(0, 1).reshape(self.out_channels, -1)              # (O, N*P)
        self.W.grad += (dY_rows @ cols.T).reshape(self.W.shape)                 # (O, C, *k)
        self.b.grad += dY_rows.sum(axis=1)                                       # (O,)
        if not input_grad:
            return None
        dcols = self.W.value.reshape(self.out_channels, -1).T @ dY_rows          # (C*prod(k), N*P)
        dwindows = dcols.reshape((self.in_channels,) + self.kernel_size + (N,) + out)   # (C, *k, N, *out)
        kernel, spatial = tuple(range(1, 1 + d)), tuple(range(2 + d, 2 + 2 * d))
        dwindows = dwindows.transpose((1 + d, 0) + spatial + kernel)            # (N, C, *out, *k), a view
        dXp = add_windows(dwindows, padded_shape, self.kernel_size, self.stride)  # (N, C, *padded size)
        if not any(self.padding):
            return dXp                                                           # (N, C, *size)
        inner = tuple(slice(p, n - p) for p, n in zip(self.padding, padded_shape[2:]))
        return dXp[(slice(None), slice(None)) + inner]                           # drop the padding: (N, C, *size)

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        kernel = "×".join(map(str, self.kernel_size))
        extra = ""
        if any(s != 1 for s in self.stride):
            extra += f", stride={self.stride[0] if len(set(self.stride)) == 1 else self.stride}"
        if any(p != 0 for p in self.padding):
            extra += f", padding={self.padding[0] if len(set(self.padding)) == 1 else self.padding}"
        return f"{type(self).__name__}({self.in_channels}→{self.out_channels}, {kernel}{extra})"


class Conv1D(_Conv):
    """1-D convolution (cross-correlation) over a sequence: one kernel per output channel slides along L.

    Y[n, o, t] = b[o] + sum over c, j of W[o, c, j] * Xp[n, c, t*stride + j], with Xp = X zero-padded.

    Args:
        in_channels: channels C of the input.
        out_channels: number of kernels (output channels).
        kernel_size: kernel length k.
        stride: step between positions (default 1).
        padding: zeros added at each end (default 0).
        rng: seed or np.random.Generator for the initial weights (default: the generator ``nl.manual_seed`` seeds).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, C, L) -> Y (N, out_channels, L_out), L_out = floor((L + 2*padding - k) / stride) + 1.

    Attributes:
        W: Parameter (out_channels, in_channels, k), init U(-1/sqrt(in_channels*k), 1/sqrt(in_channels*k)).
        b: Parameter (out_channels,), same initial distribution.

    Example:
        >>> layer = Conv1D(1, 4, kernel_size=3, padding=1, rng=0)
        >>> layer(np.ones((2, 1, 40))).shape
        (2, 4, 40)
    """

    dims = 1


class Conv2D(_Conv):
    """2-D convolution (cross-correlation) over images: one kernel per output channel slides over H and W.

    Y[n, o, i, j] = b[o] + sum over c, u, v of W[o, c, u, v] * Xp[n, c, i*sh + u, j*sw + v].

    Args:
        in_channels: channels C of the input (1 for grey images).
        out_channels: number of kernels (output channels).
        kernel_size: k or (kh, kw).
        stride: s or (sh, sw), the step between positions (default 1).
        padding: p or (ph, pw), zeros added on each side (default 0).
        rng: seed or np.random.Generator for the initial weights (default: the generator ``nl.manual_seed`` seeds).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, C, H, W) -> Y (N, out_channels, H_out, W_out), H_out = floor((H + 2*ph - kh) / sh) + 1.

    Attributes:
        W: Parameter (out_channels, in_channels, kh, kw), init U(-1/sqrt(C*kh*kw), 1/sqrt(C*kh*kw)).
        b: Parameter (out_channels,), same initial distribution.

    Example:
        >>> layer = Conv2D(1, 8, kernel_size=3, rng=0)
        >>> layer(np.ones((5, 1, 8, 8))).shape
        (5, 8, 6, 6)
    """

    dims = 2

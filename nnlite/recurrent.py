"""Recurrent layers: RNN, GRU, Bidirectional (BiGRU) and LastStep.

A recurrent layer reads a sequence one step at a time and carries a hidden state h from step to step.
The same weights are used at every step, so the parameter count does not depend on the sequence length.

Shapes: X (N, T, F) -> Y (N, T, H): N sequences, T time steps, F input features, H hidden units.
Y holds the hidden state after every step (PyTorch's ``output`` with ``batch_first=True``); the initial
state h_0 is zeros unless ``forward(X, h0=...)`` gives one.

Backpropagation through time (BPTT): backward walks the steps from last to first, adding the gradient
that flows into h_t from the output at step t to the one that flows back from step t+1. The input
projections (X @ Wx) do not depend on h, so they are computed for all steps with one matrix product, and
their gradients are summed over steps with one product at the end; only the h @ Wh part loops over time.
"""

import numpy as np

from . import init
from .core import Layer, Parameter, as_float, check_finite, validate_input
from .errors import NNLiteError, ShapeError
from .layers import _check_size


def _sigmoid(x):
    """Logistic function in its tanh form: 1/(1+e^-x) = (1 + tanh(x/2)) / 2. Never overflows, keeps dtype."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def validate_sequence(X, layer, n_in, dtype):
    """Check that X is a batch of sequences (N, T, n_in) and cast it; errors say how to fix the shape."""
    X = as_float(X, repr(layer), dtype)
    expected = f"(batch, time, {n_in})"
    if X.ndim == 2:
        if n_in == 1:
            hint = "If each row is a sequence of numbers, add a feature axis: x[:, :, None] gives (N, T, 1)."
        elif X.shape[1] == n_in:
            hint = (f"If each row is one time step of {n_in} features, add a time axis: x[:, None, :] "
                    f"gives (N, 1, {n_in}).")
        else:
            hint = "Add a time axis: reshape to (batch, time, features)."
        raise ShapeError(f"{layer!r} expects a batch of sequences of shape {expected}, got {X.shape}. {hint}")
    if X.ndim != 3:
        raise ShapeError(f"{layer!r} expects a batch of sequences of shape {expected}, got {X.shape}. "
                         "Reshape it to (batch, time, features).")
    if X.shape[2] != n_in:
        raise ShapeError(f"{layer!r} expects {n_in} feature(s) per time step, shape {expected}, got {X.shape}: "
                         f"axis 2 should have size {n_in}. Check the previous layer's output size or this "
                         "layer's n_in.")
    if X.shape[1] == 0:
        raise ShapeError(f"{layer!r} got sequences with no time steps, shape {X.shape}. "
                         "Pass at least one step: (batch, time >= 1, features).")
    return validate_input(X, layer, (None, None, n_in), dtype)      # empty batch, NaN, infinity


class _Recurrent(Layer):
    """What RNN and GRU share: sizes, dtype, the optional initial state, and the gradient dL/dh_0."""

    def _setup(self, name, n_in, n_hidden, dtype):
        self.n_in = _check_size(n_in, "n_in", name)
        self.n_hidden = _check_size(n_hidden, "n_hidden", name)
        self.dtype = init.check_dtype(dtype)
        self._cache = None
        self.dh0 = None            # dL/dh_0 after backward, (N, H)

    def _initial_state(self, h0, N):
        if h0 is None:
            return np.zeros((N, self.n_hidden), self.dtype)
        h0 = as_float(h0, f"{self!r} (h0)", self.dtype)
        if h0.shape != (N, self.n_hidden):
            raise ShapeError(f"{self!r} expects h0 of shape ({N}, {self.n_hidden}) (batch, hidden), "
                             f"got {h0.shape}. Pass one initial state per sequence, or leave h0 out for zeros.")
        return check_finite(h0, f"{self!r} (h0)")

    def __repr__(self):
        return f"{type(self).__name__}({self.n_in}→{self.n_hidden})"


class RNN(_Recurrent):
    """Elman RNN with tanh: h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b), h_0 = 0.

    Args:
        n_in: features per time step (F).
        n_hidden: size of the hidden state (H).
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, F) -> Y (N, T, H); Y[:, t] is the state after reading step t.

    Attributes:
        Wx: Parameter (F, H), input to hidden, init U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch.
        Wh: Parameter (H, H), hidden to hidden, same initial distribution.
        b: Parameter (H,), same initial distribution.
        dh0: dL/dh_0 (N, H) after ``backward``.

    PyTorch's ``nn.RNN`` computes the same function with two biases: Wx = weight_ih_l0.T,
    Wh = weight_hh_l0.T, b = bias_ih_l0 + bias_hh_l0. ``forward(X, h0=h0)`` starts from a given state.

    Example:
        >>> rnn = RNN(3, 5, rng=0)
        >>> rnn(np.ones((2, 7, 3))).shape
        (2, 7, 5)
    """

    def __init__(self, n_in, n_hidden, rng=None, dtype=np.float64):
        self._setup("RNN", n_in, n_hidden, dtype)
        rng = init.make_rng(rng)
        F, H = self.n_in, self.n_hidden
        self.Wx = Parameter(np.empty((F, H), self.dtype), "Wx")
        self.Wh = Parameter(np.empty((H, H), self.dtype), "Wh")
        self.b = Parameter(np.empty(H, self.dtype), "b")
        for p in self.parameters():
            init.uniform_fan_in(p, fan_in=H, rng=rng)

    def forward(self, X, h0=None):
        X = validate_sequence(X, self, self.n_in, self.dtype)       # (N, T, F)
        N, T, _ = X.shape
        h = h0 = self._initial_state(h0, N)                          # (N, H)
        A = X @ self.Wx.value + self.b.value                         # (N, T, H) input part, all steps
        Y = np.empty((N, T, self.n_hidden), self.dtype)
        for t in range(T):
            h = np.tanh(A[:, t] + h @ self.Wh.value)                 # (N, H)
            Y[:, t] = h
        self._cache = (X, h0, Y)
        return Y

    def backward(self, dY, input_grad=True):
        X, h0, Y = self._need_cache(self._cache)
        dY = self._check_grad(dY, Y.shape)         # (N, T, H)
        N, T, H = Y.shape
        dA = np.empty_like(Y)                      # dL/d(pre-activation)
        dh = np.zeros((N, H), self.dtype)          # from step t+1
        for t in range(T - 1, -1, -1):
            dh = dh + dY[:, t]                     # + from output t
            dA[:, t] = dh * (1 - Y[:, t] ** 2)     # through tanh
            dh = dA[:, t] @ self.Wh.value.T        # to h_{t-1}
        self.dh0 = dh
        # Every step used the same weights: their gradients add up.
        H_prev = np.concatenate([h0[:, None], Y[:, :-1]], axis=1)  # h_{t-1}
        dA2 = dA.reshape(N * T, H)                 # (N*T, H)
        self.Wx.grad += X.reshape(N * T, -1).T @ dA2       # (F, H)
        self.Wh.grad += H_prev.reshape(N * T, H).T @ dA2   # (H, H)
        self.b.grad += dA2.sum(axis=0)                     # (H,)
        if not input_grad:
            return None
        return dA @ self.Wx.value.T                # (N, T, F)

    def parameters(self):
        return [self.Wx, self.Wh, self.b]


class GRU(_Recurrent):
    """Gated recurrent unit, the same function as PyTorch's ``nn.GRU`` (Cho et al., 2014)::

        r = sigmoid(x_t @ Wx_r + bx_r + h @ Wh_r + bh_r)      # reset gate
        z = sigmoid(x_t @ Wx_z + bx_z + h @ Wh_z + bh_z)      # update gate
        n = tanh(x_t @ Wx_n + bx_n + r * (h @ Wh_n + bh_n))   # candidate
        h_t = (1 - z) * n + z * h          # z near 1 keeps the old state

    Args:
        n_in: features per time step (F).
        n_hidden: size of the hidden state (H).
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, F) -> Y (N, T, H); Y[:, t] is the state after reading step t; h_0 = 0.

    Attributes:
        Wx: Parameter (F, 3H), PyTorch's weight_ih_l0.T; init U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch.
        Wh: Parameter (H, 3H), PyTorch's weight_hh_l0.T; same initial distribution.
        bx: Parameter (3H,), PyTorch's bias_ih_l0; same initial distribution.
        bh: Parameter (3H,), PyTorch's bias_hh_l0; same initial distribution.
        dh0: dL/dh_0 (N, H) after ``backward``.

    The three gates sit side by side in the columns, in PyTorch's order r, z, n: columns [0:H] are r,
    [H:2H] z and [2H:3H] n. The bias bh_n cannot be merged into bx_n, as it sits inside r * (...).

    Example:
        >>> gru = GRU(1, 6, rng=0)
        >>> gru(np.zeros((4, 40, 1))).shape
        (4, 40, 6)
    """

    def __init__(self, n_in, n_hidden, rng=None, dtype=np.float64):
        self._setup("GRU", n_in, n_hidden, dtype)
        rng = init.make_rng(rng)
        F, H = self.n_in, self.n_hidden
        self.Wx = Parameter(np.empty((F, 3 * H), self.dtype), "Wx")
        self.Wh = Parameter(np.empty((H, 3 * H), self.dtype), "Wh")
        self.bx = Parameter(np.empty(3 * H, self.dtype), "bx")
        self.bh = Parameter(np.empty(3 * H, self.dtype), "bh")
        for p in self.parameters():
            init.uniform_fan_in(p, fan_in=H, rng=rng)

    def forward(self, X, h0=None):
        X = validate_sequence(X, self, self.n_in, self.dtype)       # (N, T, F)
        N, T, _ = X.shape
        H = self.n_hidden
        h = h0 = self._initial_state(h0, N)                          # (N, H)
        AX = X @ self.Wx.value + self.bx.value                       # (N, T, 3H) input part, all steps
        Y, R, Z, Nc, AHn = (np.empty((N, T, H), self.dtype) for _ in range(5))
        for t in range(T):
            ah = h @ self.Wh.value + self.bh.value                   # (N, 3H) hidden part
            r = _sigmoid(AX[:, t, :H] + ah[:, :H])
            z = _sigmoid(AX[:, t, H:2 * H] + ah[:, H:2 * H])
            n = np.tanh(AX[:, t, 2 * H:] + r * ah[:, 2 * H:])
            h = n + z * (h - n)                                      # = (1 - z) * n + z * h
            Y[:, t], R[:, t], Z[:, t], Nc[:, t], AHn[:, t] = h, r, z, n, ah[:, 2 * H:]
        self._cache = (X, h0, Y, R, Z, Nc, AHn)
        return Y

    def backward(self, dY, input_grad=True):
        X, h0, Y, R, Z, Nc, AHn = self._need_cache(self._cache)
        dY = self._check_grad(dY, Y.shape)
        N, T, H = Y.shape
        H_prev = np.concatenate([h0[:, None], Y[:, :-1]], axis=1)   # (N, T, H): h_{t-1} for each t
        dAX = np.empty((N, T, 3 * H), self.dtype)                    # dL/d(x_t @ Wx + bx)
        dAH = np.empty((N, T, 3 * H), self.dtype)                    # dL/d(h_{t-1} @ Wh + bh)
        dh = np.zeros((N, H), self.dtype)
        for t in range(T - 1, -1, -1):
            r, z, n, h_prev = R[:, t], Z[:, t], Nc[:, t], H_prev[:, t]
            dh = dh + dY[:, t]
            dn = dh * (1 - z) * (1 - n * n)                          # through h_t, then tanh
            dz = dh * (h_prev - n) * z * (1 - z)                     # through h_t, then sigmoid
            dr = dn * AHn[:, t] * r * (1 - r)
            dAX[:, t, :H], dAX[:, t, H:2 * H], dAX[:, t, 2 * H:] = dr, dz, dn
            dAH[:, t, :H], dAH[:, t, H:2 * H], dAH[:, t, 2 * H:] = dr, dz, dn * r
            dh = dh * z + dAH[:, t] @ self.Wh.value.T                # to h_{t-1}: direct path + gates
        self.dh0 = dh
        self.Wx.grad += X.reshape(N * T, -1).T @ dAX.reshape(N * T, 3 * H)       # (F, 3H)
        self.Wh.grad += H_prev.reshape(N * T, H).T @ dAH.reshape(N * T, 3 * H)   # (H, 3H)
        self.bx.grad += dAX.sum(axis=(0, 1))                                      # (3H,)
        self.bh.grad += dAH.sum(axis=(0, 1))                                      # (3H,)
        return dAX @ self.Wx.value.T if input_grad else None                      # (N, T, F)

    def parameters(self):
        return [self.Wx, self.Wh, self.bx, self.bh]


class Bidirectional(Layer):
    """Two recurrent layers, one reading the sequence forwards and one backwards, outputs side by side.

    Y[:, t] = concat(forward_layer(X)[:, t], reverse_layer(X reversed in time)[:, T-1-t]), so every
    position sees the whole sequence: what came before and what comes after. Same as PyTorch's
    ``bidirectional=True`` (its ``*_reverse`` weights belong to ``reverse_layer``).

    Args:
        forward_layer: a recurrent layer (RNN or GRU) that reads the sequence from first to last step.
        reverse_layer: one with the same n_in that reads it from last to first step.

    Shape: X (N, T, F) -> Y (N, T, H_forward + H_reverse).

    Attributes: the parameters of both layers, named ``forward.<name>`` and ``reverse.<name>``.

    Example:
        >>> bi = Bidirectional(GRU(1, 6, rng=0), GRU(1, 6, rng=1))
        >>> bi(np.zeros((4, 40, 1))).shape
        (4, 40, 12)
    """

    def __init__(self, forward_layer, reverse_layer):
        for layer in (forward_layer, reverse_layer):
            if not isinstance(layer, _Recurrent):
                raise NNLiteError(f"Bidirectional takes two recurrent layers (RNN or GRU), got {layer!r}.")
        if forward_layer.n_in != reverse_layer.n_in:
            raise NNLiteError(f"Bidirectional: both layers must read the same features, got n_in "
                              f"{forward_layer.n_in} and {reverse_layer.n_in}.")
        self.forward_layer, self.reverse_layer = forward_layer, reverse_layer
        self.n_in = forward_layer.n_in
        self.n_hidden = forward_layer.n_hidden + reverse_layer.n_hidden

    def forward(self, X):
        X = validate_sequence(X, self, self.n_in, self.forward_layer.dtype)
        self._shape = (X.shape[0], X.shape[1], self.n_hidden)
        Y_forward = self.forward_layer(X)                            # (N, T, Hf)
        Y_reverse = self.reverse_layer(X[:, ::-1])[:, ::-1]          # (N, T, Hr), back in reading order
        return np.concatenate([Y_forward, Y_reverse], axis=2)        # (N, T, Hf + Hr)

    def backward(self, dY, input_grad=True):
        dY = self._check_grad(dY, self._need_cache(getattr(self, "_shape", None)))
        split = self.forward_layer.n_hidden
        dX_forward = self.forward_layer.backward(dY[:, :, :split], input_grad)
        dX_reverse = self.reverse_layer.backward(dY[:, ::-1, split:], input_grad)
        return dX_forward + dX_reverse[:, ::-1] if input_grad else None

    def parameters(self):
        return self.forward_layer.parameters() + self.reverse_layer.parameters()

    def named_parameters(self):
        return ([(f"forward.{name}", p) for name, p in self.forward_layer.named_parameters()]
                + [(f"reverse.{name}", p) for name, p in self.reverse_layer.named_parameters()])

    def train(self, mode=True):
        self.training = bool(mode)
        self.forward_layer.train(mode)
        self.reverse_layer.train(mode)
        return self

    def __repr__(self):
        return f"Bidirectional({self.forward_layer!r}, {self.reverse_layer!r})"


class BiGRU(Bidirectional):
    """Bidirectional GRU: ``Bidirectional(GRU(n_in, n_hidden), GRU(n_in, n_hidden))``.

    Args:
        n_in: features per time step (F).
        n_hidden: size of each direction's hidden state (H).
        rng: seed or np.random.Generator for the initial weights (default: the generator ``nl.manual_seed`` seeds).
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, F) -> Y (N, T, 2 * n_hidden). Parameters ``forward.Wx`` ... ``reverse.bh``
    (PyTorch: ``weight_ih_l0`` ... and ``weight_ih_l0_reverse`` ...).

    Example:
        >>> BiGRU(1, 6, rng=0)(np.zeros((4, 40, 1))).shape
        (4, 40, 12)
    """

    def __init__(self, n_in, n_hidden, rng=None, dtype=np.float64):
        rng = init.make_rng(rng)
        super().__init__(GRU(n_in, n_hidden, rng=rng, dtype=dtype), GRU(n_in, n_hidden, rng=rng, dtype=dtype))

    def __repr__(self):
        return f"BiGRU({self.n_in}→{self.forward_layer.n_hidden}+{self.reverse_layer.n_hidden})"


class LastStep(Layer):
    """Keep only the last time step: (N, T, H) -> (N, H), so a recurrent layer can feed Dense.

    ``Sequential(RNN(1, 16), LastStep(), Dense(16, 2))`` classifies a sequence from its final hidden
    state. No parameters. Backward puts dY at the last step and zeros elsewhere.
    """

    def forward(self, X):
        X = as_float(X, repr(self))
        if X.ndim != 3:
            raise ShapeError(f"{self!r} expects the output of a recurrent layer, (batch, time, hidden), "
                             f"got {X.shape}. Put LastStep() right after an RNN or GRU.")
        X = validate_input(X, self, (None, None, None), None)
        if X.shape[1] == 0:
            raise ShapeError(f"{self!r} got sequences with no time steps, shape {X.shape}.")
        self._shape = X.shape
        return X[:, -1]                                              # (N, H)

    def backward(self, dY, input_grad=True):
        shape = self._need_cache(getattr(self, "_shape", None))
        dY = self._check_grad(dY, (shape[0], shape[2]))
        if not input_grad:
            return None
        dX = np.zeros(shape, dY.dtype)                               # (N, T, H)
        dX[:, -1] = dY
        return dX

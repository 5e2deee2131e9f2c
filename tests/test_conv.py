"""Conv1D and Conv2D: gradient checks, a loop-based reference, shapes, errors, dtypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl
from nnlite.conv import add_windows, output_size, sliding_windows


def naive_conv(X, W, b, stride, padding):
    """Reference convolution written with plain loops over every output position (clear, slow)."""
    dims = W.ndim - 2
    Xp = np.pad(X, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    out = [output_size(n, k, s, p) for n, k, s, p in zip(X.shape[2:], W.shape[2:], stride, padding)]
    Y = np.zeros((X.shape[0], W.shape[0], *out))
    for n in range(X.shape[0]):
        for o in range(W.shape[0]):
            for position in np.ndindex(*out):
                start = [i * s for i, s in zip(position, stride)]
                window = Xp[(n, slice(None)) + tuple(slice(a, a + k) for a, k in zip(start, W.shape[2:]))]
                Y[(n, o) + position] = np.sum(window * W[o]) + b[o]
    assert len(out) == dims
    return Y


CONV1D_CASES = [  # (kernel, stride, padding, L)
    (3, 1, 0, 9), (3, 2, 1, 9), (1, 1, 0, 5), (4, 3, 2, 10), (5, 1, 2, 5),
]
CONV2D_CASES = [  # (kernel, stride, padding, (H, W))
    (3, 1, 0, (6, 5)), (3, 2, 1, (7, 6)), ((2, 3), (2, 1), (1, 0), (5, 6)), (1, 1, 0, (3, 3)), (3, 1, 1, (4, 4)),
]


@pytest.mark.parametrize("kernel, stride, padding, length", CONV1D_CASES)
def test_conv1d_gradcheck(kernel, stride, padding, length):
    layer = nl.Conv1D(2, 3, kernel, stride=stride, padding=padding, rng=1)
    X = np.random.default_rng(2).standard_normal((2, 2, length))
    errors = nl.gradcheck(layer, X)
    assert set(errors) == {"input", "W", "b"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("kernel, stride, padding, size", CONV2D_CASES)
def test_conv2d_gradcheck(kernel, stride, padding, size):
    layer = nl.Conv2D(2, 3, kernel, stride=stride, padding=padding, rng=1)
    X = np.random.default_rng(2).standard_normal((2, 2, *size))
    errors = nl.gradcheck(layer, X)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("kernel, stride, padding, size", CONV2D_CASES)
def test_conv2d_matches_loop_reference_and_size_formula(kernel, stride, padding, size):
    layer = nl.Conv2D(2, 3, kernel, stride=stride, padding=padding, rng=0)
    X = np.random.default_rng(1).standard_normal((2, 2, *size))
    Y = layer(X)
    expected = naive_conv(X, layer.W.value, layer.b.value, layer.stride, layer.padding)
    np.testing.assert_allclose(Y, expected, rtol=1e-12, atol=1e-12)
    assert Y.shape[2:] == tuple(output_size(n, k, s, p) for n, k, s, p in
                                zip(size, layer.kernel_size, layer.stride, layer.padding))


@pytest.mark.parametrize("kernel, stride, padding, length", CONV1D_CASES)
def test_conv1d_matches_loop_reference(kernel, stride, padding, length):
    layer = nl.Conv1D(2, 3, kernel, stride=stride, padding=padding, rng=0)
    X = np.random.default_rng(1).standard_normal((3, 2, length))
    np.testing.assert_allclose(layer(X), naive_conv(X, layer.W.value, layer.b.value, layer.stride, layer.padding),
                               rtol=1e-12, atol=1e-12)


class FlippedKernelBackward(nl.Conv2D):
    """A classic bug: computing dX with the kernel flipped (true convolution instead of correlation)."""

    def backward(self, dY, input_grad=True):
        W = self.W.value
        self.W.value = W[:, :, ::-1, ::-1]
        try:
            return super().backward(dY, input_grad)
        finally:
            self.W.value = W


def test_gradcheck_catches_a_broken_conv_backward():
    layer = FlippedKernelBackward(2, 3, 3, padding=1, rng=0)
    errors = nl.gradcheck(layer, np.random.default_rng(1).standard_normal((2, 2, 5, 5)))
    assert errors["input"] > 1e-3
    assert errors["W"] < 1e-6          # only the input gradient is wrong


def test_sliding_and_adding_windows_are_adjoint(rng):
    """<windows(X), G> == <X, add_windows(G)>: add_windows is exactly the backward of sliding_windows."""
    X = rng.standard_normal((2, 3, 7, 6))
    kernel, stride = (3, 2), (2, 2)
    windows = sliding_windows(X, kernel, stride)
    G = rng.standard_normal(windows.shape)
    assert np.isclose(np.sum(windows * G), np.sum(X * add_windows(G, X.shape, kernel, stride)))


def test_parameter_shapes_and_default_init_bounds():
    layer = nl.Conv2D(3, 16, (3, 5), rng=0)
    assert layer.W.shape == (16, 3, 3, 5) and layer.b.shape == (16,)
    bound = 1 / np.sqrt(3 * 3 * 5)
    assert np.abs(layer.W.value).max() <= bound and np.abs(layer.b.value).max() <= bound
    assert np.abs(layer.W.value).max() > 0.8 * bound      # spread over the whole interval
    assert nl.Conv1D(4, 8, 5).W.shape == (8, 4, 5)
    assert sum(p.size for p in layer.parameters()) == 16 * 3 * 3 * 5 + 16


def test_same_seed_same_weights():
    a, b = nl.Conv1D(2, 4, 3, rng=7), nl.Conv1D(2, 4, 3, rng=7)
    np.testing.assert_array_equal(a.W.value, b.W.value)


def test_repr_shows_channels_kernel_and_non_default_stride_padding():
    assert repr(nl.Conv2D(1, 8, 3)) == "Conv2D(1→8, 3×3)"
    assert repr(nl.Conv2D(1, 8, 3, stride=2, padding=1)) == "Conv2D(1→8, 3×3, stride=2, padding=1)"
    assert repr(nl.Conv1D(4, 2, 5)) == "Conv1D(4→2, 5)"


@pytest.mark.parametrize("Layer, shape", [(nl.Conv1D, (4, 2, 9)), (nl.Conv2D, (4, 2, 6, 6))])
def test_float32_stays_float32(Layer, shape, rng):
    layer = Layer(2, 3, 3, padding=1, rng=0, dtype=np.float32)
    Y = layer(rng.standard_normal(shape).astype(np.float32))
    dX = layer.backward(np.ones_like(Y))
    assert Y.dtype == dX.dtype == layer.W.grad.dtype == layer.b.grad.dtype == np.float32


def test_integer_input_is_cast_to_layer_dtype():
    assert nl.Conv2D(1, 2, 2, rng=0)(np.ones((1, 1, 3, 3), dtype=np.int64)).dtype == np.float64


def test_gradients_accumulate_and_input_grad_false_returns_none(rng):
    layer = nl.Conv1D(1, 2, 3, rng=0)
    X = rng.standard_normal((2, 1, 6))
    G = rng.standard_normal(layer(X).shape)
    assert layer.backward(G, input_grad=False) is None
    first = layer.W.grad.copy()
    layer.backward(G)
    np.testing.assert_allclose(layer.W.grad, 2 * first)


@pytest.mark.parametrize("layer, shape, pattern", [
    (nl.Conv2D(1, 4, 3), (5, 8, 8), r"x\[:, None\]"),                 # forgot the channel axis
    (nl.Conv2D(3, 4, 3), (3, 8, 8), r"x\[None\]"),                    # one image, no batch axis
    (nl.Conv1D(1, 4, 3), (5, 40), r"x\[:, None\]"),
    (nl.Conv2D(1, 4, 3), (5, 64), r"reshape"),                       # flat images
    (nl.Conv2D(3, 4, 3), (5, 1, 8, 8), r"axis 1 \(channels\) should have size 3"),
    (nl.Conv2D(1, 4, 5), (2, 1, 3, 3), r"smaller than its 5×5 kernel"),
    (nl.Conv1D(1, 4, 5, padding=1), (2, 1, 2), r"smaller than its 5 kernel"),
    (nl.Conv2D(1, 4, 3), (0, 1, 8, 8), r"empty batch"),
])
def test_wrong_inputs_give_clear_errors(layer, shape, pattern):
    with pytest.raises(nl.ShapeError, match=pattern) as info:
        layer(np.zeros(shape))
    assert type(layer).__name__ in str(info.value)


def test_nan_input_is_refused():
    X = np.zeros((1, 1, 4, 4))
    X[0, 0, 1, 1] = np.nan
    with pytest.raises(nl.InputError, match="NaN"):
        nl.Conv2D(1, 1, 2)(X)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=0), dict(kernel_size=(3,)), dict(kernel_size=2.5), dict(stride=0), dict(padding=-1),
    dict(kernel_size=True), dict(in_channels=0),
])
def test_bad_constructor_arguments(kwargs):
    args = dict(in_channels=1, out_channels=2, kernel_size=3) | kwargs
    with pytest.raises(nl.NNLiteError, match="Conv2D"):
        nl.Conv2D(**args)


def test_backward_errors():
    layer = nl.Conv2D(1, 2, 3)
    with pytest.raises(nl.NNLiteError, match="before forward"):
        layer.backward(np.zeros((1, 2, 2, 2)))
    layer(np.zeros((1, 1, 4, 4)))
    with pytest.raises(nl.ShapeError, match="dY"):
        layer.backward(np.zeros((1, 2, 3, 3)))


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=5),
       dims=st.sampled_from([1, 2]), channels=st.integers(1, 3), kernel=st.integers(1, 4),
       stride=st.integers(1, 3), padding=st.integers(0, 2))
def test_random_input_shapes_raise_only_nnlite_errors(shape, dims, channels, kernel, stride, padding):
    Layer = nl.Conv1D if dims == 1 else nl.Conv2D
    layer = Layer(channels, 2, kernel, stride=stride, padding=padding, rng=0)
    try:
        Y = layer(np.ones(shape))
    except nl.NNLiteError:
        return
    assert Y.shape[:2] == (shape[0], 2)
    assert layer.backward(np.ones_like(Y)).shape == tuple(shape)

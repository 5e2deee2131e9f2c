"""Dense, Flatten and the activation layers (nnlite.layers), and the functions in nnlite.functional."""

import re

import numpy as np
import pytest

import nnlite as nl
from nnlite import functional as F

ACTIVATIONS = [nl.ReLU, nl.LeakyReLU, nl.Sigmoid, nl.Tanh, nl.Softmax, nl.GELU]


# --- Dense ----------------------------------------------------------------------------------------

def test_dense_computes_X_W_plus_b(rng):
    layer = nl.Dense(4, 3, rng=0)
    X = rng.standard_normal((5, 4))
    assert layer.W.shape == (4, 3) and layer.b.shape == (3,)
    np.testing.assert_allclose(layer(X), X @ layer.W.value + layer.b.value, rtol=1e-12)


def test_dense_backward_formulas(rng):
    layer = nl.Dense(4, 3, rng=0)
    X, dY = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    layer(X)
    dX = layer.backward(dY)
    np.testing.assert_allclose(dX, dY @ layer.W.value.T, rtol=1e-12)
    np.testing.assert_allclose(layer.W.grad, X.T @ dY, rtol=1e-12)
    np.testing.assert_allclose(layer.b.grad, dY.sum(axis=0), rtol=1e-12)


def test_dense_backward_without_input_grad_still_fills_grads(rng):
    layer = nl.Dense(4, 3, rng=0)
    layer(rng.standard_normal((5, 4)))
    assert layer.backward(rng.standard_normal((5, 3)), input_grad=False) is None
    assert layer.W.grad.any() and layer.b.grad.any()


def test_dense_init_is_uniform_within_one_over_sqrt_fan_in():
    layer = nl.Dense(400, 300, rng=0)
    bound = 1 / np.sqrt(400)
    for p in layer.parameters():
        assert np.abs(p.value).max() <= bound
        assert np.abs(p.value).max() > 0.95 * bound    # fills the interval, not a narrower one
    assert abs(layer.W.value.mean()) < 0.01 * bound
    np.testing.assert_allclose(layer.W.value.std(), bound / np.sqrt(3), rtol=0.02)


def test_dense_same_seed_same_weights_different_seed_different_weights():
    a, b, c = nl.Dense(5, 4, rng=7), nl.Dense(5, 4, rng=7), nl.Dense(5, 4, rng=8)
    np.testing.assert_array_equal(a.W.value, b.W.value)
    assert not np.array_equal(a.W.value, c.W.value)


def test_manual_seed_makes_default_init_repeatable():
    nl.manual_seed(3)
    first = nl.Dense(3, 3).W.value.copy()
    nl.manual_seed(3)
    np.testing.assert_array_equal(nl.Dense(3, 3).W.value, first)


def test_dense_accepts_a_generator():
    gen = np.random.default_rng(0)
    a = nl.Dense(3, 3, rng=gen)
    b = nl.Dense(3, 3, rng=gen)    # the generator moves on
    assert not np.array_equal(a.W.value, b.W.value)


def test_dense_repr():
    assert repr(nl.Dense(784, 128, rng=0)) == "Dense(784→128)"


@pytest.mark.parametrize("args", [(0, 3), (2.5, 3), (3, -1), ("3", 2), (True, 2), (3, None)])
def test_dense_refuses_bad_sizes(args):
    with pytest.raises(nl.NNLiteError, match="must be a positive integer"):
        nl.Dense(*args)


@pytest.mark.parametrize("dtype", [np.int64, np.float16, "float128-ish"])
def test_dense_refuses_bad_dtype(dtype):
    with pytest.raises(nl.NNLiteError, match="dtype must be np.float32 or np.float64"):
        nl.Dense(2, 3, dtype=dtype)


@pytest.mark.parametrize("rng_arg", ["0", 1.5, True])
def test_dense_refuses_bad_rng(rng_arg):
    with pytest.raises(nl.NNLiteError, match="Pass rng=0"):
        nl.Dense(2, 3, rng=rng_arg)


@pytest.mark.parametrize("X, error, pattern", [
    (np.ones(3), nl.ShapeError, r"expects input of shape \(batch, 3\), got \(3,\)\.\sAdd a batch axis: x\.reshape\(1, -1\)"),
    (np.ones((2, 4)), nl.ShapeError, r"axis 1 should have size 3"),
    (np.ones((2, 3, 1)), nl.ShapeError, r"Flatten it first"),
    (np.ones((0, 3)), nl.ShapeError, r"empty batch"),
    ([["a", "b", "c"]], nl.InputError, r"expects numbers"),
    (np.array([[1, 2, 3]], dtype=object), nl.InputError, r"expects numbers"),
    ([[1, 2, 3], [4, 5]], nl.InputError, r"Make every row the same length"),
    (np.array([[1.0, np.nan, 3.0]]), nl.InputError, r"NaN or infinite"),
    (np.array([[1.0, np.inf, 3.0]]), nl.InputError, r"NaN or infinite"),
], ids=["rank1", "features", "rank3", "empty", "strings", "object", "ragged", "nan", "inf"])
def test_dense_input_errors_name_the_layer_and_advise(X, error, pattern):
    layer = nl.Dense(3, 2, rng=0)
    with pytest.raises(error) as info:
        layer(X)
    assert isinstance(info.value, ValueError)
    assert "Dense(3→2)" in str(info.value)
    assert re.search(pattern, str(info.value))


def test_dense_casts_integer_input(rng):
    layer = nl.Dense(3, 2, rng=0)
    X = rng.integers(-5, 5, size=(4, 3))
    Y = layer(X)
    assert Y.dtype == np.float64
    np.testing.assert_allclose(Y, X.astype(float) @ layer.W.value + layer.b.value)


def test_dense_float32_stays_float32(rng):
    layer = nl.Dense(3, 2, rng=0, dtype=np.float32)
    assert layer.W.value.dtype == np.float32 and layer.W.grad.dtype == np.float32
    for X in (rng.standard_normal((4, 3)), rng.integers(0, 3, (4, 3)), rng.standard_normal((4, 3)).astype(np.float32)):
        Y = layer(X)
        assert Y.dtype == np.float32
        dX = layer.backward(np.ones_like(Y))
        assert dX.dtype == np.float32
    assert layer.W.grad.dtype == np.float32 and layer.b.grad.dtype == np.float32


def test_dense_accepts_dtype_given_as_string():
    assert nl.Dense(2, 2, dtype="float32").W.value.dtype == np.float32


# --- Flatten ----------------------------------------------------------------------------------------

def test_flatten_keeps_batch_axis_and_restores_shape(rng):
    layer = nl.Flatten()
    X = rng.standard_normal((2, 3, 4, 5))
    Y = layer(X)
    assert Y.shape == (2, 60)
    np.testing.assert_array_equal(Y[1], X[1].ravel())
    dY = rng.standard_normal((2, 60))
    np.testing.assert_array_equal(layer.backward(dY), dY.reshape(2, 3, 4, 5))
    assert layer.backward(dY, input_grad=False) is None
    assert layer.parameters() == []


@pytest.mark.parametrize("X", [np.float64(3.0), np.ones((0, 3))], ids=["scalar", "empty"])
def test_flatten_refuses_no_batch(X):
    with pytest.raises(nl.NNLiteError, match="Flatten expects a batch"):
        nl.Flatten()(X)


def test_flatten_keeps_float32():
    assert nl.Flatten()(np.ones((2, 2, 2), np.float32)).dtype == np.float32


# --- activations ------------------------------------------------------------------------------------

def test_relu_is_unbounded_above_and_zero_below():
    X = np.array([[-3.0, -0.0, 0.0, 2.0, 1e6]])
    np.testing.assert_array_equal(nl.ReLU()(X), [[0, 0, 0, 2, 1e6]])


def test_relu_gradient_is_zero_at_zero_and_below():
    layer = nl.ReLU()
    layer(np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(layer.backward(np.full((1, 3), 5.0)), [[0, 0, 5]])


def test_leaky_relu_slope():
    layer = nl.LeakyReLU(0.1)
    np.testing.assert_allclose(layer(np.array([[-2.0, 3.0]])), [[-0.2, 3.0]])
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), [[0.1, 1.0]])
    assert repr(layer) == "LeakyReLU(0.1)"
    assert nl.LeakyReLU().negative_slope == 0.01


@pytest.mark.parametrize("slope", ["a", None, True, float("nan"), float("inf")])
def test_leaky_relu_refuses_non_numbers(slope):
    with pytest.raises(nl.NNLiteError, match="negative_slope must be a finite number"):
        nl.LeakyReLU(slope)


def test_sigmoid_range_and_symmetry(rng):
    X = rng.standard_normal((50,)) * 10
    Y = nl.Sigmoid()(X)
    assert np.all((Y >= 0) & (Y <= 1))
    np.testing.assert_allclose(Y + nl.Sigmoid()(-X), 1.0, rtol=1e-12)
    np.testing.assert_allclose(nl.Sigmoid()(np.array([0.0])), [0.5])


def test_tanh_is_zero_centred_in_minus_one_to_one(rng):
    X = rng.standard_normal(100) * 3
    Y = nl.Tanh()(X)
    assert Y.min() > -1 and Y.max() < 1 and Y.min() < -0.9 and Y.max() > 0.9
    np.testing.assert_allclose(Y, np.tanh(X))


def test_softmax_rows_are_probabilities(rng):
    X = rng.standard_normal((4, 6)) * 50
    Y = nl.Softmax()(X)
    assert np.all(Y >= 0)
    np.testing.assert_allclose(Y.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(Y.argmax(axis=-1), X.argmax(axis=-1))


def test_softmax_is_shift_invariant(rng):
    X = rng.standard_normal((3, 5))
    np.testing.assert_allclose(nl.Softmax()(X), nl.Softmax()(X + 1000.0), rtol=1e-12)


def test_gelu_tanh_form_values():
    X = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    expected = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(nl.GELU()(X), expected, rtol=1e-12)
    # close to, but not the same as, the exact erf form x * Phi(x)
    from math import erf
    exact = np.array([x * 0.5 * (1 + erf(x / np.sqrt(2))) for x in X])
    assert 0 < np.abs(nl.GELU()(X) - exact).max() < 1e-3


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype, huge", [(np.float64, 1e200), (np.float32, 3e38)])
def test_gelu_and_its_gradient_saturate_for_huge_inputs(dtype, huge):
    """x^3 would overflow: GELU is x (or 0) and its derivative 1 (or 0), with no warning and no NaN."""
    X = np.array([-huge, -50.0, 50.0, huge], dtype)
    np.testing.assert_array_equal(nl.functional.gelu(X), np.array([0.0, 0.0, 50.0, huge], dtype))
    np.testing.assert_array_equal(nl.functional.gelu_grad(X), np.array([0.0, 0.0, 1.0, 1.0], dtype))
    moderate = np.linspace(-10, 10, 201)
    u = np.sqrt(2 / np.pi) * (moderate + 0.044715 * moderate ** 3)
    np.testing.assert_allclose(nl.functional.gelu(moderate), 0.5 * moderate * (1 + np.tanh(u)), rtol=1e-15)


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_keeps_float32_through_forward_and_backward(cls, rng):
    layer = cls()
    X = rng.standard_normal((3, 4)).astype(np.float32)
    Y = layer(X)
    assert Y.dtype == np.float32
    assert layer.backward(np.ones_like(Y)).dtype == np.float32


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_casts_integer_input(cls):
    Y = cls()(np.array([[-2, 0, 3]]))
    assert Y.dtype == np.float64


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_refuses_strings_with_its_name(cls):
    with pytest.raises(nl.InputError, match=re.escape(repr(cls()))):
        cls()([["a", "b"]])


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_backward_without_input_grad_returns_none(cls, rng):
    layer = cls()
    layer(rng.standard_normal((2, 3)))
    assert layer.backward(np.ones((2, 3)), input_grad=False) is None
    assert layer.parameters() == []


# --- functional: derivatives match the layers and central differences -----------------------------

@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_functional_derivative_matches_central_differences(name, rng):
    f, f_grad = F.ACTIVATIONS[name]
    x = rng.standard_normal(200) * 3
    x = x[np.abs(x) > 1e-3]           # away from ReLU's kink
    eps = 1e-6
    numeric = (f(x + eps) - f(x - eps)) / (2 * eps)
    np.testing.assert_allclose(f_grad(x), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, cls", [("relu", nl.ReLU), ("leaky_relu", nl.LeakyReLU), ("sigmoid", nl.Sigmoid),
                                       ("tanh", nl.Tanh), ("gelu", nl.GELU)])
def test_layer_matches_functional(name, cls, rng):
    f, f_grad = F.ACTIVATIONS[name]
    X, dY = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    layer = cls()
    np.testing.assert_allclose(layer(X), f(X), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(dY), dY * f_grad(X), rtol=1e-12)


def test_softmax_backward_matches_jacobian(rng):
    x, dY = rng.standard_normal(5), rng.standard_normal(5)
    s = F.softmax(x)
    jacobian = np.diag(s) - np.outer(s, s)
    np.testing.assert_allclose(F.softmax_backward(s, dY), jacobian @ dY, rtol=1e-12)


def test_log_softmax_is_stable_and_matches_log_of_softmax(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(F.log_softmax(x), np.log(F.softmax(x)), rtol=1e-12)
    big = np.array([[1e4, 0.0, -1e4]])
    assert np.all(np.isfinite(F.log_softmax(big)))
    np.testing.assert_allclose(F.log_softmax(big)[0, 0], 0.0, atol=1e-12)

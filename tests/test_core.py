"""Parameter, Layer and Sequential (nnlite.core): summary, backward, parameters, input validation."""

import re

import numpy as np
import pytest

import nnlite as nl
from nnlite.core import as_float, check_finite, validate_input


def mlp(rng=0):
    return nl.Sequential(nl.Dense(784, 128, rng=rng), nl.ReLU(), nl.Dense(128, 10, rng=rng))


# --- Parameter ----------------------------------------------------------------------------------

def test_parameter_grad_has_value_shape_and_dtype(rng):
    value = rng.standard_normal((3, 4)).astype(np.float32)
    p = nl.Parameter(value, "W")
    assert p.grad.shape == (3, 4) and p.grad.dtype == np.float32
    assert not p.grad.any()
    assert p.shape == (3, 4) and p.size == 12 and p.name == "W"


def test_parameter_zero_grad_of_a_scalar_parameter():
    p = nl.Parameter(np.array(2.0), "scale")
    p.grad += 1.5
    p.zero_grad()
    assert p.grad.shape == () and p.grad == 0.0


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameter_zero_grad_resets_in_place(rng, layout, dtype):
    p = nl.Parameter(rng.standard_normal((6, 5)).astype(dtype), "W")
    if layout == "F":
        p.grad = np.asfortranarray(p.grad)
    elif layout == "strided":
        p.grad = np.zeros((12, 5), dtype)[::2]          # a view: a byte fill would need contiguous memory
    grad = p.grad
    grad -= 3.0                                         # negative, so a sign bit left behind would show
    p.zero_grad()
    assert p.grad is grad and p.grad.dtype == dtype
    assert not p.grad.any() and not np.signbit(p.grad).any()


def test_parameter_repr_names_shape_and_dtype():
    text = repr(nl.Parameter(np.zeros((2, 3)), "W"))
    assert "'W'" in text and "(2, 3)" in text and "float64" in text


# --- Sequential.summary -------------------------------------------------------------------------

def test_summary_prints_101770_parameters(capsys):
    mlp().summary()
    out = capsys.readouterr().out
    assert "Trainable parameters: 101,770" in out


def test_summary_prints_per_layer_shapes_and_counts(capsys):
    mlp().summary()
    lines = capsys.readouterr().out.splitlines()
    first = next(line for line in lines if line.startswith("Dense(784→128)"))
    relu = next(line for line in lines if line.startswith("ReLU()"))
    last = next(line for line in lines if line.startswith("Dense(128→10)"))
    assert "(batch, 128)" in first and "W (784, 128)" in first and "b (128,)" in first
    assert first.rstrip().endswith("100,480")
    assert "(batch, 128)" in relu and relu.rstrip().endswith("0")
    assert "(batch, 10)" in last and "W (128, 10)" in last and last.rstrip().endswith("1,290")


def test_summary_total_matches_parameter_sizes():
    model = nl.Sequential(nl.Dense(5, 7, rng=0), nl.Tanh(), nl.Dense(7, 3, rng=0))
    total = sum(p.size for p in model.parameters())
    assert total == 5 * 7 + 7 + 7 * 3 + 3
    assert f"Trainable parameters: {total:,}" in model.summary_text()


def test_summary_with_flatten_needs_input_shape():
    model = nl.Sequential(nl.Flatten(), nl.Dense(12, 2, rng=0))
    assert "?" in model.summary_text()
    text = model.summary_text(input_shape=(3, 4))
    assert "(batch, 12)" in text and "(batch, 2)" in text


def test_summary_keeps_training_mode():
    model = mlp()
    model.eval()
    model.summary_text()
    assert all(not layer.training for layer in model)


# --- Sequential forward / backward --------------------------------------------------------------

def test_sequential_forward_composes_layers(rng):
    d1, d2 = nl.Dense(4, 5, rng=1), nl.Dense(5, 2, rng=2)
    model = nl.Sequential(d1, nl.Tanh(), d2)
    X = rng.standard_normal((6, 4))
    expected = np.tanh(X @ d1.W.value + d1.b.value) @ d2.W.value + d2.b.value
    np.testing.assert_allclose(model(X), expected, rtol=1e-12)


def test_sequential_accepts_a_list():
    layers = [nl.Dense(2, 3, rng=0), nl.ReLU()]
    assert nl.Sequential(layers).layers == layers


def test_backward_without_input_grad_returns_none_and_fills_first_layer(rng):
    model = nl.Sequential(nl.Dense(4, 5, rng=0), nl.ReLU(), nl.Dense(5, 3, rng=1))
    X, dY = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    model(X)
    assert model.backward(dY, input_grad=False) is None
    first = model[0]
    assert first.W.grad.any() and first.b.grad.any()
    # the same gradients as with input_grad=True
    W_grad = first.W.grad.copy()
    model.zero_grad()
    model(X)
    dX = model.backward(dY)
    assert dX.shape == X.shape
    np.testing.assert_array_equal(first.W.grad, W_grad)


def test_gradients_accumulate_until_zero_grad(rng):
    model = nl.Sequential(nl.Dense(3, 2, rng=0))
    X, dY = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    model(X)
    model.backward(dY)
    once = model[0].W.grad.copy()
    model(X)
    model.backward(dY)
    np.testing.assert_allclose(model[0].W.grad, 2 * once)
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())


def test_parameters_and_named_parameters_are_in_layer_order():
    model = mlp()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.W", "0.b", "2.W", "2.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.parameters()[0] is model[0].W


def test_train_and_eval_propagate_to_every_layer():
    model = mlp()
    assert model.eval() is model
    assert not model.training and all(not layer.training for layer in model)
    model.train()
    assert model.training and all(layer.training for layer in model)


def test_sequential_len_iter_getitem_repr():
    model = mlp()
    assert len(model) == 3 and list(model) == model.layers and isinstance(model[1], nl.ReLU)
    assert "Dense(784→128)" in repr(model) and "Dense(128→10)" in repr(model)


def test_empty_sequential_is_identity(rng):
    X = rng.standard_normal((2, 3))
    model = nl.Sequential()
    assert model(X) is X and model.parameters() == []


@pytest.mark.parametrize("bad, pattern", [(nl.ReLU, r"Call it to make one: ReLU\(\.\.\.\)"),
                                          (np.zeros(3), "takes layers, got ndarray")])
def test_sequential_refuses_non_layers(bad, pattern):
    with pytest.raises(nl.NNLiteError, match=pattern):
        nl.Sequential(nl.Dense(2, 2, rng=0), bad)


def test_layer_base_class_needs_forward_and_backward():
    layer = nl.Layer()
    with pytest.raises(NotImplementedError):
        layer(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError):
        layer.backward(np.zeros((1, 1)))
    assert layer.parameters() == [] and layer.buffers() == {} and repr(layer) == "Layer()"


@pytest.mark.parametrize("layer", [nl.Dense(3, 2, rng=0), nl.Flatten(), nl.ReLU(), nl.LeakyReLU(), nl.Sigmoid(),
                                   nl.Tanh(), nl.Softmax(), nl.GELU(), nl.Sequential(nl.Dense(3, 2, rng=0))],
                         ids=repr)
def test_backward_before_forward_says_what_to_do(layer):
    with pytest.raises(nl.NNLiteError, match="backward was called before forward. Run the forward pass first"):
        layer.backward(np.ones((1, 2)))


@pytest.mark.parametrize("layer, X", [(nl.Dense(3, 2, rng=0), np.ones((4, 3))), (nl.ReLU(), np.ones((4, 3))),
                                      (nl.Sigmoid(), np.ones((4, 3))), (nl.GELU(), np.ones((4, 3)))], ids=repr)
def test_backward_with_wrong_dY_shape_names_the_layer(layer, X):
    layer(X)
    with pytest.raises(nl.ShapeError, match=re.escape(repr(layer)) + r"\.backward expects dY of the output's shape"):
        layer.backward(np.ones((4, 7)))


# --- as_float / check_finite / validate_input ---------------------------------------------------

@pytest.mark.parametrize("X, dtype", [(np.arange(6).reshape(2, 3), np.float64), ([[1, 2], [3, 4]], np.float64),
                                      (np.ones((2, 2), np.float32), np.float32),
                                      (np.ones((2, 2), np.float16), np.float64),
                                      (np.array([[True, False]]), np.float64)])
def test_as_float_casts_ints_bools_and_keeps_float32(X, dtype):
    assert as_float(X, "test").dtype == dtype


@pytest.mark.parametrize("X", [["a", "b"], np.array([1, 2], dtype=object), [[1, 2], [3]], np.array([1 + 2j])],
                         ids=["strings", "object", "ragged", "complex"])
def test_as_float_refuses_non_numeric(X):
    with pytest.raises(nl.InputError, match=r"np\.asarray\(x, dtype=float\)"):
        as_float(X, "somewhere")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_counts_bad_values(bad):
    X = np.ones((3, 3))
    X[1, 2] = bad
    X[0, 0] = bad
    with pytest.raises(nl.InputError, match="got 2 NaN or infinite value"):
        check_finite(X, "here")


@pytest.mark.parametrize("shape", [(1 << 20,), (4096, 300), (64, 128, 130)], ids=["1-D", "2-D", "3-D"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_finds_one_bad_value_in_a_large_array(shape, bad):
    X = np.ones(shape, np.float32)    # large enough for the row-sum screen
    X.flat[X.size // 3] = bad
    with pytest.raises(nl.InputError, match="got 1 NaN or infinite value"):
        check_finite(X, "here")
    with pytest.raises(nl.InputError, match="got 1 NaN or infinite value"):
        check_finite(X.T if X.ndim > 1 else X[::-1], "here")   # a non-contiguous view too


@pytest.mark.filterwarnings("error")
def test_check_finite_passes_large_but_finite_values_in_a_large_array():
    X = np.full((2048, 1024), 3e38, np.float32)   # every row sum overflows to inf, no value does
    X[::2] *= -1
    assert check_finite(X, "here") is X


@pytest.mark.filterwarnings("error")
def test_check_finite_passes_large_but_finite_values():
    X = np.full((2, 2), 1e308)        # the sum overflows, the values do not
    assert check_finite(X, "here") is X


def test_validate_input_accepts_and_casts():
    layer = nl.Dense(3, 2, rng=0, dtype=np.float32)
    X = validate_input(np.ones((4, 3), dtype=np.int64), layer, (None, 3), np.float32)
    assert X.dtype == np.float32 and X.shape == (4, 3)


@pytest.mark.parametrize("shape, hint", [((3,), r"Add a batch axis: x\.reshape\(1, -1\)"),
                                         ((2, 1, 3), r"Flatten it first"),
                                         ((2, 4), r"axis 1 should have size 3"),
                                         ((0, 3), r"empty batch")])
def test_validate_input_errors_name_layer_and_advise(shape, hint):
    layer = nl.Dense(3, 2, rng=0)
    with pytest.raises(nl.ShapeError, match=re.escape("Dense(3→2)")) as info:
        validate_input(np.ones(shape), layer, (None, 3), np.float64)
    assert re.search(hint, str(info.value))


def test_fit_still_refuses_nan_data_before_training():
    model = nl.Sequential(nl.Dense(2, 2, rng=0))
    X = np.array([[0.0, 1.0], [np.nan, 0.0]])
    before = model[0].W.value.copy()
    with pytest.raises(nl.InputError, match="NaN or infinite"):
        nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=0.1), X, np.array([0, 1]),
               epochs=1, progress=False)
    np.testing.assert_array_equal(model[0].W.value, before)


def test_nan_input_raises_nonfinite_error_which_is_an_input_error():
    with pytest.raises(nl.NonFiniteError, match="NaN or infinite"):
        nl.Dense(2, 2, rng=0)(np.array([[np.inf, 0.0]]))
    assert issubclass(nl.NonFiniteError, nl.InputError)


def test_shapes_only_counts_a_layer_too_big_for_numpy():
    """The browser edition's numpy is 32-bit: chapter 10's Dense over 1,024 tokens (4.3e9 weights) is too big
    for it to describe even as a placeholder. 2**32 x 2**32 is too big for a 64-bit numpy too."""
    with nl.shapes_only():
        huge = nl.Dense(2**32, 2**32)
    assert huge.W.size == 2**64 and huge.W.shape == (2**32, 2**32) and huge.b.size == 2**32
    huge.zero_grad()
    table = nl.Sequential(huge).summary_text()
    assert "Trainable parameters: 18,446,744,078,004,518,912" in table
    with pytest.raises(nl.NNLiteError):
        huge(np.zeros((1, 3)))

"""Property tests of the core: wrong shapes and odd inputs only ever raise nnlite's errors, extreme logits stay
finite without warnings, and checkpoints round-trip exactly or are refused without side effects."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

SETTINGS = settings(max_examples=60, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)
activations = st.sampled_from([nl.ReLU, nl.LeakyReLU, nl.Sigmoid, nl.Tanh, nl.Softmax, nl.GELU])
losses = st.sampled_from([nl.MSELoss, nl.CrossEntropyLoss, nl.BCEWithLogitsLoss])


def odd_inputs():
    """Things a student might pass instead of a float array."""
    return st.one_of(
        shapes.map(np.zeros),
        shapes.map(lambda s: np.zeros(s, dtype=np.int64)),
        shapes.map(lambda s: np.zeros(s, dtype=bool)),
        shapes.map(lambda s: np.full(s, "a")),
        shapes.map(lambda s: np.empty(s, dtype=object)),
        shapes.map(lambda s: np.full(s, np.nan)),
        st.lists(st.lists(st.floats(-3, 3), min_size=0, max_size=4), min_size=0, max_size=4),   # maybe ragged
        st.floats(allow_nan=True),
        st.none(),
        st.text(max_size=3),
    )


def only_nnlite_errors(call, *names):
    """Run ``call``; any exception must be an nnlite error (a ValueError) whose message names one of ``names``."""
    try:
        return call()
    except nl.NNLiteError as err:
        assert isinstance(err, ValueError)
        if names:
            assert any(name in str(err) for name in names), f"{err} does not name any of {names}"
        return err


# --- wrong shapes and odd inputs ------------------------------------------------------------------------

@SETTINGS
@given(shape=shapes, n_in=st.integers(1, 5), n_out=st.integers(1, 5))
def test_dense_with_any_shape_is_right_or_a_shape_error_naming_it(shape, n_in, n_out):
    layer = nl.Dense(n_in, n_out, rng=0)
    valid = len(shape) >= 2 and shape[-1] == n_in and all(shape[:-1])     # (N, ..., n_in), nothing empty
    if valid:
        assert layer(np.ones(shape)).shape == shape[:-1] + (n_out,)
    else:
        with pytest.raises(nl.ShapeError, match=re.escape(f"Dense({n_in}→{n_out})")):
            layer(np.ones(shape))


@SETTINGS
@given(X=odd_inputs())
def test_dense_with_odd_input_never_raises_a_raw_error(X):
    only_nnlite_errors(lambda: nl.Dense(3, 2, rng=0)(X), "Dense(3→2)")


@SETTINGS
@given(X=odd_inputs(), cls=activations)
def test_activations_with_odd_input_never_raise_a_raw_error(X, cls):
    layer = cls()
    only_nnlite_errors(lambda: layer(X), repr(layer))


@SETTINGS
@given(X=odd_inputs())
def test_flatten_with_odd_input_never_raises_a_raw_error(X):
    only_nnlite_errors(lambda: nl.Flatten()(X), "Flatten")


@SETTINGS
@given(X=odd_inputs(), hidden=st.integers(1, 4))
def test_sequential_with_odd_input_names_the_failing_layer(X, hidden):
    model = nl.Sequential(nl.Dense(3, hidden, rng=0), nl.ReLU(), nl.Dense(hidden, 2, rng=1))
    only_nnlite_errors(lambda: model(X), "Dense(3→", "ReLU", f"Dense({hidden}→2)")


@SETTINGS
@given(dY_shape=shapes, batch=st.integers(1, 4), cls=st.sampled_from([nl.Dense, nl.Flatten, nl.ReLU, nl.Sigmoid,
                                                                       nl.Softmax, nl.GELU, nl.LeakyReLU, nl.Tanh]))
def test_backward_with_any_dY_shape_is_right_or_a_shape_error_naming_the_layer(dY_shape, batch, cls):
    layer = cls(3, 2, rng=0) if cls is nl.Dense else cls()
    Y = layer(np.ones((batch, 3)))
    if dY_shape == Y.shape:
        assert layer.backward(np.ones(dY_shape)).shape == (batch, 3)
    else:
        with pytest.raises(nl.ShapeError, match=re.escape(repr(layer)) + r"\.backward"):
            layer.backward(np.ones(dY_shape))


@SETTINGS
@given(cls=losses, pred=odd_inputs(), target=odd_inputs())
def test_losses_with_odd_input_never_raise_a_raw_error(cls, pred, target):
    loss_fn = cls()
    with np.errstate(over="ignore"):         # MSE of values near 1e308 is inf, and that is not an error
        only_nnlite_errors(lambda: loss_fn(pred, target), cls.__name__)


@SETTINGS
@given(cls=losses, pred_shape=shapes, target_shape=shapes)
def test_losses_with_any_shapes_never_raise_a_raw_error(cls, pred_shape, target_shape):
    loss_fn = cls()
    target = np.zeros(target_shape, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = only_nnlite_errors(lambda: loss_fn(np.zeros(pred_shape), target), cls.__name__)
    if isinstance(result, float):
        assert np.isfinite(result)
        assert loss_fn.backward().shape == pred_shape


@SETTINGS
@given(X=odd_inputs(), y=odd_inputs())
def test_fit_with_odd_data_never_raises_a_raw_error(X, y):
    model = nl.Sequential(nl.Dense(2, 3, rng=0))
    opt = nl.SGD(model.parameters(), lr=0.1)
    only_nnlite_errors(lambda: nl.fit(model, nl.CrossEntropyLoss(), opt, X, y, epochs=1, progress=False),
                       "fit", "Dense(2→3)", "CrossEntropyLoss")


# --- extreme values: finite, and no numpy warnings ---------------------------------------------------------

def no_warnings():
    """Overflow, division by zero and invalid operations raise; underflow to 0 is the exact float answer."""
    return np.errstate(over="raise", divide="raise", invalid="raise")


extreme = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
float_dtypes = st.sampled_from([np.float64, np.float32])


@SETTINGS
@given(data=st.data(), n=st.integers(1, 6), classes=st.integers(1, 5), dtype=float_dtypes)
def test_cross_entropy_is_finite_for_logits_up_to_1e4(data, n, classes, dtype):
    z = data.draw(hnp.arrays(dtype, (n, classes), elements=extreme))
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, classes - 1)))
    loss_fn = nl.CrossEntropyLoss()
    with warnings.catch_warnings(), no_warnings():
        warnings.simplefilter("error")
        loss = loss_fn(z, y)
        dZ = loss_fn.backward()
    assert np.isfinite(loss) and loss >= 0
    assert np.all(np.isfinite(dZ))
    np.testing.assert_allclose(dZ.sum(axis=1), 0.0, atol=1e-5)   # each row of softmax - onehot sums to 0


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), dtype=float_dtypes)
def test_sigmoid_is_finite_in_zero_one_for_inputs_up_to_1e4(data, shape, dtype):
    X = data.draw(hnp.arrays(dtype, shape, elements=extreme))
    layer = nl.Sigmoid()
    with warnings.catch_warnings(), no_warnings():
        warnings.simplefilter("error")
        Y = layer(X)
        dX = layer.backward(np.ones_like(Y))
        Y_functional = nl.functional.sigmoid(X)
    assert Y.dtype == dtype
    assert np.all((Y >= 0) & (Y <= 1)) and np.all(np.isfinite(dX)) and np.all(dX >= 0)
    np.testing.assert_array_equal(Y, Y_functional)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), dtype=float_dtypes)
def test_bce_with_logits_is_finite_for_logits_up_to_1e4(data, shape, dtype):
    z = data.draw(hnp.arrays(dtype, shape, elements=extreme))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    loss_fn = nl.BCEWithLogitsLoss()
    with warnings.catch_warnings(), no_warnings():
        warnings.simplefilter("error")
        loss = loss_fn(z, t)
        dz = loss_fn.backward()
    assert np.isfinite(loss) and loss >= 0 and np.all(np.isfinite(dz))


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
def test_softmax_and_tanh_are_finite_for_inputs_up_to_1e4(data, shape):
    X = data.draw(hnp.arrays(np.float64, shape, elements=extreme))
    with warnings.catch_warnings(), no_warnings():
        warnings.simplefilter("error")
        for layer in (nl.Softmax(), nl.Tanh()):
            Y = layer(X)
            assert np.all(np.isfinite(Y)) and np.all(np.isfinite(layer.backward(np.ones_like(Y))))


# --- checkpoints ---------------------------------------------------------------------------------------------

sizes = st.lists(st.integers(1, 6), min_size=2, max_size=4)
CHECKPOINT_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def build(layer_sizes, seed, dtype=np.float64):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(layer_sizes, layer_sizes[1:])):
        layers += [nl.Dense(n_in, n_out, rng=seed + i, dtype=dtype), nl.Tanh()]
    return nl.Sequential(layers[:-1])


@CHECKPOINT_SETTINGS
@given(layer_sizes=sizes, seeds=st.tuples(st.integers(0, 100), st.integers(101, 200)), dtype=float_dtypes,
       scale=st.sampled_from([1.0, 1e-300, 1e300]))
def test_save_load_round_trips_exactly(tmp_path, layer_sizes, seeds, dtype, scale):
    source, target = build(layer_sizes, seeds[0], dtype), build(layer_sizes, seeds[1], dtype)
    if dtype == np.float64:
        for p in source.parameters():
            p.value *= scale                       # tiny and huge values survive too
    path = tmp_path / "model.npz"
    nl.save(source, path)
    nl.load(target, path)
    for a, b in zip(source.parameters(), target.parameters()):
        assert b.value.dtype == dtype
        np.testing.assert_array_equal(a.value, b.value)


@CHECKPOINT_SETTINGS
@given(saved=sizes, other=sizes)
def test_load_refuses_a_mismatched_model_and_changes_nothing(tmp_path, saved, other):
    assume(saved != other)
    path = tmp_path / "model.npz"
    nl.save(build(saved, 0), path)
    model = build(other, 50)
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(nl.CheckpointError, match="different architecture; nothing was loaded") as info:
        nl.load(model, path)
    assert repr(model).splitlines()[1].strip() in str(info.value)     # the model's layers are shown
    for old, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(p.value, old)

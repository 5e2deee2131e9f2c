"""BatchNorm, LayerNorm and Dropout: gradient checks in both modes, statistics, buffers, errors, dtypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl

BN_SHAPES = [(6, 3), (4, 3, 5), (3, 3, 4, 4)]


def with_random_affine(layer, seed=5):
    """Give gamma and beta values away from 1 and 0, so a gradient that ignores them fails."""
    rng = np.random.default_rng(seed)
    layer.gamma.value[...] = rng.uniform(0.5, 2.0, layer.gamma.shape)
    layer.beta.value[...] = rng.standard_normal(layer.beta.shape)
    return layer


# --- BatchNorm --------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck_both_modes(shape, training):
    layer = with_random_affine(nl.BatchNorm(3))
    layer.running_mean[...] = [0.3, -0.2, 0.1]
    layer.running_var[...] = [0.5, 2.0, 1.5]
    layer.train(training)
    X = np.random.default_rng(7).normal(1.0, 2.0, shape)
    errors = nl.gradcheck(layer, X)
    assert set(errors) == {"input", "gamma", "beta"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batchnorm_training_output_has_zero_mean_unit_variance_per_feature(shape):
    X = np.random.default_rng(0).normal(5.0, 3.0, shape)
    Y = nl.BatchNorm(3)(X)
    axes = (0,) + tuple(range(2, len(shape)))
    np.testing.assert_allclose(Y.mean(axis=axes), 0, atol=1e-12)
    np.testing.assert_allclose(Y.var(axis=axes), 1, rtol=1e-3)


def test_batchnorm_running_statistics_follow_momentum_with_unbiased_variance():
    layer = nl.BatchNorm(2, momentum=0.25)
    rng = np.random.default_rng(1)
    mean, var = np.zeros(2), np.ones(2)
    for _ in range(3):
        X = rng.normal(2.0, 3.0, (8, 2))
        layer(X)
        mean = 0.75 * mean + 0.25 * X.mean(axis=0)
        var = 0.75 * var + 0.25 * X.var(axis=0, ddof=1)
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)


def test_batchnorm_eval_uses_running_statistics_and_leaves_them_alone():
    layer = with_random_affine(nl.BatchNorm(2))
    layer.running_mean[...] = [1.0, -1.0]
    layer.running_var[...] = [4.0, 0.25]
    layer.eval()
    X = np.random.default_rng(2).standard_normal((5, 2))
    expected = layer.gamma.value * (X - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) + layer.beta.value
    np.testing.assert_allclose(layer(X), expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, [1.0, -1.0])
    # In eval one example's output does not depend on the rest of the batch.
    np.testing.assert_allclose(layer(X[:1]), layer(X)[:1], rtol=1e-12)


def test_batchnorm_buffers_are_plain_arrays_and_survive_save_and_load(tmp_path):
    model = nl.Sequential(nl.Dense(3, 2, rng=0), nl.BatchNorm(2))
    model(np.random.default_rng(0).standard_normal((10, 3)))
    buffers = model.buffers()
    assert set(buffers) == {"1.running_mean", "1.running_var"}
    assert all(isinstance(a, np.ndarray) for a in buffers.values())
    assert [name for name, _ in model[1].named_parameters()] == ["gamma", "beta"]
    nl.save(model, tmp_path / "m.npz")
    saved = {k: v.copy() for k, v in buffers.items()}
    fresh = nl.Sequential(nl.Dense(3, 2, rng=1), nl.BatchNorm(2))
    nl.load(fresh, tmp_path / "m.npz")
    for name, array in fresh.buffers().items():
        np.testing.assert_array_equal(array, saved[name])


def test_summary_separates_parameters_from_buffers(capsys):
    model = nl.Sequential(nl.Conv2D(1, 4, 3, rng=0), nl.BatchNorm(4), nl.ReLU(), nl.Dropout(0.5),
                          nl.Flatten(), nl.Dense(4 * 6 * 6, 10, rng=0))
    model.summary(input_shape=(1, 8, 8))
    text = capsys.readouterr().out
    assert f"Trainable parameters: {40 + 8 + 144 * 10 + 10:,}" in text
    assert "Buffers (not trained): 8" in text
    dropout_row = next(line for line in text.splitlines() if line.startswith("Dropout"))
    assert dropout_row.split()[-1] == "0" and "(batch, 4, 6, 6)" in dropout_row


class ForgetsBatchDependence(nl.BatchNorm):
    """A classic bug: in training, backpropagating as if the batch mean and variance were constants."""

    def backward(self, dY, input_grad=True):
        X_hat, inv_std, axes, shape, _ = self._cache
        self._cache = (X_hat, inv_std, axes, shape, False)
        return super().backward(dY, input_grad)


def test_gradcheck_catches_a_broken_batchnorm_backward():
    errors = nl.gradcheck(ForgetsBatchDependence(3), np.random.default_rng(3).standard_normal((6, 3)))
    assert errors["input"] > 1e-3


@pytest.mark.parametrize("shape, pattern", [
    ((3,), r"x\[None\]"), ((4, 5), r"axis 1 \(features or channels\) should have size 3"),
    ((2, 4, 5, 5), r"Use BatchNorm\(4\)"), ((2, 3, 2, 2, 2), r"\(batch, 3, H, W\)"),
    ((1, 3), r"more than one value per feature"), ((0, 3), r"empty batch"),
])
def test_batchnorm_errors(shape, pattern):
    with pytest.raises(nl.ShapeError, match=pattern) as info:
        nl.BatchNorm(3)(np.ones(shape))
    assert "BatchNorm(3)" in str(info.value)


def test_batchnorm_single_example_is_fine_in_eval():
    assert nl.BatchNorm(3).eval()(np.ones((1, 3))).shape == (1, 3)


@pytest.mark.parametrize("kwargs", [dict(num_features=0), dict(num_features=2.0), dict(num_features=2, momentum=1.5),
                                    dict(num_features=2, momentum=None), dict(num_features=2, eps=0),
                                    dict(num_features=2, eps="1e-5")])
def test_batchnorm_bad_arguments(kwargs):
    with pytest.raises(nl.NNLiteError, match="BatchNorm"):
        nl.BatchNorm(**kwargs)


# --- LayerNorm --------------------------------------------------------------------------------------
@pytest.mark.parametrize("normalized_shape, shape", [(5, (4, 5)), (5, (2, 3, 5)), ((3, 4), (2, 3, 4))])
def test_layernorm_gradcheck(normalized_shape, shape):
    layer = with_random_affine(nl.LayerNorm(normalized_shape))
    errors = nl.gradcheck(layer, np.random.default_rng(8).normal(2.0, 3.0, shape))
    assert max(errors.values()) < 1e-6, errors


def test_layernorm_normalises_each_example_across_its_features():
    X = np.random.default_rng(0).normal(0, 1, (4, 6)) * np.array([[1], [10], [100], [0.1]]) + 7
    Y = nl.LayerNorm(6)(X)
    np.testing.assert_allclose(Y.mean(axis=1), 0, atol=1e-10)
    var = X.var(axis=1)
    np.testing.assert_allclose(Y.var(axis=1), var / (var + 1e-5), rtol=1e-10)   # 1 up to eps
    # Each example on its own: the rest of the batch changes nothing, in training and in eval.
    np.testing.assert_allclose(nl.LayerNorm(6)(X[2:3]), Y[2:3], rtol=1e-12)


def test_layernorm_applies_gain_and_shift():
    layer = nl.LayerNorm(3)
    layer.gamma.value[...] = [1.0, 2.0, 3.0]
    layer.beta.value[...] = [0.0, 1.0, -1.0]
    X_hat = np.array([-1.0, 0.0, 1.0]) / np.sqrt(2 / 3 + 1e-5)    # what [1, 2, 3] normalises to
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0, 3.0]])), [X_hat * [1, 2, 3] + [0, 1, -1]], rtol=1e-12)


@pytest.mark.parametrize("args", [(0,), ((3, 0),), ("5",), (5, -1.0)])
def test_layernorm_bad_arguments(args):
    with pytest.raises(nl.NNLiteError, match="LayerNorm"):
        nl.LayerNorm(*args)


@pytest.mark.parametrize("shape, pattern", [((4, 6), r"\(batch, \.\.\., 5\)"), ((5,), r"x\[None\]")])
def test_layernorm_errors(shape, pattern):
    with pytest.raises(nl.ShapeError, match=pattern):
        nl.LayerNorm(5)(np.ones(shape))


# --- Dropout ----------------------------------------------------------------------------------------
def test_dropout_p0_gradcheck_and_identity():
    X = np.random.default_rng(0).standard_normal((4, 5))
    assert nl.gradcheck(nl.Dropout(0.0, rng=0), X)["input"] < 1e-6
    np.testing.assert_array_equal(nl.Dropout(0.0)(X), X)


class ReseededDropout(nl.Dropout):
    """Draws the same mask on every forward pass, so finite differences see one fixed function."""

    def forward(self, X):
        self.rng = np.random.default_rng(11)
        return super().forward(X)


def test_dropout_gradcheck_with_a_fixed_mask():
    layer = ReseededDropout(0.4)
    assert nl.gradcheck(layer, np.random.default_rng(1).standard_normal((6, 5)))["input"] < 1e-6


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_with_probability_p_and_scales_the_rest(p):
    layer = nl.Dropout(p, rng=0)
    X = np.random.default_rng(1).uniform(1, 2, (200, 100))
    Y = layer(X)
    kept = Y != 0
    assert abs(1 - kept.mean() - p) < 0.01                        # 20,000 draws: sd about 0.004
    np.testing.assert_allclose(Y[kept], X[kept] / (1 - p), rtol=1e-12)
    dY = np.random.default_rng(2).standard_normal(X.shape)
    np.testing.assert_allclose(layer.backward(dY), dY * kept / (1 - p), rtol=1e-12)
    assert abs(Y.mean() / X.mean() - 1) < 0.03                    # inverted dropout keeps the mean


def test_dropout_is_the_identity_in_eval():
    layer = nl.Dropout(0.5, rng=0).eval()
    X = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(layer(X), X)
    np.testing.assert_array_equal(layer.backward(np.ones((3, 4))), np.ones((3, 4)))
    layer.train()
    assert np.any(layer(X) == 0)


def test_dropout_same_seed_same_mask():
    X = np.ones((4, 10))
    np.testing.assert_array_equal(nl.Dropout(0.5, rng=3)(X), nl.Dropout(0.5, rng=3)(X))


@pytest.mark.parametrize("p", [-0.1, 1, 1.5, "0.5", True])
def test_dropout_refuses_bad_p(p):
    with pytest.raises(nl.NNLiteError, match=r"\[0, 1\)"):
        nl.Dropout(p)


def test_dropout_errors_and_repr():
    assert repr(nl.Dropout(0.25)) == "Dropout(p=0.25)"
    assert nl.Dropout(0.5).parameters() == [] and nl.Dropout(0.5).buffers() == {}
    with pytest.raises(nl.NNLiteError, match="before forward"):
        nl.Dropout(0.5).backward(np.ones(3))
    layer = nl.Dropout(0.5)
    layer(np.ones((2, 3)))
    with pytest.raises(nl.ShapeError, match="dY"):
        layer.backward(np.ones((3, 2)))


# --- dtypes and random shapes -----------------------------------------------------------------------
@pytest.mark.parametrize("make, shape", [
    (lambda: nl.BatchNorm(3, dtype=np.float32), (4, 3, 5)),
    (lambda: nl.BatchNorm(3, dtype=np.float32).eval(), (4, 3)),
    (lambda: nl.LayerNorm(5, dtype=np.float32), (4, 5)),
    (lambda: nl.Dropout(0.5, rng=0), (4, 5)),
])
def test_float32_stays_float32(make, shape):
    layer = make()
    Y = layer(np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    dX = layer.backward(np.ones_like(Y))
    assert Y.dtype == dX.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())
    assert all(a.dtype == np.float32 for a in layer.buffers().values())


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=0, max_size=5),
       make=st.sampled_from([lambda: nl.BatchNorm(3), lambda: nl.BatchNorm(3).eval(), lambda: nl.LayerNorm(3),
                             lambda: nl.LayerNorm((2, 3)), lambda: nl.Dropout(0.5, rng=0)]))
def test_random_input_shapes_raise_only_nnlite_errors(shape, make):
    layer = make()
    try:
        Y = layer(np.ones(shape))
    except nl.NNLiteError:
        return
    assert Y.shape == tuple(shape)
    assert layer.backward(np.ones_like(Y)).shape == tuple(shape)

"""RNN, GRU, Bidirectional, BiGRU and LastStep: gradients, shapes, state, dtypes and error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlite as nl
from nnlite.errors import NNLiteError, ShapeError
from nnlite.recurrent import GRU, RNN, BiGRU, Bidirectional, LastStep

# Relative-error limits of the float64 gradient check (DESIGN.md section 6).
LIMIT = {"RNN": 1e-6, "GRU": 1e-5}


def make(kind, n_in, n_hidden, seed=0, dtype=np.float64):
    """A recurrent layer by name: "RNN", "GRU", "BiGRU" or "BiRNN-GRU" (a mixed bidirectional pair)."""
    if kind == "RNN":
        return RNN(n_in, n_hidden, rng=seed, dtype=dtype)
    if kind == "GRU":
        return GRU(n_in, n_hidden, rng=seed, dtype=dtype)
    if kind == "BiGRU":
        return BiGRU(n_in, n_hidden, rng=seed, dtype=dtype)
    return Bidirectional(RNN(n_in, n_hidden, rng=seed, dtype=dtype),
                         GRU(n_in, n_hidden + 1, rng=seed + 1, dtype=dtype))


# --- gradient checks ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 5, 4), (1, 1, 2), (2, 9, 1)])
@pytest.mark.parametrize("kind, n_hidden, limit", [("RNN", 3, 1e-6), ("GRU", 3, 1e-5), ("BiGRU", 2, 1e-5),
                                                   ("BiRNN-GRU", 2, 1e-5)])
def test_gradcheck(kind, n_hidden, limit, shape, rng):
    layer = make(kind, shape[2], n_hidden)
    X = rng.standard_normal(shape)
    errors = nl.gradcheck(layer, X)
    assert set(errors) == {"input"} | {name for name, _ in layer.named_parameters()}
    for name, err in errors.items():
        assert err < limit, f"{kind} {name}: relative error {err:.2e}"


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_gradient_of_initial_state(kind, rng):
    """dL/dh_0 (kept in layer.dh0) agrees with central differences."""
    layer = make(kind, 2, 3)
    X, h0 = rng.standard_normal((2, 6, 2)), rng.standard_normal((2, 3))
    G = rng.standard_normal((2, 6, 3))
    layer.forward(X, h0=h0)
    layer.backward(G)
    numeric = np.zeros_like(h0)
    for index in np.ndindex(h0.shape):
        plus, minus = h0.copy(), h0.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        numeric[index] = (np.sum(layer.forward(X, h0=plus) * G) - np.sum(layer.forward(X, h0=minus) * G)) / 2e-6
    assert nl.rel_error(layer.dh0, numeric) < LIMIT[kind]


def test_gradcheck_through_laststep_and_dense(rng):
    model = nl.Sequential(GRU(2, 4, rng=0), LastStep(), nl.Dense(4, 3, rng=1))
    errors = nl.gradcheck(model, rng.standard_normal((3, 5, 2)))
    assert max(errors.values()) < 1e-5, errors


class ForgetsRecurrence:
    """A classic bug: backward drops the gradient that flows back through h_{t-1} @ Wh."""

    def backward(self, dY, input_grad=True):
        Wh = self.Wh.value
        self.Wh.value = np.zeros_like(Wh)
        try:
            return super().backward(dY, input_grad)
        finally:
            self.Wh.value = Wh


class ForgetfulRNN(ForgetsRecurrence, RNN):
    pass


class ForgetfulGRU(ForgetsRecurrence, GRU):
    pass


@pytest.mark.parametrize("broken", [ForgetfulRNN, ForgetfulGRU])
def test_broken_backward_fails_gradcheck(broken, rng):
    errors = nl.gradcheck(broken(3, 4, rng=0), rng.standard_normal((2, 6, 3)))
    assert errors["input"] > 1e-3
    assert errors["Wh"] > 1e-3


def test_input_grad_false_returns_none_but_accumulates(rng):
    layer = GRU(2, 3, rng=0)
    X, G = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 3))
    layer.forward(X)
    assert layer.backward(G, input_grad=False) is None
    once = [p.grad.copy() for p in layer.parameters()]
    assert all(np.abs(g).sum() > 0 for g in once)
    layer.forward(X)
    layer.backward(G)
    for p, g in zip(layer.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g)


# --- what the layers compute -------------------------------------------------------------------------

@pytest.mark.parametrize("kind, width", [("RNN", 5), ("GRU", 5), ("BiGRU", 10)])
def test_output_shape(kind, width, rng):
    assert make(kind, 3, 5)(rng.standard_normal((4, 7, 3))).shape == (4, 7, width)


def test_rnn_step_formula(rng):
    """The first two outputs follow h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b) from h_0 = 0."""
    rnn = RNN(3, 4, rng=0)
    X = rng.standard_normal((2, 2, 3))
    Y = rnn(X)
    h1 = np.tanh(X[:, 0] @ rnn.Wx.value + rnn.b.value)
    h2 = np.tanh(X[:, 1] @ rnn.Wx.value + h1 @ rnn.Wh.value + rnn.b.value)
    np.testing.assert_allclose(Y[:, 0], h1, rtol=1e-12)
    np.testing.assert_allclose(Y[:, 1], h2, rtol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_state_carries_over(kind, rng):
    """Reading a sequence in two halves, passing the last state on, equals reading it whole."""
    layer = make(kind, 2, 3)
    X = rng.standard_normal((3, 8, 2))
    whole = layer(X)
    first = layer(X[:, :5])
    second = layer.forward(X[:, 5:], h0=first[:, -1])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-12)


@pytest.mark.parametrize("kind, count", [("RNN", lambda F, H: H * (F + H + 1)),
                                          ("GRU", lambda F, H: 3 * H * (F + H + 2))])
@pytest.mark.parametrize("F, H", [(1, 6), (4, 3)])
def test_parameters_do_not_depend_on_sequence_length(kind, count, F, H, rng):
    layer = make(kind, F, H)
    assert sum(p.size for p in layer.parameters()) == count(F, H)
    for T in (1, 50):
        assert layer(rng.standard_normal((2, T, F))).shape == (2, T, H)
    assert sum(p.size for p in layer.parameters()) == count(F, H)


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_initial_weights_are_uniform_in_one_over_sqrt_hidden(kind):
    H = 16
    layer = make(kind, 5, H)
    values = np.concatenate([p.value.ravel() for p in layer.parameters()])
    bound = 1 / np.sqrt(H)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.9 * bound          # spread over the whole interval, not N(0, small)


def test_bidirectional_reverse_half_reads_backwards(rng):
    forward_layer, reverse_layer = GRU(2, 3, rng=0), GRU(2, 4, rng=1)
    bi = Bidirectional(forward_layer, reverse_layer)
    X = rng.standard_normal((2, 6, 2))
    Y = bi(X)
    assert Y.shape == (2, 6, 7)
    np.testing.assert_allclose(Y[:, :, :3], forward_layer(X))
    np.testing.assert_allclose(Y[:, :, 3:], reverse_layer(X[:, ::-1])[:, ::-1])
    assert [name for name, _ in bi.named_parameters()][::4] == ["forward.Wx", "reverse.Wx"]


def test_laststep_picks_the_final_state(rng):
    X = rng.standard_normal((3, 5, 4))
    layer = LastStep()
    np.testing.assert_array_equal(layer(X), X[:, -1])
    dX = layer.backward(np.ones((3, 4)))
    assert dX.shape == X.shape and dX[:, :-1].sum() == 0 and dX[:, -1].sum() == 12


@pytest.mark.parametrize("kind", ["RNN", "GRU", "BiGRU"])
def test_float32_stays_float32(kind, rng):
    layer = make(kind, 3, 4, dtype=np.float32)
    X = rng.standard_normal((2, 5, 3)).astype(np.float32)
    Y = layer(X)
    dX = layer.backward(np.ones_like(Y))
    assert Y.dtype == np.float32 and dX.dtype == np.float32
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in layer.parameters())


def test_repr():
    assert repr(RNN(3, 5)) == "RNN(3→5)"
    assert repr(GRU(1, 6)) == "GRU(1→6)"
    assert repr(BiGRU(1, 6)) == "BiGRU(1→6+6)"


# --- errors a student can meet -------------------------------------------------------------------------

@pytest.mark.parametrize("layer", [RNN(4, 3), GRU(4, 3), BiGRU(4, 3)], ids=repr)
def test_missing_time_axis_says_add_a_time_axis(layer, rng):
    with pytest.raises(ShapeError, match="time axis"):
        layer(rng.standard_normal((5, 4)))


def test_sequence_of_scalars_says_add_a_feature_axis(rng):
    with pytest.raises(ShapeError, match=r"x\[:, :, None\]"):
        GRU(1, 6)(rng.standard_normal((5, 40)))


@pytest.mark.parametrize("make_bad, message", [
    (lambda rng: rng.standard_normal((2, 5, 3)), "axis 2 should have size 4"),
    (lambda rng: rng.standard_normal((2, 0, 4)), "no time steps"),
    (lambda rng: np.full((2, 5, 4), np.nan), "NaN"),
    (lambda rng: np.array([["a"]]), "numbers"),
])
def test_bad_inputs_raise_clear_errors(make_bad, message, rng):
    for layer in (RNN(4, 3), GRU(4, 3), BiGRU(4, 3)):
        with pytest.raises(NNLiteError, match=message):
            layer(make_bad(rng))


def test_bad_h0_and_bad_dY_and_early_backward(rng):
    gru = GRU(2, 3)
    with pytest.raises(ShapeError, match="h0"):
        gru.forward(rng.standard_normal((4, 5, 2)), h0=np.zeros((3,)))
    with pytest.raises(NNLiteError, match="before forward"):
        GRU(2, 3).backward(np.zeros((4, 5, 3)))
    gru(rng.standard_normal((4, 5, 2)))
    with pytest.raises(ShapeError, match="dY"):
        gru.backward(np.zeros((4, 5, 2)))
    with pytest.raises(NNLiteError, match="LastStep"):
        LastStep()(rng.standard_normal((4, 3)))


@pytest.mark.parametrize("args", [(0, 3), (3, -1), (2.5, 3), (True, 3)])
def test_bad_sizes(args):
    for cls in (RNN, GRU):
        with pytest.raises(NNLiteError, match="positive integer"):
            cls(*args)


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=4), kind=st.sampled_from(["RNN", "GRU", "BiGRU"]))
def test_any_shape_either_works_or_raises_an_nnlite_error(shape, kind):
    layer = make(kind, 3, 2)
    X = np.ones(shape)
    valid = len(shape) == 3 and shape[0] > 0 and shape[1] > 0 and shape[2] == 3
    if valid:
        Y = layer(X)
        assert Y.shape == (shape[0], shape[1], layer.n_hidden)
        assert layer.backward(np.ones_like(Y)).shape == X.shape
    else:
        with pytest.raises(NNLiteError):
            layer(X)

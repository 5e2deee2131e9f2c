"""fit, History, evaluate and accuracy (nnlite.training)."""

import re

import numpy as np
import pytest

import nnlite as nl


def mlp(n_in, n_hidden, n_out, dtype=np.float64):
    return nl.Sequential(nl.Dense(n_in, n_hidden, rng=0, dtype=dtype), nl.ReLU(),
                         nl.Dense(n_hidden, n_out, rng=1, dtype=dtype))


@pytest.fixture
def blobs():
    return nl.datasets.blobs(n=120, centers=3, seed=0)


def quick_fit(model, X, y, loss_fn=None, **kwargs):
    options = dict(epochs=3, batch_size=16, progress=False)
    options.update(kwargs)
    loss_fn = loss_fn or nl.CrossEntropyLoss()
    return nl.fit(model, loss_fn, nl.Adam(model.parameters(), lr=1e-2), X, y, **options)


# --- what fit learns --------------------------------------------------------------------------------

def test_fit_reaches_95_percent_on_digits():
    X_train, y_train, X_test, y_test = nl.datasets.digits()
    model = mlp(64, 64, 10)
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.Adam(model.parameters(), lr=1e-2), X_train, y_train,
                     epochs=10, batch_size=32, validation=(X_test, y_test), seed=0, progress=False)
    _, test_accuracy = nl.evaluate(model, nl.CrossEntropyLoss(), X_test, y_test)
    assert test_accuracy >= 0.95
    assert history.val_accuracy[-1] == pytest.approx(test_accuracy)
    assert history.loss[-1] < history.loss[0]


def test_mlp_fits_spirals_that_a_linear_model_cannot():
    X, y = nl.datasets.spirals(n=300, classes=3, seed=0)
    linear = nl.Sequential(nl.Dense(2, 3, rng=0))
    net = mlp(2, 64, 3)
    linear_history = nl.fit(linear, nl.CrossEntropyLoss(), nl.Adam(linear.parameters(), lr=0.05), X, y,
                            epochs=100, batch_size=32, progress=False)
    net_history = nl.fit(net, nl.CrossEntropyLoss(), nl.Adam(net.parameters(), lr=0.02), X, y,
                         epochs=200, batch_size=32, progress=False)
    assert max(linear_history.accuracy) < 0.6
    assert net_history.accuracy[-1] > 0.9


def test_fit_regression_with_mse(rng):
    X = rng.standard_normal((200, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nl.Sequential(nl.Dense(3, 1, rng=0))
    history = nl.fit(model, nl.MSELoss(), nl.SGD(model.parameters(), lr=0.1, momentum=0.9), X, y,
                     epochs=30, batch_size=20, progress=False)
    assert history.loss[-1] < 1e-6
    assert history.accuracy == [] and history.val_accuracy == []
    np.testing.assert_allclose(model[0].W.value.ravel(), [1.0, -2.0, 0.5], atol=1e-3)


def test_fit_binary_classification_with_bce():
    X, y = nl.datasets.moons(n=200, seed=0)
    model = mlp(2, 16, 1)
    history = quick_fit(model, X, y.reshape(-1, 1).astype(float), nl.BCEWithLogitsLoss(), epochs=40)
    assert history.accuracy[-1] > 0.85


# --- History ------------------------------------------------------------------------------------------

def test_history_has_one_entry_per_epoch(blobs):
    X, y = blobs
    history = quick_fit(mlp(2, 8, 3), X[:90], y[:90], epochs=4, validation=(X[90:], y[90:]))
    assert history.epochs == 4
    for values in (history.loss, history.accuracy, history.val_loss, history.val_accuracy):
        assert len(values) == 4 and all(isinstance(v, float) for v in values)
    assert all(0 <= a <= 1 for a in history.accuracy + history.val_accuracy)
    assert "4 epochs" in repr(history) and "val_accuracy" in repr(history)


def test_history_without_validation_has_empty_val_lists(blobs):
    history = quick_fit(mlp(2, 8, 3), *blobs, epochs=2)
    assert history.val_loss == [] and history.val_accuracy == [] and len(history.loss) == 2


def test_empty_history_repr():
    assert repr(nl.History()) == "History(no epochs)"


def test_history_loss_is_mean_over_the_epoch_of_batch_losses(blobs, rng):
    """With lr tiny the weights barely move, so the epoch loss equals the loss of the initial model."""
    X, y = blobs
    model = mlp(2, 8, 3)
    before, _ = nl.evaluate(model, nl.CrossEntropyLoss(), X, y)
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=1e-12), X, y, epochs=1,
                     batch_size=7, progress=False)
    assert history.loss[0] == pytest.approx(before, rel=1e-9)


# --- reproducibility and mechanics ----------------------------------------------------------------------

def test_fit_is_repeatable_with_the_same_seed(blobs):
    histories = [quick_fit(mlp(2, 8, 3), *blobs, seed=s).loss for s in (5, 5, 6)]
    assert histories[0] == histories[1]
    assert histories[0] != histories[2]


def test_fit_without_shuffle_ignores_seed(blobs):
    a = quick_fit(mlp(2, 8, 3), *blobs, shuffle=False, seed=1).loss
    b = quick_fit(mlp(2, 8, 3), *blobs, shuffle=False, seed=2).loss
    assert a == b


class RecordingDense(nl.Dense):
    """A Dense layer that records the input_grad flag of every backward call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flags = []

    def backward(self, dY, input_grad=True):
        self.flags.append(input_grad)
        return super().backward(dY, input_grad)


def test_fit_skips_the_input_gradient_of_the_first_layer(blobs):
    first, second = RecordingDense(2, 4, rng=0), RecordingDense(4, 3, rng=0)
    quick_fit(nl.Sequential(first, nl.ReLU(), second), *blobs, epochs=1, batch_size=60)
    assert first.flags == [False, False]
    assert second.flags == [True, True]


def test_fit_leaves_gradients_zero_and_model_in_training_mode(blobs):
    model = mlp(2, 8, 3)
    quick_fit(model, *blobs, epochs=1)
    assert not any(p.grad.any() for p in model.parameters())
    assert model.training


def test_float32_model_stays_float32_through_fit(blobs):
    X, y = blobs
    model = mlp(2, 8, 3, dtype=np.float32)
    history = quick_fit(model, X.astype(np.float32), y, epochs=2)
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert model(X.astype(np.float32)).dtype == np.float32
    assert np.isfinite(history.loss[-1])


def test_float32_forward_backward_and_adam_keep_float32(blobs):
    X, y = blobs
    model = mlp(2, 8, 3, dtype=np.float32)
    loss_fn = nl.CrossEntropyLoss()
    opt = nl.Adam(model.parameters())
    out = model(X)                          # float64 data is cast to the layer's dtype
    assert out.dtype == np.float32
    loss_fn(out, y)
    dY = loss_fn.backward()
    assert dY.dtype == np.float32
    assert model.backward(dY).dtype == np.float32
    opt.step()
    assert all(p.value.dtype == np.float32 for p in model.parameters())
    assert all(m.dtype == np.float32 and v.dtype == np.float32 for m, v in zip(opt.m, opt.v))


def test_progress_bar_can_be_turned_off(blobs, capsys):
    quick_fit(mlp(2, 8, 3), *blobs, epochs=1, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    quick_fit(mlp(2, 8, 3), *blobs, epochs=1, progress=True)
    assert "training" in capsys.readouterr().err


# --- divergence -----------------------------------------------------------------------------------------

@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_fit_stops_with_training_diverged_and_history(rng):
    X = rng.standard_normal((64, 3))
    y = X @ np.array([[1.0], [2.0], [3.0]])
    model = nl.Sequential(nl.Dense(3, 1, rng=0))
    with pytest.raises(nl.TrainingDiverged) as info:
        nl.fit(model, nl.MSELoss(), nl.SGD(model.parameters(), lr=1e6), X, y, epochs=200, batch_size=16,
               progress=False)
    err = info.value
    assert isinstance(err, ValueError)
    assert re.search(r"learning rate 1e\+06.*10x smaller", str(err))
    assert isinstance(err.history, nl.History)
    assert 0 < err.history.epochs < 200
    assert all(np.isfinite(err.history.loss))


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_blown_up_hidden_layer_is_reported_as_training_diverged(blobs):
    """Infinite activations stop in the next layer's input check; fit turns that into TrainingDiverged."""
    model = mlp(2, 8, 3)
    model[0].W.value[...] = 1e308                # X @ W overflows to inf, ReLU passes it on
    with pytest.raises(nl.TrainingDiverged, match="epoch 1") as info:
        quick_fit(model, *blobs)
    assert info.value.history.epochs == 0
    assert info.value.__cause__ is None


# --- error paths ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("X, y, error, pattern", [
    (np.zeros((10, 2)), np.zeros(9, int), nl.ShapeError, r"10 examples but the targets have 9"),
    (np.zeros(10), np.zeros(10, int), nl.ShapeError, r"X\.reshape\(-1, 1\)"),
    (np.full((10, 2), np.nan), np.zeros(10, int), nl.InputError, r"NaN or infinite"),
    ([["a", "b"]] * 10, np.zeros(10, int), nl.InputError, r"expects numbers"),
    (np.zeros((10, 2)), np.array(["x"] * 10), nl.InputError, r"targets must be numbers"),
    (np.zeros((2, 2)), [[0], [1, 2]], nl.InputError, r"could not make an array of the training targets"),
    (np.zeros((10, 2)), np.full(10, 3), nl.InputError, r"labels must be in 0\.\.2"),
    (np.zeros((10, 2)), np.full(10, 0.5), nl.InputError, r"non-integer"),
    (np.zeros((10, 2)), np.eye(3)[np.zeros(10, int)], nl.ShapeError, r"argmax"),
    (np.zeros((0, 2)), np.zeros(0, int), nl.ShapeError, r"empty"),
    (np.zeros((10, 3)), np.zeros(10, int), nl.ShapeError, r"(?s)Dense\(2→8\).*axis 1 should have size 2"),
], ids=["batch", "rank1", "nan", "strings", "string-targets", "ragged-targets", "out-of-range", "fractional",
        "one-hot", "empty", "features"])
def test_fit_input_errors(X, y, error, pattern):
    with pytest.raises(error) as info:
        quick_fit(mlp(2, 8, 3), X, y)
    assert re.search(pattern, str(info.value))


@pytest.mark.parametrize("kwargs, pattern", [({"epochs": 0}, "epochs must be a positive integer"),
                                             ({"epochs": 1.5}, "epochs must be a positive integer"),
                                             ({"batch_size": 0}, "batch_size must be a positive integer"),
                                             ({"validation": np.zeros((3, 2))}, r"pair \(X_val, y_val\)"),
                                             ({"validation": (np.zeros((3, 2)), np.zeros(4))},
                                              "validation inputs have 3 examples")])
def test_fit_argument_errors(kwargs, pattern, blobs):
    with pytest.raises(nl.NNLiteError, match=pattern):
        quick_fit(mlp(2, 8, 3), *blobs, **kwargs)


# --- evaluate and accuracy ----------------------------------------------------------------------------------

def test_evaluate_matches_a_direct_computation(blobs):
    X, y = blobs
    model = mlp(2, 8, 3)
    loss, acc = nl.evaluate(model, nl.CrossEntropyLoss(), X, y, batch_size=50)
    logits = model(X)
    assert loss == pytest.approx(nl.CrossEntropyLoss()(logits, y), rel=1e-12)
    assert acc == pytest.approx(np.mean(logits.argmax(axis=1) == y))


def test_evaluate_regression_has_no_accuracy_and_restores_mode(rng):
    model = nl.Sequential(nl.Dense(2, 1, rng=0))
    model.train()
    loss, acc = nl.evaluate(model, nl.MSELoss(), rng.standard_normal((5, 2)), np.zeros((5, 1)))
    assert acc is None and loss > 0 and model.training
    model.eval()
    nl.evaluate(model, nl.MSELoss(), rng.standard_normal((5, 2)), np.zeros((5, 1)))
    assert not model.training


@pytest.mark.parametrize("X, y, pattern", [(np.zeros((0, 2)), np.zeros(0, int), "empty"),
                                           (np.zeros((4, 2)), np.zeros(3, int), "4 examples but the targets have 3")])
def test_evaluate_refuses_bad_data(X, y, pattern):
    with pytest.raises(nl.ShapeError, match=pattern):
        nl.evaluate(mlp(2, 8, 3), nl.CrossEntropyLoss(), X, y)


def test_accuracy_multiclass():
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 2.0]])
    assert nl.accuracy(logits, [1, 0, 2, 0]) == 0.75


@pytest.mark.parametrize("shape", [(4,), (4, 1)])
@pytest.mark.parametrize("label_shape", [(4,), (4, 1)])
def test_accuracy_binary_thresholds_logits_at_zero(shape, label_shape):
    logits = np.array([2.0, -1.0, 0.5, -0.1]).reshape(shape)
    labels = np.array([1, 0, 0, 0]).reshape(label_shape)
    assert nl.accuracy(logits, labels) == 0.75


@pytest.mark.parametrize("outputs, y", [(np.zeros((3, 4)), np.zeros(2)), (np.zeros((3, 1)), np.zeros(2)),
                                        (np.zeros((3, 3)), np.eye(3))], ids=["multiclass", "binary", "one-hot"])
def test_accuracy_mismatch_is_a_clear_error(outputs, y):
    with pytest.raises(nl.ShapeError, match="one label per output row"):
        nl.accuracy(outputs, y)

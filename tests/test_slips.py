"""A beginner's slips get an nnlite error that names the slip and the fix, never a raw Python error."""

import os

import numpy as np
import pytest

import nnlite as nl


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 4)), np.arange(20) % 2


def make_model():
    return nl.Sequential(nl.Dense(4, 3, rng=0), nl.ReLU(), nl.Dense(3, 2, rng=1))


SLIPS = {
    "optimizer on the method, not called": (lambda m, X, y: nl.SGD(m.parameters, lr=0.1),
                                            nl.NNLiteTypeError, "Call it"),
    "optimizer on a layer": (lambda m, X, y: nl.Adam(m[0]), nl.NNLiteTypeError, "not its parameters"),
    "optimizer on a number": (lambda m, X, y: nl.SGD(5, lr=0.1), nl.NNLiteTypeError, "list of Parameters"),
    "the same parameter twice": (lambda m, X, y: nl.SGD(m.parameters() + m.parameters(), lr=0.1),
                                 nl.NNLiteError, "twice"),
    "Adam without eps": (lambda m, X, y: nl.Adam(m.parameters(), eps=None), nl.NNLiteError, "eps must be"),
    "Adam with eps 0": (lambda m, X, y: nl.Adam(m.parameters(), eps=0), nl.NNLiteError, "eps must be"),
    "fit with the loss class": (lambda m, X, y: nl.fit(m, nl.CrossEntropyLoss, nl.SGD(m.parameters(), lr=0.1),
                                                       X, y, progress=False), nl.NNLiteTypeError, "CrossEntropyLoss()"),
    "fit with loss and optimizer swapped": (
        lambda m, X, y: nl.fit(m, nl.SGD(m.parameters(), lr=0.1), nl.CrossEntropyLoss(), X, y, progress=False),
        nl.NNLiteTypeError, "swapped"),
    "fit with the optimizer class": (lambda m, X, y: nl.fit(m, nl.CrossEntropyLoss(), nl.Adam, X, y, progress=False),
                                     nl.NNLiteTypeError, "Adam(model.parameters()"),
    "fit with another model's optimizer": (
        lambda m, X, y: nl.fit(m, nl.CrossEntropyLoss(), nl.SGD(make_model().parameters(), lr=0.1), X, y,
                               progress=False), nl.NNLiteError, "another model's parameters"),
    "fit with data for a model": (lambda m, X, y: nl.fit(X, nl.CrossEntropyLoss(), nl.SGD(m.parameters(), lr=0.1),
                                                         X, y, progress=False), nl.NNLiteTypeError, "the model"),
    "evaluate with batch size 0": (lambda m, X, y: nl.evaluate(m, nl.CrossEntropyLoss(), X, y, batch_size=0),
                                   nl.NNLiteError, "positive integer"),
    "evaluate with batch size 2.5": (lambda m, X, y: nl.evaluate(m, nl.CrossEntropyLoss(), X, y, batch_size=2.5),
                                     nl.NNLiteError, "positive integer"),
    "evaluate with batch size -1": (lambda m, X, y: nl.evaluate(m, nl.CrossEntropyLoss(), X, y, batch_size=-1),
                                    nl.NNLiteError, "positive integer"),
    "save with the arguments swapped": (lambda m, X, y: nl.save("model.npz", m), nl.NNLiteTypeError,
                                        "model first"),
    "load with the arguments swapped": (lambda m, X, y: nl.load("model.npz", m), nl.NNLiteTypeError,
                                        "model first"),
    "summary of a string": (lambda m, X, y: m.summary("784"), nl.NNLiteTypeError, "shape of one example"),
    "LeakyReLU with a NaN slope": (lambda m, X, y: nl.LeakyReLU(float("nan")), nl.NNLiteError, "finite number"),
    "manual_seed of text": (lambda m, X, y: nl.manual_seed("zero"), nl.NNLiteTypeError, "whole number"),
    "expect_version of a number": (lambda m, X, y: nl.expect_version(0.1), nl.NNLiteTypeError, "as text"),
    "accuracy of None": (lambda m, X, y: nl.accuracy(None, y), nl.InputError, "accuracy"),
    "summary of a negative size": (lambda m, X, y: m.summary(-1), nl.NNLiteTypeError, "sizes of 1 or more"),
    "accuracy of nothing": (lambda m, X, y: nl.accuracy(np.zeros((0, 2)), np.zeros(0, int)), nl.InputError,
                            "empty"),
}


@pytest.mark.parametrize("slip", list(SLIPS))
def test_slip_gets_an_nnlite_error_naming_the_fix(slip, data):
    action, error, words = SLIPS[slip]
    model = make_model()
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as caught:
        action(model, *data)
    assert isinstance(caught.value, nl.NNLiteError)
    if isinstance(caught.value, nl.NNLiteTypeError):
        assert isinstance(caught.value, TypeError), "except TypeError keeps working"
    assert all(np.array_equal(b, p.value) for b, p in zip(before, model.parameters())), "the model changed"


def test_save_to_a_folder_says_to_name_a_file(tmp_path):
    with pytest.raises(nl.CheckpointError, match="it is a folder") as caught:
        nl.save(make_model(), tmp_path)
    assert os.path.join(str(tmp_path), "model.npz") in str(caught.value)
    assert list(tmp_path.iterdir()) == [], "nothing was written"


def test_summary_of_a_number_is_the_shape_of_one_example(capsys):
    model = nl.Sequential(nl.Dense(784, 10))
    model.summary(784)
    assert "7,850" in capsys.readouterr().out


def test_a_layer_called_with_keyword_arguments_passes_them_on(rng):
    rnn = nl.RNN(4, 3, rng=0)
    X, h0 = rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 3))
    np.testing.assert_array_equal(rnn(X, h0=h0), rnn.forward(X, h0=h0))


# ----------------------------------------------------------------------------------------------
# fit gives the right advice


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_refuses_non_finite_targets_before_any_step(bad):
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.sin(X[:, :1])
    y[7, 0] = bad
    model = nl.Sequential(nl.Dense(2, 1, rng=0))
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(nl.NonFiniteError, match="1 of the training targets are NaN or infinite"):
        nl.fit(model, nl.MSELoss(), nl.SGD(model.parameters(), lr=0.1), X, y, progress=False)
    assert all(np.array_equal(b, p.value) for b, p in zip(before, model.parameters()))


def test_an_exploding_but_finite_loss_stops_with_advice_to_rebuild():
    X, y = nl.datasets.moons(200, seed=0)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    with pytest.raises(nl.TrainingDiverged, match="the loss grew from") as caught:
        nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=1e6), X, y, epochs=30,
               progress=False)
    message = str(caught.value)
    assert "Build the model and its optimizer again" in message and "epoch 1" in message
    assert len(caught.value.history.loss) == 1, "stopped after the first epoch, not after thirty"


def test_fit_on_weights_that_diverged_says_to_rebuild():
    X, y = nl.datasets.moons(100, seed=0)
    model = nl.Sequential(nl.Dense(2, 4, rng=0), nl.ReLU(), nl.Dense(4, 2, rng=1))
    model[0].W.value[0, 0] = np.nan
    with pytest.raises(nl.NonFiniteError, match="Build the model .* again"):
        nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=0.01), X, y, progress=False)


def test_ordinary_training_is_not_mistaken_for_an_explosion():
    X, y = nl.datasets.moons(200, seed=0)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.SGD(model.parameters(), lr=1.0), X, y, epochs=20,
                     progress=False)
    assert len(history.loss) == 20

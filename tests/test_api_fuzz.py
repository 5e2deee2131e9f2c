"""Hypothesis throws junk at the public API: any error that comes back is an nnlite error.

A student's slip must end in a message that names the function and what to do, never in a numpy or
Python traceback from inside nnlite. Sizes are kept small (a huge but valid size is a MemoryError,
which says what it is).
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlite as nl

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 5), st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.text(max_size=3), st.lists(st.integers(-2, 2), max_size=3),
    st.sampled_from([np.zeros((2, 3)), np.zeros(3), np.zeros((0, 3)), np.zeros((2, 3, 4)), np.ones((2, 3, 5, 5)),
                     np.array([["a", "b", "c"]]), np.array([[1 + 2j, 0, 0]]), np.full((2, 3), np.nan),
                     nl.Dense, nl.CrossEntropyLoss, {"a": 1}, (), (3,), object()]),
)

CONSTRUCTORS = [nl.Dense, nl.Conv1D, nl.Conv2D, nl.MaxPool1D, nl.MaxPool2D, nl.AvgPool1D, nl.AvgPool2D, nl.RNN,
                nl.GRU, nl.BatchNorm, nl.LayerNorm, nl.Dropout, nl.LeakyReLU, nl.Sequential, nl.Residual]
LAYERS = [lambda: nl.Dense(3, 2, rng=0), lambda: nl.Conv1D(2, 3, 3, rng=0), lambda: nl.Conv2D(2, 3, 3, rng=0),
          lambda: nl.MaxPool1D(2), lambda: nl.AvgPool2D(2), lambda: nl.RNN(3, 4, rng=0), lambda: nl.GRU(3, 4, rng=0),
          lambda: nl.BatchNorm(3), lambda: nl.LayerNorm(3), lambda: nl.Dropout(0.5, rng=0), nl.ReLU, nl.Sigmoid,
          nl.Softmax, nl.Flatten, lambda: nl.Sequential(nl.Dense(3, 2, rng=0)),
          lambda: nl.Residual(nl.Dense(3, 3, rng=0))]
FUNCTIONS = {
    "SGD": lambda a, b: nl.SGD(nl.Dense(3, 2).parameters(), lr=a, momentum=b),
    "Adam": lambda a, b: nl.Adam(nl.Dense(3, 2).parameters(), lr=a, eps=b),
    "fit": lambda a, b: nl.fit(nl.Dense(3, 2), nl.CrossEntropyLoss(), nl.SGD(nl.Dense(3, 2).parameters(), lr=0.1),
                               a, b, epochs=1, progress=False),
    "evaluate": lambda a, b: nl.evaluate(nl.Dense(3, 2), nl.CrossEntropyLoss(), a, b),
    "accuracy": nl.accuracy,
    "MSELoss": lambda a, b: nl.MSELoss()(a, b),
    "CrossEntropyLoss": lambda a, b: nl.CrossEntropyLoss()(a, b),
    "BCEWithLogitsLoss": lambda a, b: nl.BCEWithLogitsLoss()(a, b),
    "gradcheck": lambda a, b: nl.gradcheck(nl.Dense(3, 2), a),
    "summary": lambda a, b: nl.Sequential(nl.Dense(3, 2)).summary(a),
    "manual_seed": lambda a, b: nl.manual_seed(a),
    "datasets.moons": lambda a, b: nl.datasets.moons(a, noise=b),
    "datasets.spirals": lambda a, b: nl.datasets.spirals(a, seed=b),
    "datasets.circles": lambda a, b: nl.datasets.circles(a, factor=b),
    "datasets.blobs": lambda a, b: nl.datasets.blobs(centers=a, std=b),
    "functional.sigmoid": lambda a, b: nl.functional.sigmoid(a),
    "functional.softmax": lambda a, b: nl.functional.softmax(a),
}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_nnlite_errors(action):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)    # a numpy overflow warning is a leak too
        try:
            action()
        except nl.NNLiteError:
            pass
        except TypeError as error:      # Python's own word on a call with the wrong number of arguments
            if not any(words in str(error) for words in ("positional argument", "unexpected keyword")):
                raise


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=lambda c: c.__name__)
@FUZZ
@given(args=st.lists(JUNK, max_size=3))
def test_constructors_refuse_junk_with_nnlite_errors(make, args):
    only_nnlite_errors(lambda: make(*args))


@pytest.mark.parametrize("make", LAYERS, ids=range(len(LAYERS)))
@FUZZ
@given(X=JUNK, dY=JUNK)
def test_forward_and_backward_refuse_junk_with_nnlite_errors(make, X, dY):
    layer = make()
    only_nnlite_errors(lambda: layer(X))
    only_nnlite_errors(lambda: layer.backward(dY))


@pytest.mark.parametrize("name", list(FUNCTIONS))
@FUZZ
@given(a=JUNK, b=JUNK)
def test_functions_refuse_junk_with_nnlite_errors(name, a, b):
    only_nnlite_errors(lambda: FUNCTIONS[name](a, b))

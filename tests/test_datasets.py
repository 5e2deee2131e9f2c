"""The course's data sets (nnlite.datasets): shapes, dtypes, labels, determinism."""

import numpy as np
import pytest

import nnlite as nl
from nnlite import datasets

TOY = {"xor": (datasets.xor, 2), "moons": (datasets.moons, 2), "circles": (datasets.circles, 2),
       "spirals": (datasets.spirals, 3), "blobs": (datasets.blobs, 3)}


@pytest.mark.parametrize("name", sorted(TOY))
@pytest.mark.parametrize("n", [2, 7, 150])
def test_toy_shapes_dtypes_and_labels(name, n):
    make, n_classes = TOY[name]
    X, y = make(n=n)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.intp
    assert y.min() >= 0 and y.max() < n_classes
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(TOY))
def test_toy_data_uses_every_class(name):
    make, n_classes = TOY[name]
    _, y = make(n=300)
    assert set(np.unique(y)) == set(range(n_classes))


@pytest.mark.parametrize("name", sorted(TOY))
def test_toy_data_is_deterministic_per_seed(name):
    make, _ = TOY[name]
    X1, y1 = make(n=50, seed=3)
    X2, y2 = make(n=50, seed=3)
    X3, _ = make(n=50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(TOY))
def test_toy_data_leaves_numpy_global_rng_alone(name):
    state = np.random.get_state()
    TOY[name][0](n=20)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


@pytest.mark.parametrize("name", sorted(TOY))
@pytest.mark.parametrize("n", [1, 0, 2.5, "10", True])
def test_toy_data_refuses_bad_n(name, n):
    with pytest.raises(nl.NNLiteError, match="n must be an integer of at least 2"):
        TOY[name][0](n=n)


@pytest.mark.parametrize("call", [lambda: datasets.spirals(n=30, classes=0),
                                  lambda: datasets.blobs(n=30, centers=0)], ids=["spirals", "blobs"])
def test_class_counts_must_be_positive(call):
    with pytest.raises(nl.NNLiteError, match="must be an integer of at least 1"):
        call()


@pytest.mark.parametrize("classes", [2, 4])
def test_spirals_class_count(classes):
    _, y = datasets.spirals(n=100, classes=classes)
    assert np.bincount(y).tolist() == [100 // classes] * (classes - 1) + [100 - (100 // classes) * (classes - 1)]


def test_xor_labels_follow_the_quadrant():
    X, y = datasets.xor(n=400, noise=0.0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_circles_inner_circle_is_class_one():
    X, y = datasets.circles(n=200, noise=0.0, factor=0.5)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)


# --- digits -------------------------------------------------------------------------------------------

def test_digits_split_shapes_dtypes_and_ranges():
    X_train, y_train, X_test, y_test = datasets.digits()
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert X_train.dtype == np.float64 and y_train.dtype == np.intp
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))


def test_digits_is_deterministic_and_split_disjoint():
    a, b = datasets.digits(), datasets.digits()
    for x, z in zip(a, b):
        np.testing.assert_array_equal(x, z)
    X_train, _, X_test, _ = a
    all_rows = np.concatenate([X_train, X_test])
    assert len(all_rows) == 1797
    other_seed = datasets.digits(seed=1)
    assert not np.array_equal(other_seed[0], X_train)


def test_digits_images_for_convolution():
    X_train, y_train, X_test, _ = datasets.digits(flat=False)
    assert X_train.shape == (1437, 1, 8, 8) and X_test.shape == (360, 1, 8, 8)
    np.testing.assert_array_equal(X_train.reshape(1437, 64), datasets.digits()[0])


def test_digits_returns_fresh_arrays():
    X_train = datasets.digits()[0]
    X_train[:] = -1
    assert datasets.digits()[0].min() == 0.0


def test_digits_licence_and_citation_ship_with_the_package():
    from importlib import resources
    readme = resources.files("nnlite").joinpath("data/README.md").read_text()
    assert "CC BY 4.0" in readme or "Creative Commons" in readme


# --- MNIST-1D -----------------------------------------------------------------------------------------

def test_mnist1d_shapes_and_global_rng_unchanged():
    pytest.importorskip("mnist1d", reason="mnist1d is in requirements.txt; install it to generate MNIST-1D")
    np.random.seed(123)
    state = np.random.get_state()
    X_train, y_train, X_test, y_test = datasets.mnist1d()
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    assert X_train.shape == (4000, 40) and X_test.shape == (1000, 40)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert X_train.dtype == np.float64 and y_train.dtype == np.intp
    assert set(np.unique(y_train)) == set(range(10))
    # deterministic, and returned as copies
    again = datasets.mnist1d()
    np.testing.assert_array_equal(again[0], X_train)
    again[0][:] = 0
    assert datasets.mnist1d()[0].any()


def test_mnist1d_shuffled_permutes_positions():
    pytest.importorskip("mnist1d", reason="mnist1d is in requirements.txt; install it to generate MNIST-1D")
    X = datasets.mnist1d()[0]
    X_shuffled = datasets.mnist1d(shuffle=True)[0]
    assert X_shuffled.shape == X.shape and not np.array_equal(X, X_shuffled)

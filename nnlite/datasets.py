"""Small data sets for the course. Everything ships with nnlite or is generated here; nothing downloads.

Toy 2-D problems return ``(X, y)`` with X (n, 2) float64 and y (n,) integer labels. ``digits()`` and
``mnist1d()`` return ``(X_train, y_train, X_test, y_test)`` with a fixed split. Labels are ``np.intp``,
numpy's index type: int64 on a 64-bit machine, int32 in the browser edition (Pyodide), where
``np.bincount`` refuses int64.
"""

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np

from .errors import NNLiteError


def _n(n, name, what="n", least=2):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < least:
        raise NNLiteError(f"datasets.{name}: {what} must be an integer of at least {least}, got {n!r}.")
    return int(n)


def _spread(value, name, what):
    """A noise level or standard deviation: a finite number of 0 or more."""
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not np.isfinite(value) or value < 0):
        raise NNLiteError(f"datasets.{name}: {what} must be a number of 0 or more, such as 0.1; got {value!r}.")
    return float(value)


def _rng(seed, name):
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise NNLiteError(f"datasets.{name}: seed must be a whole number of 0 or more, got {seed!r}.")
    return np.random.default_rng(int(seed))


def xor(n=200, noise=0.1, seed=0):
    """Four clusters at the corners of a square; the label is 1 where exactly one coordinate is positive.
    No straight line separates the classes.

    Args:
        n: number of points (default 200).
        noise: standard deviation of the Gaussian noise added to each point (default 0.1).
        seed: seed of the random points (default 0).

    Returns:
        X (n, 2) float64 points and y (n,) np.intp labels.
    """
    rng = _rng(seed, "xor")
    noise = _spread(noise, "xor", "noise")
    n = _n(n, "xor")
    corners = rng.integers(0, 2, size=(n, 2))
    X = (2 * corners - 1) + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.intp)
    return X, y


def moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles.

    Args:
        n: number of points (default 200).
        noise: standard deviation of the Gaussian noise added to each point (default 0.1).
        seed: seed of the random points (default 0).

    Returns:
        X (n, 2) float64 points and y (n,) np.intp labels.
    """
    rng = _rng(seed, "moons")
    noise = _spread(noise, "moons", "noise")
    n = _n(n, "moons")
    n0 = n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X += noise * rng.standard_normal(X.shape)
    y = np.r_[np.zeros(n0, np.intp), np.ones(n - n0, np.intp)]
    order = rng.permutation(n)
    return X[order], y[order]


def circles(n=200, noise=0.05, factor=0.5, seed=0):
    """A small circle (label 1) inside a large one (label 0).

    Args:
        n: number of points (default 200).
        noise: standard deviation of the Gaussian noise added to each point (default 0.05).
        factor: radius of the small circle; the large one has radius 1 (default 0.5).
        seed: seed of the random points (default 0).

    Returns:
        X (n, 2) float64 points and y (n,) np.intp labels.
    """
    rng = _rng(seed, "circles")
    noise = _spread(noise, "circles", "noise")
    factor = _spread(factor, "circles", "factor")
    n = _n(n, "circles")
    n0 = n // 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.r_[np.ones(n0), factor * np.ones(n - n0)]
    X = np.c_[radius * np.cos(t), radius * np.sin(t)] + noise * rng.standard_normal((n, 2))
    y = np.r_[np.zeros(n0, np.intp), np.ones(n - n0, np.intp)]
    order = rng.permutation(n)
    return X[order], y[order]


def spirals(n=300, classes=3, noise=0.2, seed=0):
    """``classes`` interleaved spiral arms (CS231n's spiral data); a linear model gets about 1/classes.

    Args:
        n: number of points (default 300).
        classes: number of arms, one class each (default 3).
        noise: standard deviation of the noise added to each point's angle (default 0.2).
        seed: seed of the random points (default 0).

    Returns:
        X (n, 2) float64 points and y (n,) np.intp labels.
    """
    rng = _rng(seed, "spirals")
    noise = _spread(noise, "spirals", "noise")
    n = _n(n, "spirals")
    classes = _n(classes, "spirals", "classes", least=1)
    per = n // classes
    X, y = [], []
    for k in range(classes):
        count = per if k < classes - 1 else n - per * (classes - 1)
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(k * 4, (k + 1) * 4, count) + noise * rng.standard_normal(count)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(count, k, np.intp))
    X, y = np.concatenate(X), np.concatenate(y)
    order = rng.permutation(n)
    return X[order], y[order]


def blobs(n=200, centers=3, std=0.5, seed=0):
    """Gaussian clusters around ``centers`` points spaced on a circle of radius 2.

    Args:
        n: number of points (default 200).
        centers: number of clusters, one class each (default 3).
        std: standard deviation of each cluster (default 0.5).
        seed: seed of the random points (default 0).

    Returns:
        X (n, 2) float64 points and y (n,) np.intp labels.
    """
    rng = _rng(seed, "blobs")
    std = _spread(std, "blobs", "std")
    n = _n(n, "blobs")
    centers = _n(centers, "blobs", "centers", least=1)
    angles = 2 * np.pi * np.arange(centers) / centers
    means = 2 * np.c_[np.cos(angles), np.sin(angles)]
    y = rng.integers(0, centers, n).astype(np.intp)
    X = means[y] + std * rng.standard_normal((n, 2))
    return X, y


@lru_cache(maxsize=1)
def _digits_raw():
    with resources.files("nnlite").joinpath("data/digits.csv.gz").open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",")
    return table[:, :64], table[:, 64].astype(np.intp)


def digits(test_size=360, seed=0, flat=True):
    """The 8×8 handwritten digits (UCI, CC BY 4.0; see nnlite/data/README.md): 1,797 images, 10 classes.

    Pixels are scaled from 0..16 to [0, 1]. The split is fixed by ``seed``: 1,437 training and 360 test
    images by default.

    Args:
        test_size: images held out for testing (default 360).
        seed: seed of the split (default 0).
        flat: rows of 64 pixels (default True), or images (N, 1, 8, 8) for convolution layers.

    Returns:
        X_train (1437, 64), y_train (1437,), X_test (360, 64), y_test (360,); with ``flat=False`` the
        images are (N, 1, 8, 8) for convolution layers.
    """
    X, y = _digits_raw()
    X = X / 16.0
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:test_size], order[test_size:]
    if not flat:
        X = X.reshape(-1, 1, 8, 8)
    return X[train], y[train], X[test], y[test]


@lru_cache(maxsize=4)
def _mnist1d_cached(shuffle, seed, num_samples):
    # mnist1d imports pyplot and reseeds numpy's global RNG: import it here only, and put the RNG back.
    state = np.random.get_state()
    try:
        from mnist1d.data import get_dataset_args, make_dataset
        args = get_dataset_args()
        args.shuffle_seq = shuffle
        args.seed = seed
        args.num_samples = num_samples
        data = make_dataset(args)
    finally:
        np.random.set_state(state)
    return (np.asarray(data["x"], np.float64), np.asarray(data["y"], np.intp),
            np.asarray(data["x_test"], np.float64), np.asarray(data["y_test"], np.intp))


def mnist1d(shuffle=False, seed=42, num_samples=5000):
    """MNIST-1D (Greydanus & Kobak, 2024), generated locally: 40-step signals of 10 digit templates.

    ``shuffle=True`` permutes the positions of every signal with one fixed permutation, destroying the
    spatial structure (the paper's "shuffled" row). The default split is 4,000 training, 1,000 test.

    Args:
        shuffle: permute the 40 positions of every signal (default False).
        seed: seed of the generator (default 42, the paper's).
        num_samples: training and test signals together (default 5000).

    Returns:
        X_train (4000, 40), y_train (4000,), X_test (1000, 40), y_test (1000,), float64 / np.intp copies.
    """
    try:
        arrays = _mnist1d_cached(bool(shuffle), int(seed), int(num_samples))
    except ImportError:
        raise NNLiteError("datasets.mnist1d needs the mnist1d package: pip install mnist1d "
                          "(it is in requirements.txt).") from None
    return tuple(a.copy() for a in arrays)

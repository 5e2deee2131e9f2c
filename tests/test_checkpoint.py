"""save and load (nnlite.checkpoint): exact round trips, refusals that change nothing."""

import os
import re
import zipfile

import numpy as np
import pytest

import nnlite as nl


def mlp(seed, n_hidden=8, dtype=np.float64):
    return nl.Sequential(nl.Dense(4, n_hidden, rng=seed, dtype=dtype), nl.ReLU(),
                         nl.Dense(n_hidden, 3, rng=seed + 1, dtype=dtype))


def values(model):
    return [p.value.copy() for p in model.parameters()]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_exact(tmp_path, rng, dtype):
    source, target = mlp(0, dtype=dtype), mlp(10, dtype=dtype)
    path = tmp_path / "model.npz"
    nl.save(source, path)
    arrays = [p.value for p in target.parameters()]
    assert nl.load(target, path) is target
    for a, b in zip(source.parameters(), target.parameters()):
        np.testing.assert_array_equal(a.value, b.value)
        assert b.value.dtype == dtype
    # loaded in place: an optimizer built before load still points at the model's arrays
    assert all(p.value is array for p, array in zip(target.parameters(), arrays))
    X = rng.standard_normal((5, 4))
    np.testing.assert_array_equal(source(X), target(X))


def test_file_has_no_pickled_objects(tmp_path):
    path = tmp_path / "model.npz"
    nl.save(mlp(0), path)
    with np.load(path, allow_pickle=False) as data:
        assert {"param:0.W", "param:0.b", "param:2.W", "param:2.b"} <= set(data.files)
        assert all(data[key].dtype != object for key in data.files)


def test_save_with_a_path_not_ending_in_npz(tmp_path):
    source, target = mlp(0), mlp(1)
    path = tmp_path / "weights"
    nl.save(source, str(path))
    assert path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]    # no stray temporary file
    nl.load(target, str(path))
    for a, b in zip(source.parameters(), target.parameters()):
        np.testing.assert_array_equal(a.value, b.value)


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "model.npz"
    nl.save(mlp(0), path)
    nl.save(mlp(5), path)
    target = mlp(9)
    nl.load(target, path)
    np.testing.assert_array_equal(target[0].W.value, mlp(5)[0].W.value)


@pytest.mark.parametrize("other, problem", [
    (lambda: mlp(3, n_hidden=16), r"0\.W has shape \(4, 8\) in the file but \(4, 16\) in the model"),
    (lambda: nl.Sequential(nl.Dense(4, 8, rng=0), nl.ReLU()), r"unexpected 2\.W"),
    (lambda: nl.Sequential(nl.Dense(4, 8, rng=0), nl.ReLU(), nl.Dense(8, 3, rng=0), nl.ReLU(),
                           nl.Dense(3, 3, rng=0)), r"missing 4\.W"),
], ids=["wider", "shorter", "longer"])
def test_load_refuses_another_architecture_and_changes_nothing(tmp_path, other, problem):
    path = tmp_path / "model.npz"
    nl.save(mlp(0), path)
    model = other()
    before = values(model)
    with pytest.raises(nl.CheckpointError) as info:
        nl.load(model, path)
    message = str(info.value)
    assert "different architecture; nothing was loaded" in message
    assert "Build the model exactly as it was when saved" in message
    assert "Dense(4→8)" in message                 # the saved architecture is shown
    assert re.search(problem, message)
    for old, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(p.value, old)


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(nl.CheckpointError, match=r"No checkpoint at .*Save one first with nl\.save"):
        nl.load(mlp(0), tmp_path / "nothing.npz")


def write_text(path):
    path.write_text("hello, not a checkpoint")


def write_empty(path):
    path.write_bytes(b"")


def write_npy(path):
    with open(path, "wb") as f:
        np.save(f, np.zeros(3))


def write_truncated(path):
    nl.save(mlp(0), path)
    path.write_bytes(path.read_bytes()[:100])


def write_foreign_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hi")


@pytest.mark.parametrize("write", [write_text, write_empty, write_npy, write_truncated, write_foreign_zip],
                         ids=lambda f: f.__name__[6:])
def test_load_of_a_file_that_is_not_a_checkpoint(tmp_path, write):
    path = tmp_path / "broken.npz"
    write(path)
    model = mlp(0)
    before = values(model)
    with pytest.raises(nl.CheckpointError, match="broken.npz"):
        nl.load(model, path)
    for old, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(p.value, old)


def test_load_of_a_folder(tmp_path):
    with pytest.raises(nl.CheckpointError, match="it is a folder"):
        nl.load(mlp(0), tmp_path)


def test_other_layers_with_the_same_shapes_are_refused(tmp_path):
    path = tmp_path / "relu.npz"
    nl.save(mlp(0), path)
    tanh = nl.Sequential(nl.Dense(4, 8, rng=5), nl.Tanh(), nl.Dense(8, 3, rng=6))
    before = values(tanh)
    with pytest.raises(nl.CheckpointError, match="the layers differ") as caught:
        nl.load(tanh, path)
    assert "ReLU" in str(caught.value) and "Tanh" in str(caught.value)
    assert all(np.array_equal(a, p.value) for a, p in zip(before, tanh.parameters()))


@pytest.mark.parametrize("bad", [np.array([["a"] * 3] * 8), np.ones(3) * 1j])
def test_entries_that_are_not_real_numbers_are_refused_before_anything_is_copied(tmp_path, bad):
    model = mlp(0)
    path = tmp_path / "odd.npz"
    nl.save(model, path)
    with np.load(path) as data:
        state = {key: data[key] for key in data.files}
    last = sorted(k for k in state if k.startswith("param:"))[-1]      # earlier entries would load first
    state[last] = bad.reshape(state[last].shape) if bad.size == state[last].size else np.resize(bad, state[last].shape)
    np.savez(path, **state)
    target = mlp(3)
    before = values(target)
    with pytest.raises(nl.CheckpointError, match="not real numbers"):
        nl.load(target, path)
    assert all(np.array_equal(a, p.value) for a, p in zip(before, target.parameters())), "a partial load"


def test_a_saved_file_stays_readable_by_its_owner_under_a_closed_umask(tmp_path):
    """Pyodide's umask reads 0o777: the checkpoint must still load."""
    model = nl.Sequential(nl.Dense(3, 2, rng=0))
    old = os.umask(0o777)
    try:
        nl.save(model, tmp_path / "model.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "model.npz").stat().st_mode & 0o777 == 0o600
    nl.load(model, tmp_path / "model.npz")


def test_a_saved_file_is_readable_as_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        nl.save(mlp(0), tmp_path / "model.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "model.npz").stat().st_mode & 0o777 == 0o644

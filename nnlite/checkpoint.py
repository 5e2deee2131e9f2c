"""Save and load a model's parameters and buffers as a plain .npz file (no pickle)."""

import os
import tempfile

import numpy as np

from .errors import CheckpointError, NNLiteTypeError

_ARCH_KEY = "__architecture__"


def _architecture(model):
    return repr(model)


def _state(model):
    state = {f"param:{name}": p.value for name, p in model.named_parameters()}
    state.update({f"buffer:{name}": array for name, array in model.buffers().items()})
    return state


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_model_and_path(verb, model, path):
    if isinstance(model, (str, bytes, os.PathLike)) and hasattr(path, "named_parameters"):
        raise NNLiteTypeError(f"nl.{verb} takes the model first, then the path: nl.{verb}(model, {os.fspath(model)!r}).")
    if not hasattr(model, "named_parameters"):
        raise NNLiteTypeError(f"nl.{verb} needs a model (a Layer or Sequential) first, got {type(model).__name__}.")
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise NNLiteTypeError(f"nl.{verb} needs a file path such as 'model.npz', got {type(path).__name__}.")


def save(model, path):
    """Write every Parameter and buffer of ``model`` to ``path`` (.npz). The file is replaced atomically,
    so an interrupted save never leaves half a checkpoint.

    Args:
        model: a Layer (usually Sequential).
        path: the file to write, e.g. ``"model.npz"``; its folder must exist.
    """
    _check_model_and_path("save", model, path)
    path = os.fspath(path)
    if os.path.isdir(path):
        raise CheckpointError(f"Cannot save to {path!r}: it is a folder. Give a file name inside it, "
                              f"e.g. nl.save(model, {os.path.join(path, 'model.npz')!r}).")
    state = _state(model)
    state[_ARCH_KEY] = np.array(_architecture(model))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CheckpointError(f"Cannot save to {path!r}: the folder {folder!r} does not exist. "
                              "Create it first (os.makedirs(folder, exist_ok=True)) or choose another path.")
    fd, tmp = tempfile.mkstemp(suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **state)
            f.flush()
            os.fsync(f.fileno())                 # on disk before it replaces the old file
        # as an ordinary new file (mkstemp makes it private, 0600), and always readable by its owner: in
        # the browser (Pyodide) the umask reads 0o777, which would leave a file nobody may open
        os.chmod(tmp, (0o666 & ~_umask()) | 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load(model, path):
    """Load parameters and buffers saved by ``save`` into ``model`` (same architecture).

    Everything is checked before anything is copied: a mismatched file changes nothing and raises
    CheckpointError saying which entries differ.

    Args:
        model: a Layer built like the saved one (same layers, same shapes).
        path: a file written by ``nl.save``.
    """
    _check_model_and_path("load", model, path)
    path = os.fspath(path)
    if os.path.isdir(path):
        raise CheckpointError(f"Cannot load {path!r}: it is a folder. Name the checkpoint file inside it.")
    if not os.path.exists(path):
        raise CheckpointError(f"No checkpoint at {path!r}. Save one first with nl.save(model, path).")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):   # a .npy file holds one array, not named arrays
            raise ValueError("it holds a single array, not named arrays")
        with data:
            stored = {key: np.asarray(data[key]) for key in data.files}
    except Exception as err:   # empty, truncated, pickled or foreign files all fail differently
        raise CheckpointError(f"{path!r} is not a checkpoint written by nl.save ({err}).") from None
    saved_arch = str(stored.pop(_ARCH_KEY, "unknown"))
    expected = _state(model)
    problems = []
    for key in sorted(set(expected) - set(stored)):
        problems.append(f"missing {key.split(':', 1)[-1]} {expected[key].shape}")
    for key in sorted(set(stored) - set(expected)):
        problems.append(f"unexpected {key.split(':', 1)[-1]} {stored[key].shape}")
    for key in sorted(set(stored) & set(expected)):
        name = key.split(':', 1)[-1]
        if stored[key].shape != expected[key].shape:
            problems.append(f"{name} has shape {stored[key].shape} in the file but "
                            f"{expected[key].shape} in the model")
        elif stored[key].dtype.kind not in "fiub":
            problems.append(f"{name} holds {stored[key].dtype} values in the file, not real numbers")
    if not problems and saved_arch != "unknown" and saved_arch != _architecture(model):
        problems.append("the layers differ (same parameter shapes, other layers or settings)")
    if problems:
        raise CheckpointError(
            f"{path!r} was saved from a different architecture; nothing was loaded.\n"
            f"  file:  {saved_arch}\n  model: {_architecture(model)}\n  " + "\n  ".join(problems[:10]) +
            "\nBuild the model exactly as it was when saved, then load again.")
    for key, target in expected.items():
        target[...] = stored[key]          # in place: optimizers keep pointing at the same arrays
    return model

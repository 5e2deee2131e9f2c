"""``fit``: the training loop every chapter uses, and the History it returns."""

import math

import numpy as np

from .core import Layer, as_float, check_finite
from .errors import InputError, NNLiteError, NNLiteTypeError, NonFiniteError, ShapeError, TrainingDiverged
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss
from .optim import clip_grad_norm


class History:
    """What ``fit`` measured, one entry per epoch.

    Attributes:
        loss, accuracy: on the training data (accuracy only for classification losses, else empty).
        val_loss, val_accuracy: on the validation data, if ``validation=`` was given, else empty.
    """

    def __init__(self):
        self.loss, self.accuracy, self.val_loss, self.val_accuracy = [], [], [], []

    @property
    def epochs(self):
        return len(self.loss)

    def __repr__(self):
        if not self.loss:
            return "History(no epochs)"
        parts = [f"loss {self.loss[-1]:.4f}"]
        if self.accuracy:
            parts.append(f"accuracy {self.accuracy[-1]:.3f}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4f}")
        if self.val_accuracy:
            parts.append(f"val_accuracy {self.val_accuracy[-1]:.3f}")
        return f"History({self.epochs} epochs; last: " + ", ".join(parts) + ")"


def accuracy(outputs, y):
    """Fraction of correct predictions: argmax of (N, C) logits, or logit > 0 for binary (N,)/(N, 1).

    Args:
        outputs: the model's logits, (N, C) or, for two classes, (N,) or (N, 1).
        y: integer labels (N,).
    """
    outputs = as_float(outputs, "accuracy (outputs)")
    y = as_float(y, "accuracy (labels)")
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    else:
        predicted = (outputs > 0).astype(int).reshape(-1)
    if y.size != predicted.size:
        raise ShapeError(f"accuracy needs one label per output row, got outputs {outputs.shape} and labels "
                         f"{y.shape}. Pass integer labels of shape (batch,); for one-hot rows use y.argmax(axis=1).")
    correct = predicted == y.reshape(-1)
    if not correct.size:
        raise InputError("accuracy of an empty batch: there is nothing to count. Pass at least one example.")
    return np.count_nonzero(correct) / correct.size


def _is_classifier(loss_fn):
    return isinstance(loss_fn, (CrossEntropyLoss, BCEWithLogitsLoss))


def evaluate(model, loss_fn, X, y, batch_size=1024):
    """Mean loss and accuracy (None unless classification) of ``model`` on (X, y), in eval mode.

    Args:
        model: a Layer (usually Sequential); its training mode is restored afterwards.
        loss_fn: a loss such as ``CrossEntropyLoss()``.
        X: inputs, one example per row: (N, ...).
        y: targets, one per example.
        batch_size: examples per forward pass (default 1024); it changes memory use, not the result.

    Returns:
        ``(loss, accuracy)``: floats; accuracy is None for a regression loss.
    """
    _check_pieces("evaluate", model, loss_fn)
    _check_count("evaluate", "batch_size", batch_size)
    X, y = _check_data(X, y, "evaluation", where="evaluate", ids=_takes_ids(model))
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0.0
    try:
        for start in range(0, len(X), batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            out = model(xb)
            total_loss += loss_fn(out, yb) * len(xb)
            if _is_classifier(loss_fn):
                correct += accuracy(out, yb) * len(xb)
    finally:
        model.train(was_training)
    n = len(X)
    return total_loss / n, (correct / n if _is_classifier(loss_fn) else None)


def _check_count(where, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise NNLiteError(f"{where}: {name} must be a positive integer, got {value!r}.")


def _check_pieces(where, model, loss_fn, optimizer=None):
    """The model, loss and optimizer are what they should be, in that order; else say which slip it is."""
    from .optim import Optimizer

    if not isinstance(model, Layer):
        raise NNLiteTypeError(f"{where}: the first argument is the model (a Layer or Sequential), "
                              f"got {type(model).__name__}.")
    if isinstance(loss_fn, type) and issubclass(loss_fn, Loss):
        raise NNLiteTypeError(f"{where}: got the class {loss_fn.__name__}, not a loss. Create one with "
                              f"brackets: {loss_fn.__name__}().")
    if optimizer is not None and isinstance(loss_fn, Optimizer) and isinstance(optimizer, Loss):
        raise NNLiteTypeError(f"{where}: the loss and the optimizer are swapped. The order is "
                              f"{where}(model, loss_fn, optimizer, X, y, ...).")
    if not isinstance(loss_fn, Loss):
        raise NNLiteTypeError(f"{where}: loss_fn must be a loss such as nl.CrossEntropyLoss(), "
                              f"got {type(loss_fn).__name__}.")
    if optimizer is None:
        return
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        raise NNLiteTypeError(f"{where}: got the class {optimizer.__name__}, not an optimizer. Create one: "
                              f"{optimizer.__name__}(model.parameters(), lr=...).")
    if not isinstance(optimizer, Optimizer):
        raise NNLiteTypeError(f"{where}: optimizer must be nl.SGD or nl.Adam over model.parameters(), "
                              f"got {type(optimizer).__name__}.")
    mine = {id(p) for p in model.parameters()}
    if mine and not any(id(p) in mine for p in optimizer.params):
        raise NNLiteError(f"{where}: the optimizer was built on another model's parameters, so training would "
                          "change nothing in this model. Build it from this one: "
                          f"{type(optimizer).__name__}(model.parameters(), ...).")


def _takes_ids(model):
    """True when the model's first layer reads integer token ids (an Embedding), not numbers."""
    first = model.layers[0] if getattr(model, "layers", None) else model
    return bool(getattr(first, "takes_ids", False))


def _check_data(X, y, what, where="fit", ids=False):
    if ids:                                   # token ids stay integers: the Embedding checks their range
        X = np.asarray(X)
        if X.dtype.kind not in "iu":
            raise InputError(f"{where}: the model starts with an Embedding, which reads integer token ids, but "
                             f"the {what} inputs have dtype {X.dtype}. Pass ids such as X.astype(int).")
    else:
        X = check_finite(as_float(X, f"{where} ({what} inputs)"), f"{where} ({what} inputs)")
    try:
        y = np.asarray(y)
    except (ValueError, TypeError):  # ragged nested lists
        raise InputError(f"{where}: could not make an array of the {what} targets. Give every example a "
                         "target of the same shape, e.g. np.array([0, 2, 1]).") from None
    if X.ndim < 2:
        raise ShapeError(f"{where}: {what} inputs need a batch axis first, shape (examples, features...), "
                         f"got {X.shape}. For one feature per example use X.reshape(-1, 1).")
    if y.ndim == 0 or len(X) != len(y):
        got = len(y) if y.ndim else "no batch axis"
        raise ShapeError(f"{where}: {what} inputs have {len(X)} examples but the targets have {got}. "
                         "Pass one target per example.")
    if len(X) == 0:
        raise ShapeError(f"{where}: the {what} data is empty.")
    if y.dtype.kind not in "fiub":
        raise InputError(f"{where}: {what} targets must be numbers, got dtype {y.dtype}.")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        bad = int(np.count_nonzero(~np.isfinite(y)))
        raise NonFiniteError(f"{where}: {bad} of the {what} targets are NaN or infinite. Find them with "
                             "np.argwhere(~np.isfinite(y)) and drop or fix those examples; nothing was trained.")
    return X, y


@np.errstate(over="ignore", invalid="ignore")   # a blow-up is reported as TrainingDiverged, not as warnings
def fit(model, loss_fn, optimizer, X, y, epochs=5, batch_size=64, validation=None, seed=0,
        shuffle=True, progress=True, clip=None):
    """Train ``model`` with mini-batch gradient descent; return a History.

    Each epoch shuffles the examples (seeded, so runs repeat exactly), and for every batch runs
    forward, loss, backward, ``optimizer.step()`` and ``optimizer.zero_grad()``. The first layer skips
    dL/dX (the data needs no gradient).

    Args:
        model: a Layer (usually Sequential).
        loss_fn: a loss such as ``CrossEntropyLoss()``.
        optimizer: an optimizer (SGD, Adam, AdamW) over ``model.parameters()``.
        X: training inputs, one example per row: (N, ...).
        y: training targets, one per example: (N,) labels or (N, ...) values.
        epochs: passes over the training data (default 5).
        batch_size: examples per optimizer step (default 64); the last batch may be smaller.
        validation: optional ``(X_val, y_val)``, measured after every epoch.
        seed: seed of the shuffling (default 0).
        shuffle: shuffle the examples before every epoch (default True); False keeps their order.
        progress: show a progress bar in notebooks and terminals (default True).
        clip: None, or a max norm: before every step the gradients are clipped to it together
            (``nl.clip_grad_norm``), which keeps one huge gradient from throwing the weights away.

    Raises:
        TrainingDiverged: the loss became NaN or infinite, or an epoch's loss grew to ``EXPLODED`` times
            the first batch's (or 1, if larger); the message says what to try.
        NonFiniteError: the data, the targets or the model's weights hold NaN or infinity (nothing trained).
    """
    _check_pieces("fit", model, loss_fn, optimizer)
    if clip is not None and (isinstance(clip, bool) or not isinstance(clip, (int, float, np.integer, np.floating))
                             or not math.isfinite(clip) or clip <= 0):
        raise NNLiteError(f"fit: clip must be None or a positive max norm such as 1.0, got {clip!r}.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        _check_count("fit", name, value)
    X, y = _check_data(X, y, "training", ids=_takes_ids(model))
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise NNLiteError("fit: validation must be a pair (X_val, y_val).")
        X_val, y_val = _check_data(*validation, "validation", ids=_takes_ids(model))

    broken = [p.name for p in model.parameters() if not np.isfinite(p.value).all()]
    if broken:
        raise NonFiniteError(f"fit: the model's weights {', '.join(sorted(set(broken)))} hold NaN or infinity, "
                             "probably from a run that diverged. Build the model (and its optimizer) again, or "
                             "nl.load a checkpoint saved before, then train with a smaller learning rate.")

    history = History()
    rng = np.random.default_rng(seed)
    first_loss = None               # of the first batch, before any step: the scale to compare against
    n = len(X)
    classify = _is_classifier(loss_fn)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc="training", unit="epoch")
    model.train()
    try:
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            total_loss, correct = 0.0, 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)   # = X[idx], y[idx], but faster
                try:
                    out = model(xb)
                    loss = loss_fn(out, yb)
                except NonFiniteError:     # the data was checked above: the weights blew up
                    raise _diverged(epoch, history, optimizer) from None
                if not math.isfinite(loss):
                    raise _diverged(epoch, history, optimizer)
                if first_loss is None:
                    first_loss = loss
                model.backward(loss_fn.backward(), input_grad=False)
                if clip is not None:
                    clip_grad_norm(optimizer.params, clip)
                optimizer.step()
                optimizer.zero_grad()
                total_loss += loss * len(idx)
                if classify:
                    correct += accuracy(out, yb) * len(idx)
            history.loss.append(total_loss / n)
            if history.loss[-1] > EXPLODED * max(first_loss, 1.0):
                raise _diverged(epoch, history, optimizer, grew_from=first_loss)
            if classify:
                history.accuracy.append(correct / n)
            if validation is not None:
                val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
                history.val_loss.append(val_loss)
                if classify:
                    history.val_accuracy.append(val_acc)
            if bar is not None:
                shown = {"loss": f"{history.loss[-1]:.4f}"}
                if history.val_accuracy:
                    shown["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
                bar.set_postfix(shown)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return history


EXPLODED = 1e4      # an epoch's loss this many times the first batch's (or 1): training has blown up


def _diverged(epoch, history, optimizer, grew_from=None):
    if grew_from is None:
        what = "the loss became NaN or infinite"
    else:
        what = f"the loss grew from {grew_from:.3g} to {history.loss[-1]:.3g}"
    err = TrainingDiverged(
        f"fit: {what} in epoch {epoch + 1} (learning rate {optimizer.lr:g}). The steps were too large and "
        "the weights blew up. Build the model and its optimizer again (or nl.load a checkpoint saved before): "
        "these weights are unusable. Then try a learning rate 10x smaller, scale the inputs to roughly unit "
        "size, or use Adam. The history so far is in err.history.")
    err.history = history
    return err

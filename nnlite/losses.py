"""Loss functions. Each is called as ``loss = loss_fn(pred, target)`` (a Python float, averaged over
the batch) and then ``loss_fn.backward()`` returns dL/dpred, ready for ``model.backward``."""

import numpy as np

from . import functional as F
from .core import as_float, check_finite
from .errors import InputError, NNLiteError, NonFiniteError, ShapeError


class Loss:
    """Base class: ``__call__(pred, target) -> float`` caches what ``backward() -> dL/dpred`` needs."""

    _cache = None

    def __call__(self, pred, target):
        try:
            with np.errstate(over="raise", invalid="raise"):
                return self.forward(pred, target)
        except FloatingPointError as error:
            raise NonFiniteError(f"{type(self).__name__} overflowed ({error}): the predictions or targets are "
                                 "far too large. Scale the targets to roughly unit size; during training, the "
                                 "weights diverged: lower the learning rate and rebuild the model.") from None

    def backward(self):
        """dL/dpred of the last call, the same shape as its predictions, ready for ``model.backward``.

        Call it after ``loss = loss_fn(pred, target)``; the mean over the batch is already in it.
        """
        if self._cache is None:
            raise NNLiteError(f"{type(self).__name__}.backward() was called before the loss was computed. "
                              "Call loss_fn(pred, target) first.")
        return self._backward()

    def __repr__(self):
        return f"{type(self).__name__}()"

    def _pred(self, pred):
        return check_finite(as_float(pred, f"{type(self).__name__} (predictions)"),
                            f"{type(self).__name__} (predictions)")

    def _same_shape(self, pred, target):
        target = check_finite(as_float(target, f"{type(self).__name__} (targets)", pred.dtype),
                              f"{type(self).__name__} (targets)")
        if pred.shape != target.shape:
            hint = ""
            if pred.ndim == 2 and pred.shape[1] == 1 and target.shape == pred.shape[:1]:
                hint = " Reshape the targets: y.reshape(-1, 1)."
            elif target.ndim == 2 and target.shape[1] == 1 and pred.shape == target.shape[:1]:
                hint = " Reshape the targets: y.reshape(-1)."
            raise ShapeError(f"{type(self).__name__} needs predictions and targets of the same shape, got "
                             f"{pred.shape} and {target.shape}.{hint}")
        if pred.size == 0:
            raise ShapeError(f"{type(self).__name__} got an empty batch. Pass at least one example.")
        return target


class MSELoss(Loss):
    """Mean squared error: L = mean((pred - target)**2) over every element. For regression."""

    def forward(self, pred, target):
        pred = self._pred(pred)
        target = self._same_shape(pred, target)
        diff = pred - target
        self._cache = diff
        return float(np.mean(diff * diff))

    def _backward(self):
        diff = self._cache
        return (2.0 / diff.size) * diff


class CrossEntropyLoss(Loss):
    """Softmax followed by the negative log-likelihood of the true class, averaged over the batch.

    ``L = mean_i(logsumexp(z_i) - z_i[y_i])``. Fused and stable: finite for logits of any size.

    Called as ``loss_fn(logits, target)``: ``logits`` (N, C) are raw scores, *not* probabilities;
    ``target`` (N,) holds integer class labels in [0, C).

    ``backward()`` returns (softmax(z) - onehot(y)) / N, of shape (N, C).
    """

    def forward(self, logits, target):
        z = self._pred(logits)
        if z.ndim != 2:
            hint = " Add a batch axis: z.reshape(1, -1)." if z.ndim == 1 else ""
            raise ShapeError(f"CrossEntropyLoss expects logits of shape (batch, classes), got {z.shape}.{hint}")
        y = labels(target, z.shape[1], "CrossEntropyLoss")
        if len(y) != len(z):
            raise ShapeError(f"CrossEntropyLoss got {len(z)} rows of logits but {len(y)} labels. "
                             "Pass one integer label per example.")
        if z.size == 0:
            raise ShapeError(f"CrossEntropyLoss got an empty batch {z.shape}. Pass at least one example.")
        shifted = z - row_max(z)[:, None]             # (N, C), max 0: exp cannot overflow
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)         # (N, 1), at least 1
        rows = np.arange(len(y))
        loss = (np.log(sums[:, 0]) - shifted[rows, y]).sum() / len(y)   # mean over the batch
        exp /= sums                                   # softmax probabilities, reused by backward
        self._cache = (exp, y)
        return float(loss)

    def _backward(self):
        probs, y = self._cache
        n = len(y)
        dZ = probs / n                                # (softmax(z) - onehot(y)) / N
        dZ[np.arange(n), y] -= 1 / n
        return dZ


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits: sigmoid and log fused, stable for any logit.

    ``L = mean(max(z, 0) - z * t + log(1 + exp(-abs(z))))``, targets t in [0, 1], same shape as z.
    """

    def forward(self, logits, target):
        z = self._pred(logits)
        t = self._same_shape(z, target)
        if t.min() < 0 or t.max() > 1:
            raise InputError("BCEWithLogitsLoss needs targets between 0 and 1 (labels 0/1 or "
                             f"probabilities), got values from {t.min():g} to {t.max():g}.")
        self._cache = (z, t)
        return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))

    def _backward(self):
        z, t = self._cache
        return (F.sigmoid(z) - t) / z.size


def row_max(z):
    """The largest entry of each row of a 2-D array: ``z.max(axis=1)``, computed faster.

    numpy reduces along a short last axis row by row (6 us for 128 x 10); reducing the rows of the
    transposed copy is one vectorised pass (under 2 us). The values are the same.
    """
    return np.ascontiguousarray(z.T).max(axis=0)


def labels(target, n_classes, where):
    """Validate integer class labels in [0, n_classes) and return them as an int array."""
    try:
        y = np.asarray(target)
    except (ValueError, TypeError):  # ragged nested lists
        raise InputError(f"{where} needs one integer class label per example; could not make an array of "
                         "the labels. Pass a flat list or array of ints, e.g. np.array([0, 2, 1]).") from None
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise InputError(f"{where} needs integer class labels 0..{n_classes - 1}, got non-integer values. "
                             "If the labels are one-hot rows, use y.argmax(axis=1).")
        y = y.astype(np.intp)
    elif y.dtype.kind not in "iu":
        raise InputError(f"{where} needs integer class labels, got dtype {y.dtype}. Convert them: y.astype(int).")
    if y.ndim != 1:
        hint = " If they are one-hot rows, use y.argmax(axis=1)." if y.ndim == 2 else ""
        raise ShapeError(f"{where} needs labels of shape (batch,), got {y.shape}.{hint}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise InputError(f"{where}: labels must be in 0..{n_classes - 1} for {n_classes} output classes, "
                         f"got values from {y.min()} to {y.max()}. Make the last layer output as many "
                         "values as there are classes, or fix the labels.")
    return y

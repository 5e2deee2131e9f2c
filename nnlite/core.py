"""Parameter, Layer and Sequential: the three ideas every other module builds on."""

import contextlib
import math

import numpy as np

from .errors import InputError, NNLiteError, NNLiteTypeError, NonFiniteError, ShapeError, shape_str


class Parameter:
    """A learned array and the gradient of the loss with respect to it.

    Attributes:
        value: the numbers the optimizer changes, e.g. a weight matrix.
        grad: dL/dvalue, same shape and dtype; backward passes *add* to it, ``zero_grad()`` resets it.
        name: a short name such as ``"W"`` or ``"b"``.

    Args:
        value: the initial array (the Parameter keeps this array, it does not copy it).
        name: a short name such as ``"W"`` (default ``""``).
    """

    def __init__(self, value, name=""):
        self.value = value
        self.grad = value if is_placeholder(value) else np.zeros_like(value)
        self.name = name

    @property
    def shape(self):
        return self.value.shape

    @property
    def size(self):
        return self.value.size

    def zero_grad(self):
        """Set ``grad`` to zero in place (it stays the same array)."""
        if not self.grad.flags.writeable:        # a shapes_only() placeholder: nothing to reset
            return
        if self.grad.ndim and self.grad.flags.c_contiguous:
            self.grad.view(np.uint8).fill(0)   # zero bytes are 0.0; a byte fill is a memset, twice as fast
        else:
            self.grad.fill(0)

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.value.shape}, dtype={self.value.dtype})"


_SHAPES_ONLY = [False]


@contextlib.contextmanager
def shapes_only():
    """Build layers whose parameters have shapes but no numbers, to count and summarise big models.

    Inside ``with nl.shapes_only():`` every Dense, Embedding, PositionalEmbedding, MultiHeadAttention (and
    the blocks made of them) gets read-only placeholder parameters that take no memory (one zero seen
    through every index), so ``summary()`` and ``sum(p.size for p in model.parameters())`` work for
    GPT-2 small's 124,439,808 parameters at the cost of a few kilobytes. Such a model cannot compute:
    calling it raises an error. Build it again outside the ``with`` block to train or run it.

    Example:
        >>> with nl.shapes_only():
        ...     big = nl.Dense(50_000, 768)
        >>> big.W.size
        38400768
    """
    previous = _SHAPES_ONLY[0]
    _SHAPES_ONLY[0] = True
    try:
        yield
    finally:
        _SHAPES_ONLY[0] = previous


def building_shapes_only():
    """True inside ``with nl.shapes_only():``."""
    return _SHAPES_ONLY[0]


class HugePlaceholder:
    """A ``shapes_only()`` placeholder too big for numpy to describe at all: more bytes than its index type
    counts (2**31 in the browser edition's 32-bit numpy, where a Dense of 4 billion weights is one). It has
    a shape, a dtype and a size, and nothing to compute with."""

    flags = type("Flags", (), {"writeable": False, "c_contiguous": False})()

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(int(n) for n in shape), np.dtype(dtype)
        self.ndim, self.size = len(self.shape), math.prod(self.shape)
        self.nbytes, self.strides = self.size * self.dtype.itemsize, (0,) * len(self.shape)

    def __repr__(self):
        return f"HugePlaceholder(shape={self.shape}, dtype={self.dtype})"


def is_placeholder(array):
    """True for a ``shapes_only()`` placeholder: a read-only array whose every index sees one number."""
    if isinstance(array, HugePlaceholder):
        return True
    return (isinstance(array, np.ndarray) and array.size > 1 and not array.flags.writeable
            and not any(array.strides))


def new_parameter(shape, dtype, name, fill=None):
    """A Parameter of ``shape``, filled in place by ``fill(parameter)``; inside ``shapes_only()`` a
    placeholder that takes no memory and is never filled."""
    if _SHAPES_ONLY[0]:
        try:
            value = np.broadcast_to(np.zeros((), dtype), shape)    # read-only, strides all 0
        except ValueError:                                          # "array is too big" for numpy
            value = HugePlaceholder(shape, dtype)
        return Parameter(value, name)
    param = Parameter(np.empty(shape, dtype), name)
    if fill is not None:
        fill(param)
    return param


class Layer:
    """Base class of every layer.

    A layer maps an input X to an output Y in ``forward`` and, in ``backward``, takes dL/dY and returns
    dL/dX while *adding* dL/dparam to each Parameter's ``grad``. ``layer(X)`` is ``layer.forward(X)``.
    ``backward(dY, input_grad=False)`` may skip computing dL/dX and return None: ``fit`` does that for
    the first layer, whose input (the data) needs no gradient.
    """

    training = True
    shapes_only = False        # True for a layer built inside nl.shapes_only(): it can be counted, not run

    def forward(self, X):
        """Compute the output Y from the input X, keeping what ``backward`` will need.

        Args:
            X: the input batch, one example per row of axis 0.
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(X)")

    def backward(self, dY, input_grad=True):
        """Take dL/dY, add dL/dparam to each Parameter's ``grad`` and return dL/dX.

        Args:
            dY: dL/dY, the same shape as the last output of ``forward``.
            input_grad: if False, skip dL/dX and return None (the input needs no gradient).
        """
        raise NotImplementedError(f"{type(self).__name__} must define backward(dY)")

    def __call__(self, X, *args, **kwargs):
        """``forward(X)``, with numpy's overflow reported as a NonFiniteError that names the layer."""
        if self.shapes_only:
            raise NNLiteError(f"{self!r} was built inside nl.shapes_only(): its parameters have shapes but no "
                              "values, so it can be counted and summarised but not run. Build it again outside "
                              "the `with nl.shapes_only():` block to compute with it.")
        try:
            with np.errstate(over="raise", invalid="raise"):
                return self.forward(X, *args, **kwargs)
        except FloatingPointError as error:
            largest = _largest(X)
            raise NonFiniteError(f"{self!r} overflowed ({error}) on an input whose largest value is "
                                 f"{largest}. Scale the inputs to roughly unit size; during training, the "
                                 "weights diverged: lower the learning rate and rebuild the model.") from None

    def parameters(self):
        """The layer's Parameters, in a fixed order."""
        return []

    def output_shape(self, input_shape):
        """The output shape for an input of ``input_shape`` (batch axis included), without computing;
        None when the layer does not say (``summary()`` then runs it on zeros)."""
        return None

    def named_parameters(self):
        """(name, Parameter) pairs; names are unique within the layer."""
        return [(p.name, p) for p in self.parameters()]

    def buffers(self):
        """Arrays that are state but are not learned (e.g. batch-norm running statistics): {name: array}."""
        return {}

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode=True):
        """Training mode (the default): dropout drops, batch norm uses batch statistics. Returns the layer.

        Args:
            mode: True for training mode, False for evaluation mode (the same as ``eval()``).
        """
        self.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode: dropout is the identity, batch norm uses its running statistics."""
        return self.train(False)

    def __repr__(self):
        return f"{type(self).__name__}()"

    # --- helpers shared by layers ---------------------------------------------------------------
    def _need_cache(self, cache):
        if cache is None:
            raise NNLiteError(f"{self!r}.backward was called before forward. "
                              "Run the forward pass first, then backward on its output gradient.")
        return cache

    def _check_grad(self, dY, expected_shape):
        if not (isinstance(dY, np.ndarray) and dY.dtype in (np.float32, np.float64)):  # usual case: as is
            dY = as_float(dY, f"{self!r}.backward")
        if dY.shape != tuple(expected_shape):
            raise ShapeError(f"{self!r}.backward expects dY of the output's shape {expected_shape}, "
                             f"got {dY.shape}. Pass the gradient of the loss with respect to this "
                             "layer's output (e.g. loss_fn.backward()).")
        if dY.size and not _looks_finite(dY) and not np.isfinite(dY).all():
            raise NonFiniteError(f"{self!r}.backward got NaN or infinity in dY; no gradient was changed. "
                                 "They come from the loss or a later layer: check that the loss is a finite "
                                 "number before calling backward (the weights may have diverged: lower the "
                                 "learning rate, and rebuild the model).")
        return dY


def _largest(X):
    """The largest absolute value of X, for an error message (or "unknown")."""
    try:
        with np.errstate(all="ignore"):
            return f"{float(np.max(np.abs(np.asarray(X, dtype=float)))):.3g}"
    except (ValueError, TypeError):
        return "unknown"


def as_float(X, where, dtype=None):
    """Return X as a float ndarray (ints and bools cast, float32 kept unless dtype is given).

    Raises InputError for non-numeric data. Used by every entry point so that no raw numpy error
    reaches a student. ``where`` names the caller in error messages: a string, or the layer itself
    (formatted only when an error is raised, which keeps the hot path free of string building).
    """
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (ValueError, TypeError) as err:  # ragged nested lists
            raise InputError(f"{where} expects a numeric array; could not convert the input ({err}). "
                             "Make every row the same length, then use np.asarray(x, dtype=float).")
    if X.dtype.kind not in "fiub":
        raise InputError(f"{where} expects numbers, got an array of dtype {X.dtype}. "
                         "Convert it first: np.asarray(x, dtype=float).")
    if dtype is not None:
        return X.astype(dtype, copy=False)
    if X.dtype.kind != "f" or X.dtype.itemsize < 4:
        return X.astype(np.float64)
    return X


def check_finite(X, where):
    """Raise NonFiniteError (an InputError) if X holds NaN or infinity.

    A fast screen first, one BLAS call in X's own dtype with no copy for a contiguous X: the sum of
    squares ``np.vdot(X, X)`` or, for a large X (a whole training set), the row sums ``X @ ones``, a
    matrix-vector product that uses every core (0.3 ms instead of 0.6 ms for 8,192 x 784 float32 on
    two cores). Either is finite when every value is. NaN or infinity always make it non-finite; so
    may huge finite values (|x| > 1e19 in float32), hence the exact scan after.
    """
    if X.size and not _looks_finite(X):
        if not np.isfinite(X).all():
            bad = int(np.size(X) - np.isfinite(X).sum())
            raise NonFiniteError(f"{where} got {bad} NaN or infinite value(s) in its input. If they come from your data, "
                             "find and clean them (np.isnan(x).any()); if they appear during training, the "
                             "weights diverged: lower the learning rate.")
    return X


ROW_SUM_SCREEN = 1 << 20   # from this many values on, check_finite's screen is X @ ones (every core)


def _looks_finite(X):
    if X.size < ROW_SUM_SCREEN:
        return math.isfinite(np.vdot(X, X))
    rows = X.reshape(-1, X.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):   # an overflow here only sends us to the exact scan
        return np.isfinite(rows @ np.ones(rows.shape[1], X.dtype)).all()


def validate_input(X, layer, expected, dtype):
    """Check X against ``expected`` (a shape with None for free sizes) and cast it to ``dtype``.

    ``expected=(None, 784)`` means "(batch, 784)". Errors name the layer and say what to do.
    """
    X = as_float(X, layer, dtype)        # the layer itself, not repr(layer): named only on error
    if X.ndim != len(expected):
        hint = ""
        if X.ndim == len(expected) - 1:
            hint = "\nAdd a batch axis: x.reshape(1, -1)." if len(expected) == 2 else "\nAdd a batch axis: x[None]."
        elif len(expected) == 2 and X.ndim > 2:     # the fix on a line of its own: a printed error fits 78 columns
            hint = "\nFlatten it first: nl.Flatten() before this layer, or x.reshape(len(x), -1)."
        raise ShapeError(f"{layer!r} expects input of shape {shape_str(expected)}, got {X.shape}.{hint}")
    for axis, (got, want) in enumerate(zip(X.shape, expected)):
        if want is not None and got != want:
            raise ShapeError(f"{layer!r} expects input of shape {shape_str(expected)}, got {X.shape}:"
                             f"\naxis {axis} should have size {want}. Check the previous layer's output size\n"
                             "or this layer's constructor arguments.")
    if X.shape[0] == 0:
        raise ShapeError(f"{layer!r} got an empty batch {X.shape}. Pass at least one example.")
    return check_finite(X, layer)


SUMMARY_WIDTH = 77     # characters: what a book page's code column shows without scrolling


def _table(rows, stacked, named=False):
    """The lines of ``summary()``'s table: rows of (layer, output shape, [parameter shapes], count),
    the first the header. ``stacked`` puts each parameter shape on a line of its own; ``named`` also
    puts each layer's name on a line of its own, above its indented row (for long layer names)."""
    lines = []                                  # (the name above the row, or None; the row's cells)
    for layer, out, shapes, count in rows:
        shapes = shapes if stacked else [", ".join(shapes)]
        first, blank = (("  " + out,), ("",)) if named else ((layer, out), ("", ""))
        lines.append((layer if named else None, first + (shapes[0], count)))
        lines += [(None, blank + (shape, "")) for shape in shapes[1:]]
    widths = [max(len(cells[c]) for _, cells in lines) for c in range(len(lines[0][1]))]

    def line(cells):                            # left-aligned columns, the count right-aligned
        return "  ".join([c.ljust(w) for c, w in zip(cells[:-1], widths)] + [cells[-1].rjust(widths[-1])]).rstrip()

    rule = "-" * len(line(lines[0][1]))
    text = []
    for k, (name, cells) in enumerate(lines):
        text += ([name] if name else []) + [line(cells)] + ([rule] if k == 0 else [])
    return text + [rule]


class Sequential(Layer):
    """Layers applied one after another: Y = layer_n(... layer_2(layer_1(X))).

    Example:
        >>> model = Sequential(Dense(784, 128), ReLU(), Dense(128, 10))
        >>> model.summary()            # 101,770 parameters
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if isinstance(layer, type) and issubclass(layer, Layer):
                raise NNLiteError(f"Sequential got the class {layer.__name__} at position {i}, not a layer. "
                                  f"Call it to make one: {layer.__name__}(...).")
            if not isinstance(layer, Layer):
                raise NNLiteError(f"Sequential takes layers, got {type(layer).__name__} at position {i}.")
        self.layers = list(layers)

    def forward(self, X):
        """Apply the layers in order and return the last one's output.

        Args:
            X: the input batch of the first layer.
        """
        for layer in self.layers:
            X = layer(X)
        return X

    def backward(self, dY, input_grad=True):
        """Backpropagate dL/dY through every layer, last to first; returns dL/dX (None if not input_grad).

        Args:
            dY: dL/dY for the model's output, e.g. ``loss_fn.backward()``.
            input_grad: if False, the first layer skips dL/dX (``fit`` passes False).
        """
        for i in range(len(self.layers) - 1, 0, -1):
            dY = self.layers[i].backward(dY)
        return self.layers[0].backward(dY, input_grad=input_grad) if self.layers else dY

    def parameters(self):
        """Every layer's Parameters, each once: a Parameter shared by two layers (a tied weight) is listed
        where it first appears."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self):
        pairs, seen = [], set()
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    pairs.append((f"{i}.{name}", p))
        return pairs

    def buffers(self):
        return {f"{i}.{name}": array for i, layer in enumerate(self.layers) for name, array in layer.buffers().items()}

    def train(self, mode=True):
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"

    def summary(self, input_shape=None):
        """Print each layer with its output shape, parameter shapes and counts, then the totals.

        Args:
            input_shape: shape of one example without the batch axis, e.g. ``(1, 28, 28)``. Optional when
                the first layer is Dense (it knows its input size).
        """
        print(self.summary_text(input_shape))

    def summary_text(self, input_shape=None):
        """The table ``summary()`` prints, as a string."""
        if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
            input_shape = (int(input_shape),)          # summary(784) means one example of 784 features
        if input_shape is not None and (
                not isinstance(input_shape, (tuple, list))
                or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and 0 < n <= 10**7
                           for n in input_shape) or np.prod(input_shape, dtype=float) > 10**8):
            raise NNLiteTypeError(f"summary: input_shape is the shape of one example without the batch axis, "
                                  f"such as (784,) or (1, 28, 28), with sizes of 1 or more; got {input_shape!r}.")
        if input_shape is None and self.layers and getattr(self.layers[0], "n_in", None) is not None:
            input_shape = (self.layers[0].n_in,)
        out_shapes = self._output_shapes(input_shape)
        rows = [("Layer", "Output shape", ["Parameters"], "Count")]
        total, owner = 0, {}                      # id(Parameter) -> "layer index.name" where first listed
        for i, (layer, out) in enumerate(zip(self.layers, out_shapes)):
            shapes, count = [], 0
            for name, p in layer.named_parameters():
                if id(p) in owner:                # a tied weight: shown, counted where it first appeared
                    shapes.append(f"{name} {tuple(p.shape)} (tied to {owner[id(p)]})")
                else:
                    owner[id(p)] = f"{i}.{name}"
                    shapes.append(f"{name} {tuple(p.shape)}")
                    count += p.size
            total += count
            if len(shapes) > 4:                   # a block of many arrays: its parts and their counts
                parts = {}
                for name, p in layer.named_parameters():
                    parts[name.split(".")[0]] = parts.get(name.split(".")[0], 0) + p.size
                shapes = [f"{part} {n:,}" for part, n in parts.items()]
            rows.append((repr(layer), out, shapes or ["-"], f"{count:,}"))
        text = _table(rows, stacked=False)
        for layout in ({"stacked": True}, {"stacked": True, "named": True}):
            if max(len(line) for line in text) <= SUMMARY_WIDTH:
                break
            text = _table(rows, **layout)   # one parameter a line, then each name above its row: it fits a page
        text.append(f"Trainable parameters: {total:,}")
        n_buffers = sum(a.size for a in self.buffers().values())
        text.append(f"Buffers (not trained): {n_buffers:,}")
        return "\n".join(text)

    def _output_shapes(self, input_shape):
        if input_shape is None:
            return ["?"] * len(self.layers)
        modes = [layer.training for layer in self.layers]
        self.eval()  # no dropout randomness or running-statistics updates while probing shapes
        ids = getattr(self.layers[0], "takes_ids", False) if self.layers else False
        shape = (2,) + tuple(input_shape)
        X = None
        shapes = []
        try:
            for layer in self.layers:
                known = layer.output_shape(shape)     # from the shapes alone when the layer says
                if known is None:
                    if X is None or X.shape != shape:
                        X = np.zeros(shape, np.intp if ids and not shapes else np.float64)
                    X = layer(X)
                    known = X.shape
                shape = tuple(known)
                shapes.append(shape_str((None,) + shape[1:]))
        finally:
            for layer, mode in zip(self.layers, modes):
                layer.train(mode)
        return shapes

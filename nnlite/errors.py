"""Errors nnlite raises. All are ValueError subclasses, and every message says what to do next."""


class NNLiteError(ValueError):
    """Base class of every error nnlite raises on bad input."""


class NNLiteTypeError(NNLiteError, TypeError):
    """An argument of the wrong kind (a class where an instance belongs, a method not called, a list of
    strings where numbers belong). Also a TypeError, so ``except TypeError`` keeps working."""


class ShapeError(NNLiteError):
    """An array has the wrong number of axes or the wrong size along one of them."""


class InputError(NNLiteError):
    """An array is not numeric, contains NaN or infinity, or holds out-of-range labels."""


class NonFiniteError(InputError):
    """An array holds NaN or infinity: dirty data, or weights that diverged during training."""


class CheckpointError(NNLiteError):
    """A saved file does not match the model it is loaded into."""


class TrainingDiverged(NNLiteError):
    """The loss became NaN or infinite during training."""


def shape_str(shape):
    """(784,) -> '(784,)', (None, 784) -> '(batch, 784)'."""
    parts = ["batch" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"

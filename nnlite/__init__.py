"""nnlite: a small, readable numpy library of layers and parameters, written for the course.

    import nnlite as nl
    model = nl.Sequential(nl.Dense(784, 128), nl.ReLU(), nl.Dense(128, 10))
    model.summary()

The core (this namespace) needs only numpy (and tqdm for progress bars). Teaching tools that draw are
imported by name: ``nnlite.plot``, ``nnlite.widgets``, ``nnlite.check``.
"""

__version__ = "0.1.0"

import warnings

from . import datasets, functional, init
from .attention import Embedding, MeanPool, MultiHeadAttention, PositionalEmbedding, TiedHead, TransformerBlock, gpt2_small
from .checkpoint import load, save
from .conv import Conv1D, Conv2D
from .core import Layer, Parameter, Sequential, shapes_only
from .errors import (CheckpointError, InputError, NNLiteError, NNLiteTypeError, NonFiniteError, ShapeError,
                     TrainingDiverged)
from .gradcheck import gradcheck, rel_error
from .init import manual_seed
from .layers import Dense, Flatten, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .normalization import BatchNorm, Dropout, LayerNorm
from .optim import SGD, Adam, AdamW, Optimizer, clip_grad_norm
from .pooling import AvgPool1D, AvgPool2D, MaxPool1D, MaxPool2D
from .recurrent import GRU, RNN, BiGRU, Bidirectional, LastStep
from .residual import Residual, ResidualBlock
from .training import History, accuracy, evaluate, fit


def expect_version(version):
    """Warn if the installed nnlite is not the version a chapter was written for. Chapters call this
    in their first code cell: ``nl.expect_version("0.1.0")``.

    Args:
        version: the version the chapter expects, as text such as ``"0.1.0"``.

    Returns:
        The installed version.
    """
    if not isinstance(version, str):
        raise NNLiteTypeError(f"expect_version takes the version as text, such as nl.expect_version(\"0.1.0\"); "
                              f"got {version!r}.")
    if version != __version__:
        warnings.warn(f"This chapter was written for nnlite {version}, but nnlite {__version__} is installed. "
                      "Most things will work; if a cell fails, install the matching version "
                      "(pip install -e . in the course folder).", stacklevel=2)
    return __version__


__all__ = [
    "AvgPool1D", "AvgPool2D", "BatchNorm", "Conv1D", "Conv2D", "Dropout", "LayerNorm", "MaxPool1D", "MaxPool2D",
    "Residual", "ResidualBlock",
    "Embedding", "MeanPool", "MultiHeadAttention", "PositionalEmbedding", "TiedHead", "TransformerBlock",
    "gpt2_small", "shapes_only",
    "BiGRU", "Bidirectional", "GRU", "LastStep", "RNN",
    "Adam", "AdamW", "BCEWithLogitsLoss", "CheckpointError", "CrossEntropyLoss", "Dense", "Flatten", "GELU",
    "History", "InputError", "Layer", "LeakyReLU", "Loss", "MSELoss", "NNLiteError", "NNLiteTypeError", "NonFiniteError", "Optimizer",
    "Parameter", "ReLU", "SGD", "Sequential", "ShapeError", "Sigmoid", "Softmax", "Tanh",
    "TrainingDiverged", "accuracy", "clip_grad_norm", "datasets", "evaluate", "expect_version", "fit", "functional", "gradcheck", "init",
    "load", "manual_seed", "rel_error", "save",
]

"""nnlite: a small, readable numpy library of layers and parameters, written for the course.

    import nnlite as nl
    model = nl.Sequential(nl.Dense(784, 128), nl.ReLU(), nl.Dense(128, 10))
    model.summary()

The core (this namespace) needs only numpy (and tqdm for progress bars). Teaching tools that draw are
imported by name: ``nnlite.plot``, ``nnlite.widgets``, ``nnlite.check``.
"""

__version__ = "0.1.0"

from . import datasets, functional, init
from .checkpoint import load, save
from .core import Layer, Parameter, Sequential
from .errors import CheckpointError, InputError, NNLiteError, ShapeError, TrainingDiverged
from .gradcheck import gradcheck, rel_error
from .init import manual_seed
from .layers import Dense, Flatten, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .optim import Adam, Optimizer, SGD
from .training import History, accuracy, evaluate, fit

__all__ = [
    "Adam", "BCEWithLogitsLoss", "CheckpointError", "CrossEntropyLoss", "Dense", "Flatten", "GELU",
    "History", "InputError", "Layer", "LeakyReLU", "Loss", "MSELoss", "NNLiteError", "Optimizer",
    "Parameter", "ReLU", "SGD", "Sequential", "ShapeError", "Sigmoid", "Softmax", "Tanh",
    "TrainingDiverged", "accuracy", "datasets", "evaluate", "fit", "functional", "gradcheck", "init",
    "load", "manual_seed", "rel_error", "save",
]

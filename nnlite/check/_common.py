"""What the checkers of every chapter share: the seeded generator, the sigmoid some known mistakes use,
and the gradient check against central differences."""

import numpy as np

from ..gradcheck import rel_error
from . import _reference as ref
from ._exercise import quietly
from ._runner import SEED, Fail, as_array


def _rng():
    return np.random.default_rng(SEED)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _central(f, x, eps=1e-6):
    """d f / d x by central differences (f takes x and returns a float); x is not changed."""
    return quietly(ref.numerical_gradient, f, x, eps)


def _gradient_check(exercise, args, numeric, label="a gradient check against central differences"):
    """A check: the student's gradients agree with ``numeric`` (central differences) to 1e-6."""
    def check(student):
        got = exercise.call(student, *args)
        names = exercise.returns if isinstance(exercise.returns, tuple) else ("the gradient",)
        parts = got if isinstance(exercise.returns, tuple) else (got,)
        want = numeric if isinstance(exercise.returns, tuple) else (numeric,)
        exercise.compare(got, quietly(exercise.reference, *args), args, {}, label)   # type and shape first
        for i, (name, part, expected) in enumerate(zip(names, parts, want)):
            error = rel_error(as_array(part, np.shape(expected), name), expected)
            if error > 1e-6:
                component = i if isinstance(exercise.returns, tuple) else None
                hint = exercise.diagnose(part, args, {}, component) or exercise.hint
                raise Fail(f"{label}: {name} is off (relative error {error:.1e}).", hint)
    return check

"""One code exercise: its signature, nnlite's reference, and the mistakes a checker can recognise.

A checker builds an ``Exercise`` and a list of checks (``exercise.case(...)`` for "call it on these
arguments and compare with the reference", or a hand-written function), then hands both to ``run``.
When a result is wrong, the known mistakes are tried on the same arguments: if one of them gives exactly
what the student's function gave, its hint is the one printed.
"""

import re
import warnings

import numpy as np

from . import _runner
from ._runner import Fail, as_array, as_number, close, snapshot


def _show(value):
    """A short description of an argument: its values when small, else its shape."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=3, separator=", ").replace("\n", "")
        return f"<shape {value.shape}>"
    if isinstance(value, np.random.Generator):
        return "a Generator"
    if callable(value):
        return getattr(value, "label", "a function")
    return repr(value)


def quietly(fn, *args, **kwargs):
    """fn's result with warnings and errors hidden; None if it raises (used for mistakes and references)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*[snapshot(a) for a in args], **{k: snapshot(v) for k, v in kwargs.items()})
    except Exception:
        return None


class Exercise:
    """What a checker knows about one exercise.

    Args:
        signature: the call as the notebook writes it, e.g. "relu(x)"; the argument names come from it.
        reference: nnlite's solution (same signature).
        returns: "array", "number", "int", or a tuple of names for a function returning several arrays.
        hint: printed when the values are wrong and no known mistake matches.
        mistakes: (hint, function) pairs: a wrong solution and what to say when the student's matches it.
        shape_hint / warning_hint: what to say for a wrong shape / a numpy overflow warning.
        rtol: relative tolerance of the comparison with the reference.
    """

    def __init__(self, signature, reference, *, returns="array", hint, mistakes=(), shape_hint="",
                 warning_hint="", allow_rounding=(), rtol=1e-6):
        self.signature = signature
        self.name = signature.split("(")[0]
        inside = signature[signature.index("(") + 1:signature.rindex(")")]
        self.argnames = [re.split(r"[=\s]", a.strip())[0] for a in inside.split(",") if a.strip()]
        self.reference = reference
        self.returns, self.hint, self.mistakes = returns, hint, list(mistakes)
        self.shape_hint, self.warning_hint = shape_hint, warning_hint
        self.allow_rounding, self.rtol = allow_rounding, rtol

    # -- calling

    def call(self, student, *args, **kwargs):
        """The student's result on copies of ``args`` (a Fail for errors, time-outs, warnings, mutation)."""
        try:
            return _runner.call(student, [snapshot(a) for a in args], kwargs, argnames=self.argnames,
                                signature=self.signature, shape_hint=self.shape_hint,
                                allow_rounding=self.allow_rounding)
        except Fail as failure:
            if failure.problem.startswith("numpy warned"):
                known = failure.result is not None and self.diagnose(failure.result, args, kwargs)
                failure.hint = known or self.warning_hint or failure.hint
            raise

    def describe(self, args, kwargs):
        named = list(zip(self.argnames, args)) + list(kwargs.items())
        return ", ".join(f"{n} of shape {a.shape}" if isinstance(a, np.ndarray) and a.size > 6 else f"{n} = {_show(a)}"
                         for n, a in named)

    # -- checks

    def case(self, *args, label=None, expected=None, **kwargs):
        """A check: call the student's function on ``args`` and compare with the reference (or ``expected``)."""
        def check(student):
            got = self.call(student, *args, **kwargs)
            want = expected if expected is not None else quietly(self.reference, *args, **kwargs)
            self.compare(got, want, args, kwargs, label or self.describe(args, kwargs))
        return check

    def run(self, student, checks):
        return _runner.run(self.name, student, self.reference, checks)

    # -- comparing

    def diagnose(self, got, args, kwargs, component=None):
        """The hint of the first known mistake that reproduces ``got`` on these arguments, else None.
        A mistake that gives the right answer on these arguments says nothing, so it is skipped."""
        right = quietly(self.reference, *args, **kwargs)
        for hint, mistake in self.mistakes:
            theirs = quietly(mistake, *args, **kwargs)
            if theirs is None:
                continue
            if component is not None:
                if not isinstance(theirs, tuple) or len(theirs) <= component:
                    continue
                theirs = theirs[component]
                right_part = right[component] if isinstance(right, tuple) else None
            else:
                right_part = right
            if _equal(theirs, right_part) or not _equal(got, theirs, nan_too=True):
                continue
            return hint
        return None

    def compare(self, got, want, args, kwargs, label):
        if isinstance(self.returns, tuple):
            self._compare_tuple(got, want, args, kwargs, label)
        elif self.returns == "array":
            self._compare_one(got, want, args, kwargs, label, "the result")
        else:
            if isinstance(got, np.ndarray) and got.shape != ():
                hint = self.diagnose(got, args, kwargs)
                if hint:
                    raise Fail(f"the result for {label} has shape {got.shape}, not a single number.", hint)
            value = as_number(got, f"the result for {label}", integer=self.returns == "int")
            if not close(value, want, rtol=self.rtol):
                hint = self.diagnose(value, args, kwargs) or self.hint
                raise Fail(f"wrong result for {label}: got {value:.6g}.", hint)

    def _matches_known(self, got, want, args, kwargs, component):
        try:
            if close(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=self.rtol):
                return None
        except (TypeError, ValueError):
            return None
        return self.diagnose(got, args, kwargs, component)

    def _compare_one(self, got, want, args, kwargs, label, what, component=None):
        want = np.asarray(want)
        if isinstance(got, np.ndarray) or np.isscalar(got):
            hint = self._matches_known(got, want, args, kwargs, component)
            if hint:
                shape = np.shape(got)
                shown = f" (got {_show(np.asarray(got))})" if np.size(got) <= 6 else ""
                problem = (f"{what} has shape {shape}, but shape {want.shape} was expected"
                           if shape != want.shape else f"{what} is wrong")
                raise Fail(f"{problem} for {label}{shown}.", hint)
        array = as_array(got, want.shape, what=f"{what} (for {label})", shape_hint=self.shape_hint)
        rtol = self.rtol if array.dtype == np.float64 else max(self.rtol, 1e-4)
        if not close(array, want, rtol=rtol):
            wrong = int(np.sum(~np.isclose(array, want, rtol=rtol, atol=1e-9)))
            shown = f" (got {_show(array)})" if array.size <= 6 else ""
            raise Fail(f"{what} is wrong for {label}: {wrong} of {array.size} entries differ{shown}.", self.hint)

    def _compare_tuple(self, got, want, args, kwargs, label):
        names = self.returns
        together = "(" + ", ".join(names) + ")"
        if got is None:
            raise Fail("it returned None.", f"did you forget `return {', '.join(names)}`?")
        if not isinstance(got, (tuple, list)):
            raise Fail(f"it returned {_runner.a_kind(got)}, but {len(names)} values {together} were expected.",
                       f"return all of them, in this order: return {', '.join(names)}")
        if len(got) != len(names):
            raise Fail(f"it returned {len(got)} values, but {len(names)} were expected {together}.",
                       f"return all of them, in this order: return {', '.join(names)}")
        for i, name in enumerate(names):
            part = got[i]
            expected_shape = np.shape(want[i])
            if (isinstance(part, np.ndarray) and part.shape != expected_shape
                    and any(part.shape == np.shape(w) for j, w in enumerate(want) if j != i)):
                hint = self._matches_known(part, want[i], args, kwargs, i)
                raise Fail(f"{name} has shape {part.shape}, but {expected_shape} was expected, for {label}.",
                           hint or f"return the values in the order {together}, each with its own shape.")
            self._compare_one(part, want[i], args, kwargs, label, name, component=i)


def _equal(a, b, nan_too=False):
    """Same shape and values (tuples compared part by part); NaNs match NaNs when ``nan_too``."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(_equal(x, y, nan_too) for x, y in zip(a, b)))
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape or (nan_too and a.size and not np.isfinite(a).any()):
        return False
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=nan_too))

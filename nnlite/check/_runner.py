"""The machinery behind every checker: call the student's function safely, compare, report.

A checker is a list of checks. Each check calls the student's function through ``call`` (a time limit,
captured prints, numpy warnings recorded, inputs compared before and after) and compares what came back
with nnlite's reference. The first check that fails raises ``Fail(problem, hint)``; ``run`` turns that
into two or three lines of feedback and decides which function the notebook goes on with.
"""

import io
import os
import signal
import threading
import time
import traceback
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout

import numpy as np

TIME_LIMIT = 2.0      # seconds for one call of the student's function (Unix only: SIGALRM)
SEED = 2026           # the checkers' inputs are random, but the same on every run
FALLBACK = "Using nnlite's version so the rest of the notebook runs."


class Fail(Exception):
    """A check failed: ``problem`` says what happened, ``hint`` points at the likely mistake."""

    def __init__(self, problem, hint="", result=None):
        super().__init__(problem)
        self.problem, self.hint = problem, hint
        self.result = result        # what the function returned, when it returned at all


class NotAttempted(Exception):
    """The student's function raised NotImplementedError."""


class _Timeout(BaseException):
    """Raised by the alarm inside the student's code (a BaseException, so `except Exception` there
    does not swallow it)."""


# ----------------------------------------------------------------------------------------------
# Calling the student's function


@contextmanager
def time_limit(seconds):
    """Interrupt the block after ``seconds`` with _Timeout. Needs SIGALRM and the main thread;
    elsewhere (Windows, a worker thread) the block simply runs without a limit."""
    usable = (seconds and hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, _ = signal.getitimer(signal.ITIMER_REAL)       # someone else's alarm, if any
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:                                          # put it back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - started), 1e-3))


def snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [snapshot(v) for v in value]
    return value


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


def _where(error, fn):
    """The line of the student's own code where ``error`` was raised, if it is there."""
    code = getattr(fn, "__code__", None)
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if code is not None and f.filename == code.co_filename]
    if mine and mine[-1].line:
        return f" in `{mine[-1].line.strip()[:70]}`"
    return ""


def _first_line(text, limit=110):
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _error_hint(error, signature, shape_hint):
    message = _text(error)
    if isinstance(error, TypeError) and ("argument" in message or "positional" in message):
        return f"keep the signature {signature}: the checker calls it with exactly these arguments."
    if isinstance(error, NameError):
        return ("a name is not defined. Inside the function use only its arguments and np; "
                "and run the notebook's first cell (the imports).")
    if isinstance(error, (ValueError, IndexError)) and any(
            s in message for s in ("matmul", "broadcast", "aligned", "shape", "out of bounds", "reshape")):
        return shape_hint or "the shapes do not fit together. Print each array's .shape and compare."
    if isinstance(error, IndexError):
        return "an index is out of range: check the bounds of your loops and slices."
    if isinstance(error, FloatingPointError):
        return "a floating-point error: numpy is set to raise on overflow or division by zero (np.seterr)."
    return "run your function on a small input in a cell of its own to see where it fails."


def call(fn, args, kwargs=None, *, argnames, signature, shape_hint="", allow_rounding=()):
    """Call ``fn(*args, **kwargs)`` as the student's code, and return what it returns.

    The arguments are the caller's own arrays; after the call they are compared with a snapshot, so a
    function that changes its input fails. Prints are captured (shown only when the call fails),
    numpy warnings fail the call, and so do exceptions and a call that runs past TIME_LIMIT.
    ``allow_rounding`` names arguments that may come back changed by rounding only (a function that
    perturbs an entry and puts it back).
    """
    kwargs = kwargs or {}
    before = [snapshot(a) for a in args]
    printed = io.StringIO()
    exits = _disarm_notebook_exit(fn)
    try:
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"), \
                redirect_stdout(printed), redirect_stderr(printed):
            warnings.simplefilter("always")
            with time_limit(TIME_LIMIT):
                result = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted() from None
    except _Timeout:
        raise Fail(f"it ran for more than {TIME_LIMIT:g} s and was stopped.",
                   "is there a loop that never ends (a while loop whose condition never changes)?") from None
    except KeyboardInterrupt:
        raise Fail("it was interrupted (KeyboardInterrupt).", "run the cell again when you are ready.") from None
    except SystemExit:
        raise Fail("it called exit() / sys.exit(), which would stop the notebook.",
                   "return a value instead of exiting.") from None
    except Fail:
        raise
    except BaseException as error:      # the student's bug, reported briefly (any exception class)
        problem = f"it raised {type(error).__name__}{_where(error, fn)}: {_first_line(_text(error))}"
        raise Fail(problem, _error_hint(error, signature, shape_hint)) from None
    finally:
        output = printed.getvalue()
        _rearm_notebook_exit(fn, exits)
    for name, old, new in zip(argnames, before, args):
        if _same(old, new):
            continue
        if name in allow_rounding and isinstance(old, np.ndarray) and np.allclose(old, new, rtol=1e-12, atol=1e-12):
            continue
        raise Fail(f"it changed its input `{name}` in place.",
                   f"the caller still needs `{name}`: compute a new array (operations such as a + b or "
                   f"np.maximum return new arrays; `{name} += …`, `{name}[...] = …` and `{name} *= …` "
                   f"change the caller's array). Use `{name} = {name}.copy()` first if you need to modify it.")
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if numeric:
        message = str(numeric[0].message)
        raise Fail(f"numpy warned: \"{_first_line(message, 60)}\".", _warning_hint(message), result=result)
    return result       # anything it printed stays hidden


def _raise_system_exit(*args, **kwargs):
    raise SystemExit(args[0] if args else None)


def _disarm_notebook_exit(fn):
    """In a notebook, ``exit()`` and ``quit()`` do not raise: they ask the kernel to shut down after the
    cell. While the student's function runs, they raise SystemExit instead, which ``call`` reports."""
    namespace = getattr(fn, "__globals__", None)
    saved = {}
    if isinstance(namespace, dict):
        for name in ("exit", "quit"):
            if "ExitAutocall" in type(namespace.get(name)).__name__:
                saved[name] = namespace[name]
                namespace[name] = _raise_system_exit
    return saved


def _rearm_notebook_exit(fn, saved):
    namespace = getattr(fn, "__globals__", None)
    if isinstance(namespace, dict):
        namespace.update(saved)


def _warning_hint(message):
    if "overflow" in message:
        return "unstable for large inputs: an intermediate result overflowed (exp of a large number?)."
    if "divide" in message:
        return "a division by zero (or the log of 0): print the intermediate values."
    return ("an invalid operation (0/0, inf - inf, or the square root or log of a negative number) "
            "produced NaN: print the intermediate values.")


# ----------------------------------------------------------------------------------------------
# Comparing what came back


def a_kind(value):
    """'a numpy array', 'a list', 'an int': what kind of thing came back, for the feedback."""
    if isinstance(value, np.ndarray):
        return "a numpy array"
    name = type(value).__name__
    return ("an " if name[0] in "aeiou" else "a ") + name


def as_array(got, expected_shape, what="the result", shape_hint=""):
    """``got`` as a float array of ``expected_shape``, or Fail with a hint about what is off."""
    if got is None:
        raise Fail(f"{what} is None.", "did you forget `return`?")
    if isinstance(got, (list, tuple)):
        raise Fail(f"{what} is {a_kind(got)}, not a numpy array.",
                   "build the result with numpy operations, or wrap it: np.array(result).")
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, np.ndarray) and got.dtype == bool):
        raise Fail(f"{what} is boolean (True/False), not numbers.",
                   "a comparison such as x > 0 gives booleans: use it to select or multiply, not as the result.")
    if np.isscalar(got) and not isinstance(got, (str, bytes)) and expected_shape != ():
        raise Fail(f"{what} is a single number, but an array of shape {expected_shape} was expected.",
                   shape_hint or "did you sum or take the mean over every entry? Keep the other axes.")
    if not isinstance(got, np.ndarray):
        if expected_shape == () and isinstance(got, (int, float, np.number)):
            got = np.asarray(got)
        else:
            raise Fail(f"{what} is {a_kind(got)}, not a numpy array.", "return a numpy array.")
    if got.shape != tuple(expected_shape):
        raise Fail(f"{what} has shape {got.shape}, but shape {tuple(expected_shape)} was expected.",
                   shape_hint or "check which axes you sum over or index, and whether you transposed something.")
    if got.dtype.kind in "iu":
        raise Fail(f"{what} has integer dtype {got.dtype}, so the fractions are lost.",
                   "start from float arrays (np.zeros(shape) is float; np.zeros_like(x) copies x's dtype, "
                   "and int(...) or // round).")
    if got.dtype.kind != "f":
        raise Fail(f"{what} has dtype {got.dtype}, but floats were expected.", "return a float array.")
    if not np.all(np.isfinite(got)):
        raise Fail(f"{what} contains NaN or inf.",
                   "an overflow (exp of a large number), 0/0 or log(0) somewhere: print the intermediate values.")
    return got


def as_number(got, what="the result", integer=False):
    """``got`` as a Python float (or int), or Fail."""
    if got is None:
        raise Fail(f"{what} is None.", "did you forget `return`?")
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, (bool, np.bool_)):
        raise Fail(f"{what} is a boolean.", "return a number.")
    if isinstance(got, (list, tuple, np.ndarray)):
        shape = np.shape(got) if not isinstance(got, (list, tuple)) else f"{a_kind(got)} of length {len(got)}"
        raise Fail(f"{what} is {shape if isinstance(shape, str) else f'an array of shape {shape}'}, "
                   "but a single number was expected.",
                   "reduce it to one number (a sum or a mean over every entry), or take the element with [0] "
                   "only if there really is just one.")
    if integer:
        if isinstance(got, (int, np.integer)):
            return int(got)
        if isinstance(got, (float, np.floating)):
            raise Fail(f"{what} is a float ({got!r}), but a whole number (int) was expected.",
                       "use integer arithmetic: // rounds down, / always gives a float; or wrap with int(...) "
                       "at the end if the value is whole.")
        raise Fail(f"{what} is {a_kind(got)}, not an int.", "return an int.")
    if isinstance(got, (int, float, np.integer, np.floating)):
        value = float(got)
        if not np.isfinite(value):
            raise Fail(f"{what} is {value}.",
                       "an overflow (exp of a large number), 0/0 or log(0) somewhere: print the intermediate values.")
        return value
    raise Fail(f"{what} is {a_kind(got)}, not a number.", "return a float.")


def close(a, b, rtol=1e-6, atol=1e-9):
    try:
        return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except Exception:
        return False


# ----------------------------------------------------------------------------------------------
# Running a checker and reporting


def run(name, student, reference, checks):
    """Run ``checks`` (functions of the student's function that raise Fail) in order and report.

    Returns ``student`` if every check passes, else ``reference``. Nothing raised inside escapes: a
    problem in the checker itself is reported as such, and the notebook goes on with nnlite's version.

    Where the system can fork (Linux, macOS), the checks run in a child process: whatever the student's
    code does there (``exit()``, ``os._exit()``, a loop that swallows every exception, an allocation
    without end) ends at most the child, which is stopped after ``HARD_LIMIT`` seconds and may use
    ``MEMORY_LIMIT`` bytes more than the notebook. The child sends back its verdict; the notebook prints
    it. Elsewhere (Windows, the browser) the checks run in the notebook's own process, where only the
    per-call SIGALRM limit applies, when there is one.
    """
    if not callable(student):
        _say(f"❌ {name}: check.{name} needs your function itself, but got {a_kind(student)}.",
             f"pass the function without calling it: {name} = check.{name}({name})")
        return reference
    outcome = _isolated(name, student, checks) if _can_fork() else None
    if outcome is None:
        outcome = judge(name, student, checks)
    status, lines = outcome
    print("\n".join(lines))
    _record(name, status, lines)
    if status != "passed" and os.environ.get("NNLITE_GRADING") == "1":
        raise AssertionError(lines[0])        # an autograder (nbgrader) scores a cell that raises as 0
    return student if status == "passed" else reference


def _record(name, status, lines):
    """Append the verdict to the file NNLITE_GRADE_LOG names, if any: one JSON line per checker run.

    ``make grade`` reads verdicts from there, not from what a notebook prints (a student can print ✅)."""
    path = os.environ.get("NNLITE_GRADE_LOG")
    if not path:
        return
    import json

    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"checker": name, "status": status, "feedback": " ".join(
                line.strip() for line in lines if not line.strip().startswith(FALLBACK))}) + "\n")
    except OSError:
        pass


def judge(name, student, checks):
    """Run the checks in this process: (status, verdict lines); status is passed, failed, not attempted
    or error (the checker itself failed)."""
    passed = 0
    try:
        for check in checks:
            check(student)
            passed += 1
    except NotAttempted:
        return "not attempted", _lines(f"⏳ {name}: not attempted yet (it raises NotImplementedError).", None)
    except Fail as failure:
        return "failed", _lines(f"❌ {name}: {_text(failure.problem)}", _text(failure.hint))
    except BaseException as error:     # a bug in the checker must not stop the notebook
        return "error", _lines(f"⚠️ {name}: the checker itself failed ({type(error).__name__}: "
                               f"{_first_line(_text(error), 80)}).", "please report this; your function was not judged.")
    return "passed", _lines(f"✅ {name}: passed {passed} checks.", None, fallback=False)


def _text(value):
    """``str(value)``, even for an object whose ``__str__`` fails (a student's exception may)."""
    try:
        return str(value)
    except BaseException:
        return f"<{type(value).__name__} that cannot be shown>"


# ----------------------------------------------------------------------------------------------
# Running the checks in a child process

HARD_LIMIT = 30.0                 # seconds for all the checks of one checker, in the child
MEMORY_LIMIT = 2 * 1024 ** 3      # bytes of address space the child may add to the notebook's
ISOLATE = os.environ.get("NNLITE_CHECK_ISOLATION", "1") != "0"


def _can_fork():
    return ISOLATE and hasattr(os, "fork") and hasattr(os, "waitpid")


def _address_space():
    """The process's current virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory():
    try:
        import resource
    except ImportError:
        return
    current = _address_space()
    if current is None:
        return
    limit = current + MEMORY_LIMIT
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _isolated(name, student, checks):
    """Judge in a forked child; (status, lines), or None when no child could be started."""
    import json
    import select

    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:                                                  # the child: judge, report, vanish
        code = 0
        try:
            os.close(read_end)
            _limit_memory()
            message = json.dumps(judge(name, student, checks)).encode()
            view = memoryview(message)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:
            code = 1
        finally:
            os._exit(code)                                        # no atexit handlers, no kernel sockets
    os.close(write_end)
    chunks, deadline, timed_out = [], time.monotonic() + HARD_LIMIT, False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], min(remaining, 0.5))
            if ready:
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
    except KeyboardInterrupt:                                     # the notebook's stop button
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        return "failed", _lines(f"❌ {name}: it was interrupted (KeyboardInterrupt).",
                                "run the cell again when you are ready.")
    os.close(read_end)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return "failed", _lines(
            f"❌ {name}: it ran for more than {HARD_LIMIT:g} s and was stopped.",
            "is there a loop that never ends? A bare `except:` inside a loop also catches the time limit "
            "and the stop button: catch specific errors (except ValueError:) instead.")
    try:
        outcome = json.loads(b"".join(chunks).decode())
        return outcome[0], list(outcome[1])
    except (ValueError, IndexError, TypeError):
        pass
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        return "failed", _lines(f"❌ {name}: it crashed the process that ran it (signal {signum}).",
                                "it may use far too much memory: check the shapes of the arrays it builds.")
    return "failed", _lines(f"❌ {name}: it ended the process that ran it (exit code {os.WEXITSTATUS(status)}).",
                            "os._exit() or a similar call stops Python at once: return a value instead.")


def _lines(verdict, hint, fallback=True):
    lines = [verdict]
    if hint:
        lines.append(f"   Hint: {hint}")
    if fallback:
        lines.append(f"   {FALLBACK}")
    return lines


def _say(verdict, hint, fallback=True):
    print("\n".join(_lines(verdict, hint, fallback)))

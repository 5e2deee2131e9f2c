"""How long a student waits for a verdict: every checker on a correct answer, isolated and in-process.

    python benchmarks/checkers.py [--repeat 5]

A checker forks a child process for the student's function (nnlite/check/_runner.py) where the system
can; this measures what that costs against running the same checks in the notebook's own process, for
nnlite's own (correct) solution of every exercise. Target: under 1 s per verdict. Prints one line per
checker (median over the repetitions) and the totals.
"""

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnlite import check  # noqa: E402
from nnlite.check import _reference, _runner  # noqa: E402

TARGET_S = 1.0


def verdict_time(name, isolate):
    _runner.ISOLATE = isolate
    solution = getattr(_reference, name)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        returned = getattr(check, name)(solution)
    elapsed = time.perf_counter() - started
    if returned is not solution or not printed.getvalue().startswith("✅"):
        raise SystemExit(f"{name}: the reference solution did not pass: {printed.getvalue()}")
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rows = []
    for name in check.__all__:
        forked = statistics.median(verdict_time(name, True) for _ in range(args.repeat))
        inline = statistics.median(verdict_time(name, False) for _ in range(args.repeat))
        rows.append((name, forked, inline))
    _runner.ISOLATE = True
    print(f"{'checker':22} {'isolated (s)':>13} {'in-process (s)':>15} {'fork cost (s)':>14}")
    for name, forked, inline in rows:
        print(f"{name:22} {forked:13.3f} {inline:15.3f} {forked - inline:14.3f}")
    slowest = max(rows, key=lambda r: r[1])
    costs = sorted(f - i for _, f, i in rows)
    print(f"\nslowest verdict: {slowest[0]} {slowest[1]:.3f} s (target < {TARGET_S:g} s: "
          f"{'met' if slowest[1] < TARGET_S else 'MISSED'}); median fork cost {statistics.median(costs) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

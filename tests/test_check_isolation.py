"""Whatever a student's answer does, the checker prints a short verdict and the kernel lives on.

Runs hostile answers through ``check.relu`` in a real Jupyter kernel (jupyter_client), the way a
notebook does, and after each one asks the kernel for ``1 + 1``. Where the system can fork, the checks
run in a child process (``nnlite.check._runner``); these tests need fork (Linux, macOS).
"""

import os
import queue
import textwrap
import time

import pytest

from nnlite.check import _runner

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the isolated checker needs fork")

HARD_LIMIT = 4          # seconds: short, so the hostile loop costs the test suite little

HOSTILE = {
    "notebook exit()": "def relu(x):\n    exit()",
    "quit()": "def relu(x):\n    quit()",
    "sys.exit()": "import sys\ndef relu(x):\n    sys.exit(3)",
    "os._exit()": "import os\ndef relu(x):\n    os._exit(7)",
    "a loop that swallows the time limit": textwrap.dedent("""\
        def relu(x):
            while True:
                try:
                    sum(range(1000))
                except:
                    pass"""),
    "a memory bomb": textwrap.dedent("""\
        def relu(x):
            hoard = []
            while True:
                hoard.append(np.ones(10**7))      # 80 MB at a time, touched"""),
    "a 10 GB allocation": "def relu(x):\n    return np.ones((10**5, 10**5 // 8)) * 0 + np.maximum(0, x).sum()",
    "an exception that cannot be shown": textwrap.dedent("""\
        class Odd(BaseException):
            def __str__(self):
                raise RuntimeError("no")
        def relu(x):
            raise Odd()"""),
    "a KeyboardInterrupt of its own": "def relu(x):\n    raise KeyboardInterrupt()",
}
EXPECTED = {
    "notebook exit()": "exit()", "quit()": "exit()", "sys.exit()": "exit()", "os._exit()": "exit code 7",
    "a loop that swallows the time limit": f"more than {HARD_LIMIT} s",
    # 80 MB at a time meets the 2 GB limit (MemoryError) or, on a slow machine, the time limit first
    "a memory bomb": ("MemoryError", "was stopped"), "a 10 GB allocation": "MemoryError",
    "an exception that cannot be shown": "Odd", "a KeyboardInterrupt of its own": "interrupted",
}


@pytest.fixture(scope="module")
def kernel():
    manager_module = pytest.importorskip("jupyter_client.manager")
    km, kc = manager_module.start_new_kernel(kernel_name="python3")
    try:
        run(kc, f"import numpy as np\nfrom nnlite import check\nfrom nnlite.check import _runner\n"
                f"_runner.HARD_LIMIT = {HARD_LIMIT}")
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc, code, timeout=120):
    """Execute ``code``; returns (printed text, error name or None)."""
    msg_id = kc.execute(code)
    printed, error, deadline = [], None, time.monotonic() + timeout
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            raise AssertionError(f"no answer from the kernel within {timeout} s for:\n{code}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            error = content["ename"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed), error


@pytest.mark.parametrize("what", list(HOSTILE))
def test_hostile_answer_gets_a_short_verdict_and_the_kernel_lives(kernel, what):
    printed, error = run(kernel, HOSTILE[what] + "\n\nresult = check.relu(relu)\nprint('next line ran')")
    assert error is None, f"{what}: an exception reached the notebook: {error}\n{printed}"
    verdict = printed.split("next line ran")[0].strip().splitlines()
    assert verdict and verdict[0].startswith("❌ relu:"), f"{what}: {printed}"
    expected = EXPECTED[what] if isinstance(EXPECTED[what], tuple) else (EXPECTED[what],)
    assert any(e in "\n".join(verdict) for e in expected), f"{what}: the verdict does not say what happened:\n{printed}"
    assert len(verdict) <= 3 and "Traceback" not in printed, f"{what}: not a short verdict:\n{printed}"
    assert "next line ran" in printed
    alive, error = run(kernel, "print(1 + 1)", timeout=30)
    assert alive.strip() == "2" and error is None, f"{what}: the kernel did not survive"
    still, _ = run(kernel, "print(result is not relu, callable(result))", timeout=30)
    assert still.strip() == "True True", "the notebook goes on with nnlite's own function"


def test_a_correct_answer_passes_in_the_kernel(kernel):
    printed, error = run(kernel, "def relu(x):\n    return np.maximum(0, x)\nresult = check.relu(relu)\n"
                                 "print(result is relu)")
    assert error is None and printed.startswith("✅ relu: passed") and printed.strip().endswith("True")


def test_exit_is_put_back_after_the_check(kernel):
    printed, _ = run(kernel, "print(type(exit).__name__)")
    assert "ExitAutocall" in printed, "the notebook's own exit() is restored"


def test_without_fork_the_checks_run_in_process(monkeypatch, capsys):
    monkeypatch.setattr(_runner, "ISOLATE", False)
    import numpy as np
    from nnlite import check

    calls = []

    def relu(x):
        calls.append(os.getpid())
        return np.maximum(0, x)

    assert check.relu(relu) is relu
    assert calls and set(calls) == {os.getpid()}
    assert capsys.readouterr().out.startswith("✅ relu")


def test_with_fork_the_student_code_runs_in_a_child(capsys):
    import numpy as np
    from nnlite import check

    pids = []

    def relu(x):
        pids.append(os.getpid())          # appended in the child: the parent's list stays empty
        return np.maximum(0, x)

    assert check.relu(relu) is relu
    assert pids == [], "the student's function ran in the notebook's own process"
    assert capsys.readouterr().out.startswith("✅ relu")


def test_grading_mode_raises_after_the_verdict_and_the_log_records_it(monkeypatch, tmp_path, capsys):
    import json

    import numpy as np
    from nnlite import check

    log = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv("NNLITE_GRADE_LOG", str(log))
    assert check.relu(lambda x: np.maximum(0, x)) is not None
    monkeypatch.setenv("NNLITE_GRADING", "1")
    with pytest.raises(AssertionError, match="❌ relu"):
        check.relu(lambda x: x)
    assert "❌ relu" in capsys.readouterr().out, "the verdict is printed before the raise"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["checker"], r["status"]) for r in records] == [("relu", "passed"), ("relu", "failed")]
    assert "Hint:" in records[1]["feedback"] and "Using nnlite's version" not in records[1]["feedback"]

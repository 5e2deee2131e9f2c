"""Shared fixtures, and strict mode: with NNLITE_STRICT=1 a skipped parity or browser test fails."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("NNLITE_STRICT") == "1"
STRICT_MARKERS = ("parity", "browser")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under NNLITE_STRICT=1 turn a skip of a parity or browser test into a failure."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and any(item.get_closest_marker(m) for m in STRICT_MARKERS):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"NNLITE_STRICT=1: this {'/'.join(STRICT_MARKERS)} test must run, but it was skipped: {reason}"


@pytest.fixture(scope="session")
def built_book():
    """Build the book once per test session (warnings as errors) and return the _build/html folder."""
    result = subprocess.run([sys.executable, "-m", "tools.editions", "book"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("The book build failed (Sphinx warnings are errors):\n" + result.stdout[-6000:] + result.stderr[-3000:])
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def student_edition():
    """Build the student edition once per test session and return its _build/student/_build/html folder."""
    result = subprocess.run([sys.executable, "-m", "tools.editions", "book", "--edition", "student"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("The student edition failed to build (Sphinx warnings are errors):\n"
                    + result.stdout[-6000:] + result.stderr[-3000:])
    return ROOT / "_build" / "student" / "_build" / "html"


CHROMIUM = os.environ.get("NNLITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's, driven by Playwright) for the browser tests of a module. Not one
    per session: while Playwright's synchronous API is open, the main thread counts as running an event
    loop, and asyncio.run() in any later test would fail."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                                   "(pip install playwright; the browser is Debian's chromium)")
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

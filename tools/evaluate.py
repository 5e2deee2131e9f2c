"""The numbers a chapter's prose computes: the values of its ``{eval}`` roles, for the student notebooks.

In the book myst-nb evaluates ``{eval}`expr``` in the chapter's kernel when it reaches the role. The
student notebooks are plain Markdown, so the editions step writes the values in: it runs the full
chapter (with its solutions) cell by cell with nbclient, in a fresh kernel whose working folder is the
chapter's, and whenever it reaches a markdown cell (or a code cell whose figure caption holds
``{eval}``, after that cell) it evaluates the expressions there before running the next code cell. So
each role gets the value at its own point of the chapter, as in the book. The value is the
``text/plain`` form of the result, without the quotes of a string, as myst-nb shows it.

Results are cached per chapter in ``_build/.eval_cache/<key>.json``, the key a hash of what decides them:
the code cells up to the last ``{eval}``, where the expressions sit among them, and nnlite's source
(:func:`tools.editions.library_fingerprint`). Several chapters are evaluated in parallel, one kernel
each.
"""

import asyncio
import copy
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

from tools import markdown

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path("_build") / ".eval_cache"           # relative to the book's root
_QUOTED = re.compile(r"^([\"']).*\1$")            # myst-nb strips these quotes from a text/plain value
ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


class EvalError(RuntimeError):
    """A chapter's ``{eval}`` could not be computed; the message names the chapter, cell and expression."""


def _nnlite_root():
    """The folder holding the nnlite that a kernel imports (its source decides the values)."""
    spec = importlib.util.find_spec("nnlite")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).resolve().parent.parent


def cache_key(nb, points):
    """A hash of everything that decides a chapter's ``{eval}`` values."""
    from tools.editions import library_fingerprint

    where = dict(points)
    last = max(where, default=-1)
    sequence = []
    for index, cell in enumerate(nb.cells[:last + 1]):
        if cell.cell_type == "code":
            tags = sorted(t for t in cell.metadata.get("tags", []) if t in ("raises-exception", "skip-execution"))
            sequence.append(["code", cell.source, tags])
        if index in where:
            sequence.append(["eval", where[index]])
    library = _nnlite_root()
    payload = {"cells": sequence, "kernel": _kernel_name(nb), "python": sys.version.split()[0],
               "library": library_fingerprint(library) if library else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _kernel_name(nb):
    return (nb.metadata.get("kernelspec") or {}).get("name") or "python3"


def _text(data):
    """A value as myst-nb writes it inline from text/plain: a string's quotes stripped."""
    text = data.get("text/plain", "")
    return text[1:-1] if _QUOTED.match(text) else text


async def _evaluate(nb, points, name, cwd, timeout):
    """Run ``nb`` and evaluate each point's expressions when reached: [[value, ...], ...] like ``points``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(nb)
    where = dict(points)
    last = max(where, default=-1)
    client = NotebookClient(nb, timeout=timeout, kernel_name=_kernel_name(nb), allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    results = {}
    # The kernel's own log (start-up notices, "KeyboardInterrupt caught" when it is shut down) goes to a
    # file, shown only if the kernel dies.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        async with client.async_setup_kernel(env={**os.environ, **ENV}, stderr=log):
            for index, cell in enumerate(nb.cells[:last + 1]):
                if cell.cell_type == "code":
                    try:
                        await client.async_execute_cell(cell, index)
                    except CellExecutionError as error:
                        raise EvalError(f"{name}, cell {index} failed while computing the chapter's {{eval}} "
                                        f"values: {error.ename}: {error.evalue}") from None
                    except (CellTimeoutError, DeadKernelError) as error:
                        log.seek(0)
                        tail = "\n".join(log.read().rstrip().splitlines()[-20:])
                        raise EvalError(f"{name}, cell {index} failed while computing the chapter's {{eval}} "
                                        f"values: {error}" + (f"\nThe kernel's log:\n{tail}" if tail else "")) from None
                if index in where:
                    results[index] = await _expressions(client, where[index], name, index, timeout)
    return [results[index] for index, _ in points]


async def _expressions(client, expressions, name, index, timeout):
    """The values of ``expressions`` in the kernel's current state (an execute request's
    user_expressions: nothing runs, nothing is counted or printed)."""
    keys = {f"e{k}": expression for k, expression in enumerate(expressions)}
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions=keys)
    reply = await client.async_wait_for_reply(msg_id)
    if reply is None:
        raise EvalError(f"{name}, cell {index}: the kernel did not answer within {timeout} s.")
    found = reply["content"].get("user_expressions", {})
    values = []
    for key, expression in keys.items():
        result = found.get(key, {"status": "error", "ename": "Error", "evalue": "no result"})
        if result.get("status") != "ok":
            raise EvalError(f"{name}, cell {index}: {{eval}}`{expression}` failed: "
                            f"{result.get('ename', 'Error')}: {result.get('evalue', '')}")
        values.append(_text(result.get("data", {})))
    return values


def _run(coroutine):
    """Run a coroutine to completion, also from code that already runs an event loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    result = {}

    def target():
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:            # re-raised in the caller's thread
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def default_timeout(root=ROOT):
    """Seconds one cell may run: the book's ``execute.timeout`` (180 when it sets none)."""
    import yaml

    path = Path(root) / "_config.yml"
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
    return int((config.get("execute") or {}).get("timeout") or 180)


def evaluate_chapters(chapters, root=ROOT, jobs=None, timeout=None, progress=None):
    """The ``{eval}`` values of several chapters, computed in parallel where not cached.

    ``chapters``: a list of (notebook, name, working folder). Returns one dict per chapter,
    {(cell index, expression): text}, for :func:`tools.markdown.convert_notebook`.
    """
    cache = Path(root) / CACHE
    timeout = timeout or default_timeout(root)
    jobs = max(1, jobs or os.cpu_count() or 1)
    points = [markdown.eval_points(nb, name) for nb, name, _ in chapters]
    answers, todo = [[] for _ in chapters], []
    for i, (nb, name, cwd) in enumerate(chapters):
        if not points[i]:
            continue
        key = cache_key(nb, points[i])
        stored = _read_cache(cache, key)
        if stored is not None and [len(v) for v in stored] == [len(e) for _, e in points[i]]:
            answers[i] = stored
        else:
            todo.append((i, key))

    if todo:
        if progress:
            progress(f"Evaluating the {{eval}} values of {len(todo)} chapter(s), {min(jobs, len(todo))} at a time ...")

        async def all_chapters():
            limit = asyncio.Semaphore(jobs)

            async def one(i):
                nb, name, cwd = chapters[i]
                async with limit:
                    return await _evaluate(nb, points[i], name, cwd, timeout)

            # A chapter that fails does not stop the others: their values are cached for the next run.
            return await asyncio.gather(*(one(i) for i, _ in todo), return_exceptions=True)

        errors = []
        for (i, key), values in zip(todo, _run(all_chapters())):
            if isinstance(values, BaseException):
                errors.append(values)
            else:
                answers[i] = values
                _write_cache(cache, key, values, Path(chapters[i][1]).stem)
        if errors:
            raise errors[0]

    return [{(index, expression): value for (index, expressions), row in zip(where, values)
             for expression, value in zip(expressions, row)} for where, values in zip(points, answers)]


def chapter_values(nb, name="a notebook", cwd=None, root=ROOT, timeout=None):
    """The ``{eval}`` values of one notebook: {(cell index, expression): text} (cached)."""
    if cwd is None:
        cwd = Path(root) / "chapters" if (Path(root) / "chapters").is_dir() else Path(root)
    return evaluate_chapters([(nb, name, cwd)], root, jobs=1, timeout=timeout)[0]


def _read_cache(cache, key):
    try:
        stored = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored.get("values") if stored.get("key") == key else None


def _write_cache(cache, key, values, chapter):
    """Store a chapter's values under their key, and drop the chapter's older entries."""
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("*.json"):
        try:
            if old.stem != key and json.loads(old.read_text(encoding="utf-8")).get("chapter") == chapter:
                old.unlink()
        except (OSError, ValueError):
            continue
    temporary = cache / f".{key}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps({"chapter": chapter, "key": key, "values": values}, ensure_ascii=False,
                                    indent=1), encoding="utf-8")
    os.replace(temporary, cache / f"{key}.json")

"""The clean build of the book, timed, and the size of every built chapter page (HTML + its images).

"Clean" means no jupyter-cache: the course is copied into a temporary folder without ``_build``, so every
notebook executes, as on a fresh checkout. The repository itself is not touched.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "_build", "student", "benchmarks", "__pycache__",
                                  ".pytest_cache", ".ipynb_checkpoints", "*.egg-info", ".jupyter_cache")
ASSET = re.compile(r"""<(?:img|object|embed|source)\b[^>]*?\b(?:src|data)=["']([^"'#?]+)""", re.IGNORECASE)


def page_sizes(html_dir):
    """{page: {"html_kb", "images_kb", "images", "total_kb"}} for every chapters/*.html."""
    sizes = {}
    for page in sorted((html_dir / "chapters").glob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        assets = set()
        for src in ASSET.findall(text):
            if src.startswith(("data:", "http:", "https:", "//")):
                continue                                  # inline data is counted in the HTML itself
            path = (page.parent / src).resolve()
            if path.is_file():
                assets.add(path)
        html_kb = page.stat().st_size / 1024
        images_kb = sum(p.stat().st_size for p in assets) / 1024
        sizes[page.stem] = {"html_kb": html_kb, "images_kb": images_kb, "images": len(assets),
                            "total_kb": html_kb + images_kb}
    return sizes


def run(keep=False):
    """Copy the course to a temporary folder, build it there from scratch, and measure."""
    work = Path(tempfile.mkdtemp(prefix="nnlite-book-"))
    try:
        course = work / "course"
        shutil.copytree(ROOT, course, ignore=LEFT_OUT)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nnlite.editions", "book"], cwd=course,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        html_dir = course / "_build" / "html"
        result = {"seconds": seconds, "returncode": proc.returncode, "pages": page_sizes(html_dir)
                  if html_dir.is_dir() else {}}
        if proc.returncode != 0:
            result["log_tail"] = (proc.stdout + proc.stderr)[-3000:]
        return result
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

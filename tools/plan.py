"""Course plans for the instructor guide: the chapters spread over a term, built from their own times,
prerequisites and points.

Chapters stay in reading order (every prerequisite is an earlier chapter: ``prerequisites_in_order``
checks it), and a plan of ``weeks`` weeks cuts that order into that many runs of chapters so that the
busiest week is as light as it can be.
"""

import re

MINUTES = re.compile(r"(\d+)\s*min")


def minutes(chapter):
    """A chapter's estimated time in minutes (from "**Estimated time:** 45 minutes"), or 0."""
    match = MINUTES.search(chapter["time"] or "")
    return int(match.group(1)) if match else 0


def prerequisite_numbers(chapter):
    """The chapter numbers a chapter's prerequisites name ("chapters 1 and 2", {doc} links)."""
    text = chapter["prerequisites"] or ""
    numbers = {int(n) for n in re.findall(r"\b(\d\d)_\w+", text)}
    for phrase in re.findall(r"[Cc]hapters?\s+([\d,\s]+(?:and\s+\d+)?)", text):
        numbers.update(int(n) for n in re.findall(r"\d+", phrase))
    return numbers


def prerequisites_in_order(overviews):
    """[(chapter number, prerequisite number)] of every prerequisite that is not an earlier chapter."""
    wrong = []
    for number, chapter in enumerate(overviews, start=1):
        wrong += [(number, p) for p in sorted(prerequisite_numbers(chapter)) if p >= number]
    return wrong


def split(times, weeks):
    """Cut ``times`` (in order) into ``weeks`` non-empty runs minimising the largest run's sum;
    returns the runs as lists of indices."""
    n = len(times)
    weeks = max(1, min(weeks, n))
    prefix = [0]
    for t in times:
        prefix.append(prefix[-1] + t)
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(weeks + 1)]     # best[k][i]: first i chapters in k weeks
    cut = [[0] * (n + 1) for _ in range(weeks + 1)]
    best[0][0] = 0
    for k in range(1, weeks + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                cost = max(best[k - 1][j], prefix[i] - prefix[j])
                if cost < best[k][i] or (cost == best[k][i] and j > cut[k][i]):
                    best[k][i], cut[k][i] = cost, j
    runs, i = [], n
    for k in range(weeks, 0, -1):
        j = cut[k][i]
        runs.append(list(range(j, i)))
        i = j
    return runs[::-1]


def plan_table(overviews, weeks):
    """A markdown table: week, chapters, minutes of reading and exercises, points of checked exercises."""
    times = [minutes(c) for c in overviews]
    lines = ["| Week | Chapters | Reading and exercises | Checked points |", "|---|---|---|---|"]
    for week, run in enumerate(split(times, weeks), start=1):
        names = "; ".join(overviews[i]["title"] for i in run)
        points = sum(e["points"] or 0 for i in run for e in overviews[i]["exercises"] if e["kind"] == "code")
        lines.append(f"| {week} | {names} | {sum(times[i] for i in run)} min | {points} |")
    return "\n".join(lines)

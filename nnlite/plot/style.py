"""The course's figure style, shared by every figure: one colour-blind-safe palette (Okabe & Ito), the
settings ``use_style`` applies, and the new figures every other module draws on.

The helpers return a Figure that pyplot no longer tracks (closed right after it is made): a notebook
shows it once, when it is displayed or glued, never a second time at the end of the cell.
"""

import matplotlib as mpl
import numpy as np
import matplotlib.pyplot as plt

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
# For many lines on one axis: orange and vermillion are hard to tell apart side by side, so they are not neighbours.
DISTINCT = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky", "vermillion", "black", "yellow")]

# Never colour alone: the k-th series of a figure has the k-th colour, line style and marker, so lines
# stay apart in grey, in print and for every colour-vision deficiency.
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (8, 2)), (0, (1, 1)), (0, (3, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
STYLE_CYCLE = (mpl.cycler(color=PALETTE) + mpl.cycler(linestyle=LINESTYLES) + mpl.cycler(marker=MARKERS))
# The book's text column is 672 px wide; figures are saved at 100 dpi. A wider figure is scaled down on
# the page, and its tick labels with it (a 10-inch, two-panel figure had 7 px labels).
PAGE_WIDTH = 6.7


def series_style(k, n_points=None, colours=None):
    """Keyword arguments for ``ax.plot`` of the k-th series: its colour, line style and marker (markers
    about every eighth point on long series, so they mark the line without hiding it).

    Args:
        k: the series' index, 0 for the first.
        n_points: the series' length, to space its markers (default None: a marker on every point).
        colours: the palette to cycle (default ``PALETTE``).

    Example:
        >>> ax.plot(x, y, label="Adam", **series_style(1, len(x)))
    """
    colours = colours or PALETTE
    style = {"color": colours[k % len(colours)], "linestyle": LINESTYLES[k % len(LINESTYLES)],
             "marker": MARKERS[k % len(MARKERS)], "markersize": 5}
    if n_points and n_points > 12:
        style["markevery"] = (k % 4 * max(1, n_points // 32), max(1, n_points // 8))   # staggered per series
    return style


def label_line_ends(ax, lines=None, fontsize=9):
    """Write each line's label at its right end, in its colour (a direct label, read where the eye is,
    instead of a legend across the figure). Labels that would overlap are moved apart vertically.

    Args:
        ax: the matplotlib Axes.
        lines: the lines to label (default: every labelled line of ``ax``).
        fontsize: the labels' size in points (default 9).

    Returns:
        the Text objects written.
    """
    lines = [ln for ln in (lines if lines is not None else ax.get_lines())
             if not ln.get_label().startswith("_") and len(ln.get_xdata())]
    if not lines:
        return []
    y0, y1 = ax.get_ylim()
    if ax.get_yscale() == "log":
        y0, y1 = np.log10(y0), np.log10(y1)
    where = lambda v: ((np.log10(v) if ax.get_yscale() == "log" else v) - y0) / (y1 - y0)   # axes fraction
    ends = sorted((float(where(ln.get_ydata()[-1])), k, ln) for k, ln in enumerate(lines))
    texts, last, gap = [], None, 0.07
    for y, _, ln in ends:
        if last is not None and y - last < gap:
            y = last + gap
        last = y
        texts.append(ax.annotate(ln.get_label(), xy=(ln.get_xdata()[-1], y), xycoords=("data", "axes fraction"),
                                 xytext=(6, 0), textcoords="offset points", color=ln.get_color(),
                                 fontsize=fontsize, va="center", annotation_clip=False))
    return texts


def page_width(figsize, panels=2):
    """A figure size whose width fits the book's text column when a figure has several panels side by
    side, so that its labels are shown at their size. One-panel figures keep theirs.

    Args:
        figsize: (width, height) in inches, as matplotlib takes it.
        panels: panels side by side (default 2).

    Returns:
        (width, height), the width at most the column's.
    """
    width, height = figsize
    if panels >= 2 and width > PAGE_WIDTH:
        return (PAGE_WIDTH, height)
    return (width, height)


def use_style():
    """Set the course's figure style: palette, sizes, a white background that reads in dark themes too."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "figure.figsize": (6.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.frameon": False,
        "image.cmap": "cividis",
    })
    return plt


def subplots(nrows=1, ncols=1, **kwargs):
    """``plt.subplots``, with the figure released by pyplot.

    A notebook then shows the figure once, where a cell ends with it (``fig`` as the last line), and
    the book captions that output; pyplot would show a figure it still holds a second time. Several
    panels side by side fit the book's text column (``page_width``), so their tick labels stay readable.

    Returns:
        (Figure, Axes or array of Axes), as ``plt.subplots``.
    """
    if kwargs.get("figsize") is not None:
        kwargs["figsize"] = page_width(kwargs["figsize"], ncols)
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)
    return fig, axes


def _axes(ax, figsize=None):
    """The given Axes, or a new figure's Axes (the figure released by pyplot)."""
    if ax is None:
        fig, ax = subplots(figsize=figsize)
    return ax


def _new_figure(figsize):
    """A Figure made through pyplot (so notebooks know how to show it), then released by pyplot."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    plt.close(fig)
    return fig


def _figure_and_axes(ax, figsize):
    """Use the caller's Axes, or make a new Figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(figsize)
    return fig, fig.add_subplot()

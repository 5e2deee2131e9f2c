"""The course's figure style, shared by every figure: one colour-blind-safe palette (Okabe & Ito), the
settings ``use_style`` applies, and the new figures every other module draws on.

The helpers return a Figure that pyplot no longer tracks (closed right after it is made): a notebook
shows it once, when it is displayed or glued, never a second time at the end of the cell.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
# For many lines on one axis: orange and vermillion are hard to tell apart side by side, so they are not neighbours.
DISTINCT = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple", "sky", "vermillion", "black", "yellow")]


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
    the book captions that output; pyplot would show a figure it still holds a second time.

    Returns:
        (Figure, Axes or array of Axes), as ``plt.subplots``.
    """
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

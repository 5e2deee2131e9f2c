"""Figures of convolution (chapter 7): a kernel sliding along a signal, filters and the feature maps they
make, small images side by side."""

import numpy as np

from .style import PALETTE, _new_figure


def sliding_kernel(x, w, positions=(0, 4, 8), title="A kernel sliding along a signal"):
    """A 1-D kernel ``w`` at a few ``positions`` of a signal ``x`` (top) and the output it makes (bottom).

    Output t is y[t] = sum_j w[j] * x[t + j] (stride 1, no padding), drawn under the centre of its window;
    the windows at ``positions`` and their outputs share a colour.

    Returns:
        matplotlib Figure with two Axes (signal, output) sharing the x axis.
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    k = len(w)
    y = np.array([x[t:t + k] @ w for t in range(len(x) - k + 1)])
    fig = _new_figure((7.0, 4.4))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.bar(np.arange(len(x)), x, color="0.75", width=0.6)
    centres = np.arange(len(y)) + (k - 1) / 2
    bottom.bar(centres, y, color="0.75", width=0.6)
    for colour, t in zip(PALETTE[:len(positions)], positions):
        top.axvspan(t - 0.45, t + k - 0.55, color=colour, alpha=0.2)
        top.bar(np.arange(t, t + k), x[t:t + k], color=colour, width=0.6)
        top.text(t + (k - 1) / 2, x.max() * 1.08 + 0.05,
                 f"t = {t}", ha="center", fontsize=9, color=colour)
        bottom.bar([centres[t]], [y[t]], color=colour, width=0.6)
    weights = ", ".join(f"{v:g}" for v in w)
    top.set(title=f"{title}: kernel w = [{weights}]", ylabel="input $x$")
    top.set_ylim(min(0, x.min()) * 1.15 - 0.05, x.max() * 1.25 + 0.1)
    bottom.set(xlabel="position along the signal", ylabel="output $y$")
    bottom.axhline(0, color="0.3", lw=0.8)
    return fig


def feature_maps(images, maps, kernels, kernel_names=None, title="Filters as feature detectors"):
    """Input images (top row) and, one row per kernel, the feature maps that kernel makes of them.

    Args:
        images: (n, h, w) inputs.
        maps: (n, K, h', w') outputs of a convolution with K kernels.
        kernels: (K, kh, kw), drawn at the start of each row.
        kernel_names: K labels (default kernel 0, kernel 1, ...).

    Signed values (kernels, maps) use a diverging colour map centred on 0, one scale per row: orange is
    positive, purple negative.
    """
    images, maps, kernels = (np.asarray(a, dtype=float) for a in (images, maps, kernels))
    n, K = len(images), len(kernels)
    names = kernel_names or [f"kernel {k}" for k in range(K)]
    fig = _new_figure((1.3 * (n + 1) + 0.2, 1.35 * (K + 1) + 0.5))
    axes = fig.subplots(K + 1, n + 1, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(True)
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, "input", ha="center", va="center", fontsize=10)
    for i in range(n):
        axes[0, i + 1].imshow(images[i], cmap="gray_r")
    for k in range(K):
        limit = float(np.abs(kernels[k]).max()) or 1.0
        axes[k + 1, 0].imshow(kernels[k], cmap="PuOr_r", vmin=-limit, vmax=limit)
        axes[k + 1, 0].set_ylabel(names[k], fontsize=9)
        limit = float(np.abs(maps[:, k]).max()) or 1.0
        for i in range(n):
            axes[k + 1, i + 1].imshow(maps[i, k], cmap="PuOr_r", vmin=-limit, vmax=limit)
    fig.suptitle(title)
    return fig


def image_grid(images, titles=None, columns=8, title="", cmap="gray_r", symmetric=False, colorbar=False,
               size=1.2):
    """Small images side by side, e.g. digits, convolution filters or feature maps; returns the Figure.

    Args:
        images: (n, h, w) values (or anything that reshapes to it, e.g. a kernel (out, 1, kh, kw)).
        titles: n short titles.
        columns: images per row.
        title: the figure's title.
        cmap: colour map.
        symmetric: one colour scale centred on 0 for every image (filters, whose sign matters; a
            diverging colour-blind-safe map is used).
        colorbar: add a shared colour bar.
        size: inches per image.
    """
    images = np.asarray(images, dtype=float)
    images = images.reshape((-1,) + images.shape[-2:])
    n = len(images)
    columns = min(columns, n)
    rows = int(np.ceil(n / columns))
    fig = _new_figure((size * columns + (0.8 if colorbar else 0.2), size * rows + 0.6))
    axes = fig.subplots(rows, columns, squeeze=False)
    if symmetric:
        limit = float(np.abs(images).max()) or 1.0
        cmap, vmin, vmax = "PuOr_r", -limit, limit
    else:
        vmin, vmax = float(images.min()), float(images.max())
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for i, (ax, image) in enumerate(zip(axes.ravel(), images)):
        shown = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(True)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=9)
    if colorbar:
        fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8)
    fig.suptitle(title)
    return fig

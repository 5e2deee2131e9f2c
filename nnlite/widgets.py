"""Interactive figures for the chapters: live in Jupyter, and still alive in the rendered book.

Example::

    from nnlite import widgets
    widgets.bias_shift()

A page of the rendered book has no kernel, so a Python callback cannot redraw a figure there. Each
widget therefore draws its figure in advance for every value of the controls that carry the lesson
(the *frames*), puts the frames into nested ``ipywidgets.Stack`` containers and links each slider to a
Stack's ``selected_index`` with ``ipywidgets.jslink``. The browser does the switching, with or without
a kernel. Controls that would multiply the frames beyond a page's budget work only with a running
kernel and say so next to them; on the book's pages they are disabled, with the reason beside them
(``book/_ext/static/widgets-offline.js``, loaded only there). With a kernel, every control redraws the
figure from Python.

Each control is named as in the widget's ``responsive`` and ``live`` dicts (a keyword of its figure):

=========================  =======  ==========================================  ==============================
widget                     chapter  respond in the book (frames)                need a kernel (disabled in the
                                                                                book, with the reason)
=========================  =======  ==========================================  ==============================
``neuron_explorer()``      1        w3, bias (10 x 14 = 140)                    w1, w2, x1, x2, x3, activation
``bias_shift()``           2        activation, weight, bias (3 x 5 x 9 = 135)  (none)
``activation_explorer()``  3        activation, z (5 x 21 = 105)                (none)
``training_playground()``  6        optimizer, lr, snapshot (3 x 3 x 11 = 99)   dataset, hidden
``attention_explorer()``   10       query, temperature (8 x 11 = 88)            (none)
=========================  =======  ==========================================  ==============================

Budget: at most ``MAX_FRAMES`` frames a widget; a frame is a palette PNG of 6-12 KB, so a page carries
1-3 MB of saved widget state. A frame takes 10-30 ms to draw: each figure is built once and
only its moving parts are redrawn (``Painter``).
"""

import base64
import io
import itertools
import time

import ipywidgets as ipw
import matplotlib as mpl
import numpy as np
from ipywidgets.widgets.widget_string import HTMLStyle
from matplotlib.figure import Figure
from PIL import Image

from . import functional as F
from . import plot
from .errors import NNLiteError

MAX_FRAMES = 150
# CSS classes on the controls, read by the rendered book's book/_ext/static/widgets-offline.js: on a page
# with no kernel it disables every LIVE_CLASS control and replaces the text of its KERNEL_NOTE_CLASS label
# with the reason, so a reader never moves a control that does nothing.
RESPONSIVE_CLASS = "nnlite-responsive"
LIVE_CLASS = "nnlite-live"
KERNEL_NOTE_CLASS = "nnlite-kernel-note"
DPI = 96
PNG_COLOURS = 96          # frames are palette PNGs: a few colours per line keep them small

# name -> (label, f, f'); LeakyReLU with nl.LeakyReLU's slope, 0.01, as chapter 3 teaches it.
ACTIVATIONS = {
    "sigmoid": ("Sigmoid", F.sigmoid, F.sigmoid_grad),
    "tanh": ("Tanh", F.tanh, F.tanh_grad),
    "relu": ("ReLU", F.relu, F.relu_grad),
    "leaky_relu": ("LeakyReLU (slope 0.01)", F.leaky_relu, F.leaky_relu_grad),
    "gelu": ("GELU (tanh form)", F.gelu, F.gelu_grad),
}
SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "gelu": "GELU"}


def fnum(value, spec="g"):
    """``format(value, spec)`` without a negative zero: ``fnum(-2.2e-16, ".2f")`` is ``"0.00"``, not
    ``"-0.00"``, and ``fnum(-0.0)`` is ``"0"``. A value that rounds to zero is shown as zero."""
    text = format(value, spec)
    if text.startswith("-") and np.isfinite(value) and not any(c in "123456789" for c in text.split("e")[0]):
        return format(0.0, spec)
    return text


# ----------------------------------------------------------------------------------------------------
# Frames: a figure drawn once, then updated and rendered to PNG bytes for every setting
# ----------------------------------------------------------------------------------------------------

def to_png(rgba, colours=PNG_COLOURS):
    """PNG bytes of an (H, W, 4) uint8 image, reduced to a palette of ``colours`` colours."""
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    out = io.BytesIO()
    image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


class Painter:
    """A figure of ``width`` x ``height`` pixels in the course style, built once and redrawn per frame.

    Subclasses build their artists in ``build()`` and implement ``update(**params) -> alt_text``;
    calling the painter returns ``(png_bytes, alt_text)``. Text (ticks, labels) is most of the cost of a
    frame, so what does not move is drawn once per ``background_key(**params)`` and kept as a bitmap;
    each frame then draws only the ``moving`` artists on top (blitting). No pyplot: nothing pops up.
    """

    width, height = 432, 270

    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        with mpl.rc_context():
            plot.use_style()
            self.fig = Figure(figsize=(self.width / DPI, self.height / DPI), dpi=DPI)
            self.canvas = FigureCanvasAgg(self.fig)
            self.build()
        self.backgrounds = {}

    def build(self):
        raise NotImplementedError

    def update(self, **params):
        raise NotImplementedError

    def background_key(self, **params):
        """Frames with equal keys share everything but the ``moving`` artists."""
        return None

    def moving(self):
        """The artists that change between frames with the same background key, in drawing order."""
        return []

    def _draw_background(self, key, moving):
        """Draw everything but the moving artists and keep the bitmap. Titles are made transparent
        rather than invisible, so that matplotlib still places them where they will be drawn."""
        from matplotlib.text import Annotation, Text
        texts = [a for a in moving if isinstance(a, Text) and not isinstance(a, Annotation)]
        others = [a for a in moving if a not in texts]
        alphas = [t.get_alpha() for t in texts]
        visible = [a.get_visible() for a in others]
        for t in texts:
            t.set_alpha(0)
        for a in others:
            a.set_visible(False)
        self.canvas.draw()
        self.backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
        for t, alpha in zip(texts, alphas):
            t.set_alpha(alpha)
        for a, shown in zip(others, visible):
            a.set_visible(shown)

    def __call__(self, **params):
        with mpl.rc_context():
            plot.use_style()
            alt = self.update(**params)
            key = self.background_key(**params)
            moving = self.moving()
            if key not in self.backgrounds:
                self._draw_background(key, moving)
            self.canvas.restore_region(self.backgrounds[key])
            renderer = self.canvas.get_renderer()
            for artist in moving:
                artist.draw(renderer)
            return to_png(np.asarray(self.canvas.buffer_rgba())), alt


def frame_html(png, alt):
    """One frame as HTML: an <img> with alt text, the PNG inlined as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    alt = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<img class="nnlite-frame" src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


# ----------------------------------------------------------------------------------------------------
# The widget: controls, precomputed frames in nested Stacks, and a live view for a kernel
# ----------------------------------------------------------------------------------------------------

class FrameWidget(ipw.VBox):
    """A figure driven by controls, with precomputed frames for the controls that carry the lesson.

    Args:
        title: shown above the controls.
        draw: ``draw(**params) -> (png_bytes, alt_text)`` for one setting of every control.
        responsive: list of ``(name, control)``; each control is a SelectionSlider or ToggleButtons
            whose ``index`` picks a frame in the browser (with or without a kernel).
        live: list of ``(name, control)`` that redraw only with a running kernel; labelled as such, and
            disabled with the reason on the book's pages (class ``LIVE_CLASS``, see widgets-offline.js).
        note: a line of help under the controls.

    Attributes:
        frames: dict mapping a tuple of indices into the responsive controls' options to a frame (HTML).
        frame_bytes: total size of the PNG frames in bytes.
        seconds: time taken to draw all frames.
        view: the outer Stack; stacks[level] lists the Stacks the level-th responsive control switches,
            links the jslinks that do it in the browser.
        live_view: the HTML a kernel draws into once a live-only control has left its starting value.
    """

    def __init__(self, title, draw, responsive, live=(), note=""):
        self.draw = draw
        self.responsive = dict(responsive)
        self.live = dict(live)
        self._defaults = {name: c.value for name, c in self.live.items()}
        sizes = [len(c.options) for c in self.responsive.values()]
        n_frames = int(np.prod(sizes))
        if n_frames > MAX_FRAMES:
            raise NNLiteError(f"FrameWidget {title!r}: {n_frames} frames exceed the budget of {MAX_FRAMES}. "
                              "Use fewer values for the responsive controls, or make one of them live-only.")
        start = time.perf_counter()
        self.frames = {}
        self.frame_bytes = 0
        for index in itertools.product(*(range(n) for n in sizes)):
            png, alt = draw(**self._params(index))
            self.frames[index] = frame_html(png, alt)
            self.frame_bytes += len(png)
        self.seconds = time.perf_counter() - start

        self.stacks = [[] for _ in sizes]        # stacks[level]: every Stack switched by that control
        # One Layout and one style shared by all frames and Stacks: each widget would otherwise bring
        # two models of its own into the saved state (about a quarter of a page's size).
        self._shared = {"frame_layout": ipw.Layout(), "frame_style": HTMLStyle(), "stack_layout": ipw.Layout()}
        self.view = self._nest(())
        self.links = [ipw.jslink((control, "index"), (stack, "selected_index"))
                      for level, control in enumerate(self.responsive.values()) for stack in self.stacks[level]]

        self.live_view = ipw.HTML()
        self._live_mode = False
        for control in list(self.responsive.values()) + list(self.live.values()):
            control.observe(self._redraw, names="value")

        for control in self.responsive.values():
            control.add_class(RESPONSIVE_CLASS)
        for control in self.live.values():
            control.add_class(LIVE_CLASS)
        rows = [ipw.HTML(f"<b>{title}</b>")]
        rows += [_row(c) for c in self.responsive.values()]
        # The note beside a live-only control stays empty in a notebook, where a kernel runs it; the
        # book's pages (no kernel) write the reason into it and disable the control.
        rows += [ipw.HBox([c, ipw.Label("").add_class(KERNEL_NOTE_CLASS)]) for c in self.live.values()]
        if note:
            rows.append(ipw.HTML(f'<span style="font-size:90%">{note}</span>'))
        self.controls = ipw.VBox(rows)
        super().__init__([self.controls, self.view])
        self.add_class("nnlite-widget")

    @property
    def n_frames(self):
        return len(self.frames)

    def _params(self, index):
        params = {name: c.options[i][1] if isinstance(c.options[i], tuple) else c.options[i]
                  for (name, c), i in zip(self.responsive.items(), index)}
        params.update(self._defaults)
        return params

    def _nest(self, prefix):
        level = len(prefix)
        controls = list(self.responsive.values())
        if level == len(controls):
            return ipw.HTML(self.frames[prefix], layout=self._shared["frame_layout"],
                            style=self._shared["frame_style"])
        control = controls[level]
        stack = ipw.Stack([self._nest(prefix + (i,)) for i in range(len(control.options))],
                          selected_index=control.index, layout=self._shared["stack_layout"])
        self.stacks[level].append(stack)
        return stack

    def current(self):
        """The values of every control, as keyword arguments of ``draw``."""
        params = {name: c.value for name, c in self.responsive.items()}
        params.update({name: c.value for name, c in self.live.items()})
        return params

    def _redraw(self, change=None):
        """With a kernel: once a live-only control leaves its default, draw every frame from Python."""
        if not self._live_mode and all(c.value == self._defaults[n] for n, c in self.live.items()):
            return                                   # the precomputed frames are right
        png, alt = self.draw(**self.current())
        self.live_view.value = frame_html(png, alt)
        if not self._live_mode:
            self._live_mode = True
            self.children = [self.controls, self.live_view]


DESCRIPTION_WIDTH = "110px"


def _row(control):
    """ToggleButtons put their description on a line of its own; show it beside them, as sliders do."""
    if not isinstance(control, ipw.ToggleButtons) or not control.description:
        return control
    # class nnlite-row-label: the book's widgets-offline.js names the button group by this label
    label = ipw.HTML(f'<div class="nnlite-row-label" style="text-align:right; padding-right:8px">'
                     f'{control.description}</div>',
                     layout=ipw.Layout(width=DESCRIPTION_WIDTH, min_width=DESCRIPTION_WIDTH))
    control.description = ""
    return ipw.HBox([label, control])


def _tooltip(control, change=None):
    """Hover text and, in JupyterLab, part of what is announced: the control's label and its value."""
    value = control.label if isinstance(control, (ipw.SelectionSlider, ipw.Dropdown)) else control.value
    control.tooltip = f"{control.description}: {value}"


def _announce_value(control):
    """Keep the control's tooltip at "label: value" as it moves (the live notebook's share of what the
    book's pages announce with aria-valuetext; ipywidgets offers no ARIA attributes)."""
    _tooltip(control)
    control.observe(lambda change: _tooltip(control), names="value")
    return control


def _slider(description, values, value, spec="g"):
    """A SelectionSlider over ``values`` (its ``index`` is what the browser links to frames), each labelled
    ``fnum(value, spec)``."""
    values = [float(v) + 0.0 for v in values]              # + 0.0 turns -0.0 (np.round(-2e-16, 1)) into 0.0
    index = int(np.argmin(np.abs(np.asarray(values) - value)))
    # description_allow_html=False: the label is plain text, read as the control's name.
    return _announce_value(ipw.SelectionSlider(
        options=[(fnum(v, spec), v) for v in values], value=values[index], description=description,
        description_allow_html=False, continuous_update=True,
        style={"description_width": DESCRIPTION_WIDTH}, layout=ipw.Layout(width="440px", max_width="100%")))


def _buttons(description, options, value, width="80px"):
    labels = [o[0] if isinstance(o, tuple) else str(o) for o in options]
    return ipw.ToggleButtons(options=options, value=value, description=description, description_allow_html=False,
                             tooltips=[f"{description}: {label}" for label in labels],
                             style={"description_width": DESCRIPTION_WIDTH, "button_width": width})


def _dropdown(description, options, value):
    return _announce_value(ipw.Dropdown(
        options=options, value=value, description=description, description_allow_html=False,
        style={"description_width": DESCRIPTION_WIDTH}, layout=ipw.Layout(width="320px", max_width="100%")))


def _check_choice(what, value, choices):
    """Raise a clear error (not a traitlets one) when a starting value is not among the choices."""
    if value not in choices:
        raise NNLiteError(f"widgets: the starting {what} {value!r} is not among the choices {tuple(choices)}. "
                          f"Pass one of them.")


def _activation_buttons(names, value, description="activation"):
    for name in names:
        _check_choice("activation", name, ACTIVATIONS)
    _check_choice("activation", value, names)
    return _buttons(description, [(ACTIVATIONS[n][0].split(" ")[0], n) for n in names], value)


# ----------------------------------------------------------------------------------------------------
# Chapter 2: how a bias shifts an activation, and why the shift depends on the weight
# ----------------------------------------------------------------------------------------------------

class BiasShiftFigure(Painter):
    """f(w·x + b) against the reference f(w·x), with the shift -b/w marked by a line and an arrow."""

    width, height = 432, 270
    x = np.linspace(-8, 8, 401)
    ylim = {"sigmoid": (-0.05, 1.05), "tanh": (-1.1, 1.1), "relu": (-0.5, 8.0)}

    def build(self):
        ax = self.ax = self.fig.add_axes([0.16, 0.17, 0.8, 0.64])
        self.reference, = ax.plot(self.x, self.x, color=plot.OKABE_ITO["black"], lw=1.2, ls="--", alpha=0.6,
                                  label="b = 0")
        self.curve, = ax.plot(self.x, self.x, color=plot.OKABE_ITO["blue"], lw=2.2, label="with bias b")
        self.marker = ax.axvline(0, color=plot.OKABE_ITO["vermillion"], lw=1.2)
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0), arrowprops={
            "arrowstyle": "->", "color": plot.OKABE_ITO["vermillion"], "lw": 1.5})
        ax.set_xlim(-8, 8)
        ax.set_xlabel("input x")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=9, borderaxespad=0.2)
        self.title = self.fig.suptitle("", fontsize=11, x=0.02, ha="left")

    def update(self, weight, bias, activation="sigmoid"):
        label, f, _ = ACTIVATIONS[activation]
        self.reference.set_ydata(f(weight * self.x))
        self.curve.set_ydata(f(weight * self.x + bias))
        lo, hi = self.ylim.get(activation, (-1.0, 8.0))
        self.ax.set_ylim(lo, hi)
        self.ax.set_ylabel(f"{SYMBOL[activation]}(w·x + b)")
        if weight != 0:
            shift = -bias / weight
            where = f"shifted by −b/w = {fnum(shift, '+.2f')}" if bias else "no bias, no shift"
            y_arrow = lo + 0.5 * (hi - lo) if activation != "relu" else 0.5
            self.marker.set_xdata([shift, shift])
            self.arrow.xy, self.arrow.xyann = (shift, y_arrow), (0, y_arrow)
        else:
            where = "w = 0: flat, no shift"
        self.marker.set_visible(weight != 0)
        self.arrow.set_visible(weight != 0 and abs(bias) > 0)
        self.title.set_text(f"{label}: w = {fnum(weight)}, b = {fnum(bias)}, {where}")
        return (f"{label} of w·x + b for w = {fnum(weight)} and b = {fnum(bias)} (solid) against b = 0 (dashed); "
                f"{where}.")

    def background_key(self, activation="sigmoid", **params):
        return activation

    def moving(self):
        return [self.reference, self.curve, self.marker, self.arrow, self.title]


def bias_shift(weight=1.0, bias=0.0, activation="sigmoid",
               weights=(-2, -1, 0.5, 1, 2), biases=(-4, -3, -2, -1, 0, 1, 2, 3, 4),
               activations=("sigmoid", "tanh", "relu")):
    """Chapter 2: move the bias and the weight of one neuron and watch f(w·x + b) shift by -b/w.

    Every control responds in the rendered book: 3 activations x 5 weights x 9 biases = 135 frames.

    Args:
        weight: the starting weight w (snapped to the nearest value offered).
        bias: the starting bias b (snapped likewise).
        activation: the starting activation, a name in ``ACTIVATIONS``.
        weights: the weights the weight control offers.
        biases: the biases the bias slider offers.
        activations: the activations the buttons offer.

    Returns:
        FrameWidget; display it by making it the last expression of a cell.

    Example:
        >>> from nnlite import widgets
        >>> widgets.bias_shift(weight=2.0)            # doctest: +SKIP
    """
    controls = [
        ("activation", _activation_buttons(activations, activation)),
        ("weight", _slider("weight w", weights, weight)),
        ("bias", _slider("bias b", biases, bias)),
    ]
    return FrameWidget("A bias shifts the curve by −b/w", BiasShiftFigure(), controls,
                       note="The dashed curve has no bias. The same bias moves the curve less when |w| is "
                            "large, and the other way when w is negative.")


# ----------------------------------------------------------------------------------------------------
# Chapter 1: one neuron with three inputs, step by step
# ----------------------------------------------------------------------------------------------------

def _num(v):
    """A number for a formula: negative numbers in parentheses, with a real minus sign."""
    text = fnum(v)
    return f"(−{text[1:]})" if text.startswith("-") else text


class NeuronFigure(Painter):
    """A 3-input neuron: the terms w_i x_i, the bias and their sum z as bars; then a = f(z) on the curve."""

    width, height = 576, 270
    z_range = (-8.0, 11.0)

    def build(self):
        ax = self.bars_ax = self.fig.add_axes([0.11, 0.17, 0.37, 0.62])
        names = ["w₁x₁", "w₂x₂", "w₃x₃", "b", "z"]
        colours = [plot.OKABE_ITO[c] for c in ("blue", "blue", "blue", "orange", "green")]
        self.bars = ax.bar(names, np.zeros(5), color=colours)
        self.labels = [ax.text(i, 0, "", ha="center", fontsize=8) for i in range(5)]
        self.zero = ax.axhline(0, color="black", lw=0.8)
        ax.set_ylim(*self.z_range)
        ax.set_ylabel("value")
        ax.set_title("z = w₁x₁ + w₂x₂ + w₃x₃ + b", fontsize=10)
        ax2 = self.curve_ax = self.fig.add_axes([0.58, 0.17, 0.39, 0.62])
        self.grid = np.linspace(*self.z_range, 300)
        self.curve, = ax2.plot(self.grid, self.grid, color=plot.OKABE_ITO["blue"], lw=2)
        self.vline = ax2.axvline(0, color=plot.OKABE_ITO["vermillion"], lw=1, alpha=0.6)
        self.point, = ax2.plot([0], [0], "o", color=plot.OKABE_ITO["vermillion"], ms=8)
        ax2.set_xlim(*self.z_range)
        ax2.set_xlabel("weighted sum z")

    def update(self, w1, w2, w3, bias, x1=1.0, x2=2.0, x3=3.0, activation="sigmoid"):
        label, f, _ = ACTIVATIONS[activation]
        terms = np.array([w1 * x1, w2 * x2, w3 * x3, bias])
        z = float(terms.sum())
        a = float(f(np.array([z]))[0])
        lo, hi = self.z_range
        for i, (bar, text, v) in enumerate(zip(self.bars, self.labels, np.r_[terms, z])):
            shown = float(np.clip(v, lo, hi))
            bar.set_height(shown)
            text.set_text(fnum(v, ".2f"))
            text.set_position((i, shown + (0.3 if v >= 0 else -1.0)))
        values = f(self.grid)
        self.curve.set_ydata(values)
        self.curve_ax.set_ylim(float(values.min()) - 0.1 * np.ptp(values), float(values.max()) + 0.1 * np.ptp(values))
        self.vline.set_xdata([z, z])
        self.point.set_data([z], [a])
        self.curve_ax.set_ylabel(f"a = {SYMBOL[activation]}(z)")
        self.curve_ax.set_title(f"activation: a = {SYMBOL[activation]}({fnum(z, '.2f')}) = {fnum(a, '.3f')}",
                                fontsize=10)
        products = " + ".join(f"{_num(w)}·{_num(x)}" for w, x in ((w1, x1), (w2, x2), (w3, x3)))
        b = fnum(bias)
        sign, b = ("−", b[1:]) if b.startswith("-") else ("+", b)
        self.title = self.fig.suptitle(f"z = {products} {sign} {b} = {fnum(z, '.2f')}", fontsize=11)
        inputs, weights = (", ".join(fnum(v) for v in vs) for vs in ((x1, x2, x3), (w1, w2, w3)))
        return (f"Neuron with inputs {inputs}, weights {weights} and bias {fnum(bias)}: "
                f"weighted sum z = {fnum(z, '.2f')}, {label} activation a = {fnum(a, '.3f')}.")

    def background_key(self, activation="sigmoid", **params):
        return activation

    def moving(self):
        return [*self.bars, self.zero, *self.labels, self.vline, self.point, self.curve_ax.title, self.title]


NEURON_W3 = (-1.2, -0.8, -0.4, 0.0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.5)
NEURON_BIASES = tuple(np.arange(-4.5, 2.01, 0.5))


def neuron_explorer(inputs=(1.0, 2.0, 3.0), weights=(0.2, 0.3, 0.8), bias=-2.0, activation="sigmoid"):
    """Chapter 1: a neuron with three inputs and weights 0.2, 0.3, 0.8, computed step by step.

    In the rendered book the third weight and the bias respond (10 x 14 = 140 frames, ``NEURON_W3`` x
    ``NEURON_BIASES``); the other weights, the inputs and the activation redraw with a running kernel
    (on the book's page they are disabled, with the reason beside them).

    Args:
        inputs: the three inputs x1, x2, x3.
        weights: the three weights w1, w2, w3 (the starting values).
        bias: the starting bias b.
        activation: a name in ``ACTIVATIONS``.

    Returns:
        FrameWidget.

    Example:
        >>> widgets.neuron_explorer(inputs=(1.0, 2.0, 3.0))   # doctest: +SKIP
    """
    _check_choice("activation", activation, ACTIVATIONS)
    x1, x2, x3 = (float(v) for v in inputs)
    w1, w2, w3 = (float(v) for v in weights)
    fine = np.round(np.arange(-1.0, 1.01, 0.1), 1)
    xs = np.arange(-3.0, 3.01, 0.5)
    responsive = [("w3", _slider("weight w₃", NEURON_W3, w3)), ("bias", _slider("bias b", NEURON_BIASES, bias))]
    live = [("w1", _slider("weight w₁", fine, w1)), ("w2", _slider("weight w₂", fine, w2)),
            ("x1", _slider("input x₁", xs, x1)), ("x2", _slider("input x₂", xs, x2)),
            ("x3", _slider("input x₃", xs, x3)),
            ("activation", _dropdown("activation", [(ACTIVATIONS[n][0], n) for n in ACTIVATIONS], activation))]
    return FrameWidget("One neuron: weighted sum, bias, activation", NeuronFigure(), responsive, live,
                       note="Weights can be any real number, not only between 0 and 1: try a negative w₃.")


# ----------------------------------------------------------------------------------------------------
# Chapter 3: activation functions, their derivatives, and where they saturate
# ----------------------------------------------------------------------------------------------------

SATURATION = 0.05     # |f'(z)| below this counts as flat: almost no gradient passes back


class ActivationFigure(Painter):
    """An activation f(z) (left) and its slope f′(z) (right); where the slope is almost 0 is shaded."""

    width, height = 576, 260
    x = np.linspace(-6, 6, 481)

    def build(self):
        self.axes, self.curves, self.points, self.vlines = [], [], [], []
        for i, colour in enumerate(("blue", "green")):
            ax = self.fig.add_axes([0.1 + 0.5 * i, 0.17, 0.38, 0.64])
            self.curves.append(ax.plot(self.x, self.x, color=plot.OKABE_ITO[colour], lw=2)[0])
            self.vlines.append(ax.axvline(0, color=plot.OKABE_ITO["vermillion"], lw=1, alpha=0.5))
            self.points.append(ax.plot([0], [0], "o", color=plot.OKABE_ITO["vermillion"], ms=7)[0])
            ax.set_xlim(-6, 6)
            ax.set_xlabel("input z")
            self.axes.append(ax)
        self.shading = {}
        self.shown = None

    def _shade(self, activation):
        """The shaded saturated regions of one activation, built once and then switched on or off."""
        if activation not in self.shading:
            saturated = np.abs(ACTIVATIONS[activation][2](self.x)) < SATURATION
            self.shading[activation] = [
                ax.fill_between(self.x, -10, 10, where=saturated, color=plot.OKABE_ITO["orange"], alpha=0.18,
                                lw=0, zorder=0) for ax in self.axes]
        for name, patches in self.shading.items():
            for patch in patches:
                patch.set_visible(name == activation)

    def update(self, activation, z):
        label, f, df = ACTIVATIONS[activation]
        self._shade(activation)
        y, dy = f(self.x), df(self.x)
        fz, dfz = float(f(np.array([z]))[0]), float(df(np.array([z]))[0])
        for ax, curve, point, vline, values, v, name in zip(
                self.axes, self.curves, self.points, self.vlines, (y, dy), (fz, dfz), ("f(z)", "slope f′(z)")):
            curve.set_ydata(values)
            point.set_data([z], [v])
            vline.set_xdata([z, z])
            pad = 0.1 * max(float(np.ptp(values)), 1.0)
            ax.set_ylim(float(values.min()) - pad, float(values.max()) + pad)
            ax.set_title(f"{name} = {fnum(v, '.3f')} at z = {fnum(z)}", fontsize=10)
        self.axes[0].set_ylabel(f"{SYMBOL[activation]}(z)")
        self.axes[1].set_ylabel("slope")
        if abs(dfz) < SATURATION:
            state = "slope ≈ 0 (shaded): almost no gradient passes"
        else:
            state = f"slope {fnum(dfz, '.2f')}: the gradient passes"
        self.title = self.fig.suptitle(f"{label} at z = {fnum(z)}: {state}", fontsize=11)
        return (f"{label} (left) and its slope (right) for z from -6 to 6, where the slope is below "
                f"{SATURATION} shaded; at z = {fnum(z)}: f(z) = {fnum(fz, '.3f')}, slope {fnum(dfz, '.3f')}.")

    def background_key(self, activation, **params):
        return activation

    def moving(self):
        return [*self.vlines, *self.points, *(ax.title for ax in self.axes), self.title]


def activation_explorer(activation="sigmoid", z=0.0, names=("relu", "leaky_relu", "sigmoid", "tanh", "gelu"),
                        zs=tuple(np.arange(-5.0, 5.01, 0.5))):
    """Chapter 3: pick an activation and move its input z; see f(z), its slope f'(z), and where the
    slope is almost zero (sigmoid and tanh saturate; ReLU is flat below 0).

    Both controls respond in the rendered book: 5 activations x 21 inputs = 105 frames.

    Args:
        activation: the starting activation, a name in ``ACTIVATIONS``.
        z: the starting input z.
        names: the activations the buttons offer.
        zs: the inputs the slider offers.

    Returns:
        FrameWidget.

    Example:
        >>> widgets.activation_explorer("tanh", z=2.0)   # doctest: +SKIP
    """
    responsive = [("activation", _activation_buttons(names, activation)),
                  ("z", _slider("input z", zs, z))]
    return FrameWidget("Activation functions and their derivatives", ActivationFigure(), responsive,
                       note="Shaded: the slope is below 0.05, so almost no gradient flows back through the "
                            "unit. ReLU is unbounded above; sigmoid stays in (0, 1), tanh in (−1, 1).")


# ----------------------------------------------------------------------------------------------------
# Chapter 6: a training playground
# ----------------------------------------------------------------------------------------------------

DATASETS = ("moons", "circles", "xor", "spirals")
HIDDEN_UNITS = (2, 4, 8, 16, 32)
OPTIMIZERS = {"SGD": {"momentum": 0.0}, "momentum": {"momentum": 0.9}, "Adam": {}}   # SGD keyword arguments
OPTIMIZER_NAMES = {"SGD": "SGD", "momentum": "SGD with momentum 0.9", "Adam": "Adam"}


def train_run(dataset="moons", optimizer="Adam", lr=0.1, hidden=8, epochs=40, snapshot_every=4, seed=0,
              n=240, grid_size=64):
    """Train a small MLP (2 → hidden → hidden → classes, ReLU) with ``nl.fit``, recording snapshots.

    Args:
        dataset: a 2-D data set in ``nl.datasets``.  optimizer: a key of ``OPTIMIZERS``.
        lr, hidden, epochs: learning rate, hidden units per layer, epochs.
        snapshot_every: record the decision regions every this many epochs (and before training).

    Returns:
        dict with ``X``, ``y``, ``loss`` (the full-batch loss before training, then the mean training
        loss of each epoch), ``epochs`` (the snapshot epochs), ``probs`` (one (grid_size, grid_size,
        classes) array of class probabilities per snapshot), ``extent``, ``diverged`` (epoch or None).
    """
    from . import datasets
    from .core import Sequential
    from .errors import TrainingDiverged
    from .layers import Dense, ReLU
    from .losses import CrossEntropyLoss
    from .optim import SGD, Adam
    from .training import fit

    X, y = getattr(datasets, dataset)(n=n, seed=seed)
    classes = int(y.max()) + 1
    model = Sequential(Dense(2, hidden, rng=seed), ReLU(), Dense(hidden, hidden, rng=seed + 1), ReLU(),
                       Dense(hidden, classes, rng=seed + 2))
    if optimizer == "Adam":
        opt = Adam(model.parameters(), lr=lr)
    else:
        opt = SGD(model.parameters(), lr=lr, **OPTIMIZERS[optimizer])
    loss_fn = CrossEntropyLoss()
    x_lo, y_lo = X.min(axis=0) - 0.5
    x_hi, y_hi = X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, grid_size), np.linspace(y_lo, y_hi, grid_size))
    grid = np.c_[gx.ravel(), gy.ravel()]                                   # (grid_size², 2)

    def snapshot():
        model.eval()
        probs = F.softmax(model(grid)).reshape(grid_size, grid_size, classes)
        model.train()
        return probs

    run = {"X": X, "y": y, "loss": [loss_fn(model(X), y)], "epochs": [0], "probs": [snapshot()],
           "diverged": None, "extent": (x_lo, x_hi, y_lo, y_hi), "dataset": dataset, "optimizer": optimizer,
           "lr": lr, "hidden": hidden, "total_epochs": epochs}
    for epoch in range(1, epochs + 1):
        try:
            history = fit(model, loss_fn, opt, X, y, epochs=1, batch_size=32, seed=seed + epoch, progress=False)
        except TrainingDiverged:
            run["diverged"] = epoch
            break
        run["loss"].append(history.loss[-1])
        if epoch % snapshot_every == 0:
            run["epochs"].append(epoch)
            run["probs"].append(snapshot())
    return run


class TrainingFigure(Painter):
    """One snapshot of a training run: decision regions with the data (left), the loss so far (right)."""

    width, height = 576, 270

    def build(self):
        ax = self.regions_ax = self.fig.add_axes([0.04, 0.06, 0.38, 0.76])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        self.image = ax.imshow(np.ones((2, 2, 3)), origin="lower", aspect="auto", interpolation="bilinear")
        self.scatter_for = None
        self.scatters = []
        ax2 = self.loss_ax = self.fig.add_axes([0.55, 0.17, 0.42, 0.65])
        self.full, = ax2.plot([], [], color=plot.OKABE_ITO["blue"], alpha=0.25, lw=1.5)
        self.sofar, = ax2.plot([], [], color=plot.OKABE_ITO["blue"], lw=2)
        self.point, = ax2.plot([], [], "o", color=plot.OKABE_ITO["vermillion"])
        ax2.set_xlabel("epoch")
        ax2.set_ylabel("training loss")

    def update(self, run, snapshot):
        snapshot = min(int(snapshot), len(run["epochs"]) - 1)
        epoch = run["epochs"][snapshot]
        probs = run["probs"][snapshot]                                      # (G, G, classes)
        classes = probs.shape[-1]
        colours = np.array([mpl.colors.to_rgb(c) for c in plot.PALETTE[:classes]])
        strength = (probs.max(axis=-1, keepdims=True) - 1 / classes) * classes / (classes - 1)  # 0 unsure, 1 sure
        self.image.set_data(1 - (1 - colours[probs.argmax(axis=-1)]) * (0.15 + 0.45 * strength))
        self.image.set_extent(run["extent"])
        if self.scatter_for is not run["X"]:
            for s in self.scatters:
                s.remove()
            X, y = run["X"], run["y"]
            self.scatters = [self.regions_ax.scatter(X[y == c, 0], X[y == c, 1], s=9, color=colours[c],
                                                     edgecolor="black", linewidth=0.3) for c in range(classes)]
            self.regions_ax.set_xlim(run["extent"][:2])
            self.regions_ax.set_ylim(run["extent"][2:])
            self.scatter_for = run["X"]
        losses = np.asarray(run["loss"])
        last = min(epoch, len(losses) - 1)
        self.full.set_data(np.arange(len(losses)), losses)
        self.sofar.set_data(np.arange(last + 1), losses[:last + 1])
        self.point.set_data([last], [losses[last]])
        self.loss_ax.set_xlim(0, run["total_epochs"])
        self.loss_ax.set_ylim(0, max(1.2, 1.1 * float(losses[0])))
        loss, lr, optimizer = fnum(losses[last], ".3f"), fnum(run["lr"]), OPTIMIZER_NAMES[run["optimizer"]]
        self.loss_ax.set_title(f"loss {loss} after epoch {epoch}", fontsize=10)
        self.regions_ax.set_title(f"decision regions, epoch {epoch}", fontsize=10)
        status = f" (diverged in epoch {run['diverged']})" if run["diverged"] else ""
        self.fig.suptitle(f"{optimizer}, learning rate {lr}, {run['hidden']} hidden units{status}", fontsize=11)
        return (f"Training a small network with {run['hidden']} hidden units on {run['dataset']} with "
                f"{optimizer} at learning rate {lr}: after {epoch} epochs the training loss is "
                f"{loss}{status}. Left, the decision regions with the data; right, the loss curve.")

    def background_key(self, run, snapshot):
        return id(run)          # runs are kept in TrainingRuns.cache, so ids are not reused

    def moving(self):
        return [self.image, *self.scatters, self.sofar, self.point, self.loss_ax.title, self.regions_ax.title]


class TrainingRuns:
    """Training runs computed once per setting and kept; ``draw`` renders one snapshot of one run.

    With a kernel, a setting not seen before (another data set, other hidden units) trains on demand.
    """

    def __init__(self, epochs=40, snapshot_every=4, seed=0):
        self.options = {"epochs": epochs, "snapshot_every": snapshot_every, "seed": seed}
        self.cache = {}
        self.figure = TrainingFigure()

    def run(self, dataset, hidden, optimizer, lr):
        key = (dataset, int(hidden), optimizer, float(lr))
        if key not in self.cache:
            self.cache[key] = train_run(dataset=dataset, optimizer=optimizer, lr=float(lr), hidden=int(hidden),
                                        **self.options)
        return self.cache[key]

    def __call__(self, optimizer, lr, snapshot, dataset, hidden):
        return self.figure(run=self.run(dataset, hidden, optimizer, lr), snapshot=snapshot)


def training_playground(dataset="moons", hidden=8, optimizer="Adam", lr=0.1, lrs=(0.01, 0.1, 1.0),
                        epochs=40, snapshot_every=4):
    """Chapter 6: learning rate, optimizer and hidden units on a small 2-D problem.

    In the rendered book the optimizer, the learning rate and the epoch respond: precomputed runs,
    3 optimizers x 3 learning rates x 11 snapshots = 99 frames. The data set and the number of hidden
    units train live with a running kernel (``nl.fit`` on 240 points, well under a second); on the
    book's page they are disabled, with the reason beside them.

    Args:
        dataset: the data set, one of ``DATASETS``.
        hidden: hidden units per layer, one of ``HIDDEN_UNITS``.
        optimizer: the starting optimizer, a key of ``OPTIMIZERS``.
        lr: the starting learning rate, one of ``lrs``.
        lrs: the learning rates the slider offers.
        epochs: the length of each run.
        snapshot_every: epochs between two frames.

    Returns:
        FrameWidget, with ``.runs`` the TrainingRuns behind the frames (``.runs.cache`` holds each run).

    Example:
        >>> widgets.training_playground(dataset="moons")   # doctest: +SKIP
    """
    _check_choice("optimizer", optimizer, OPTIMIZERS)
    _check_choice("data set", dataset, DATASETS)
    _check_choice("number of hidden units", hidden, HIDDEN_UNITS)
    runs = TrainingRuns(epochs=epochs, snapshot_every=snapshot_every)
    snapshots = list(range(0, epochs + 1, snapshot_every))
    epoch_slider = _announce_value(ipw.SelectionSlider(
        options=[(str(e), i) for i, e in enumerate(snapshots)], value=0, description="epoch",
        description_allow_html=False, style={"description_width": DESCRIPTION_WIDTH},
        layout=ipw.Layout(width="440px", max_width="100%")))
    responsive = [("optimizer", _buttons("optimizer", list(OPTIMIZERS), optimizer, width="100px")),
                  ("lr", _slider("learning rate", lrs, lr)),
                  ("snapshot", epoch_slider)]
    live = [("dataset", _dropdown("data set", DATASETS, dataset)),
            ("hidden", _dropdown("hidden units", HIDDEN_UNITS, hidden))]
    widget = FrameWidget("Training playground: a small network on 2-D data", runs, responsive, live,
                         note="Move the epoch slider to watch training. Compare SGD at learning rate 0.01 "
                              "with Adam, and try learning rate 1.")
    widget.runs = runs
    return widget


# ----------------------------------------------------------------------------------------------------
# Chapter 10: attention weights, one query at a time, and the softmax temperature
# ----------------------------------------------------------------------------------------------------

ATTENTION_TOKENS = ("the", "cat", "sat", "on", "the", "mat", "because", "it")
ATTENTION_TEMPERATURES = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


def attention_example_scores(tokens=ATTENTION_TOKENS):
    """The scores of the widget's example, a (T, T) matrix: each word looks at the word just before it
    (score 2), at earlier copies of itself (3), "it" at the nouns it may stand for ("cat" 3.5, "mat" 2.5),
    and a little at itself (1). Any such matrix is Q Kᵀ / √d for some queries and keys of size d ≥ T."""
    T = len(tokens)
    scores = np.zeros((T, T))
    for i in range(T):
        scores[i, i] = 1.0
        if i > 0:
            scores[i, i - 1] = 2.0
        for j in range(i):
            if tokens[j] == tokens[i]:
                scores[i, j] = 3.0
    if "it" in tokens:
        i = tokens.index("it")
        for noun, score in (("cat", 3.5), ("mat", 2.5)):
            if noun in tokens[:i]:
                scores[i, tokens.index(noun)] = score
    return scores


def attention_weights(scores, temperature=1.0, causal=True):
    """softmax(scores / temperature) over the keys, with the future masked when ``causal``: (T, T)."""
    scores = np.asarray(scores, dtype=float) / temperature
    if causal:
        T = scores.shape[-1]
        scores = np.where(np.triu(np.ones((T, T), dtype=bool), k=1), -np.inf, scores)
    return F.softmax(scores, axis=-1)


class AttentionFigure(Painter):
    """Attention weights of every query (left, the chosen query's row framed) and of the chosen query
    alone as bars over the keys (right), at one softmax temperature."""

    width, height = 624, 290

    def __init__(self, tokens, scores, causal=True):
        self.tokens, self.scores, self.causal = list(tokens), np.asarray(scores, dtype=float), causal
        super().__init__()

    def build(self):
        T = len(self.tokens)
        ax = self.map_ax = self.fig.add_axes([0.15, 0.2, 0.31, 0.6])
        self.image = ax.imshow(np.zeros((T, T)), cmap="cividis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(T), self.tokens, rotation=60, fontsize=8)
        ax.set_yticks(range(T), self.tokens, fontsize=8)
        ax.set_xlabel("key (attended to)", fontsize=9)
        ax.set_ylabel("query", fontsize=9)
        ax.grid(False)
        self.frame = mpl.patches.Rectangle((-0.5, -0.5), T, 1, fill=False, lw=2.5,
                                           edgecolor=plot.OKABE_ITO["vermillion"])
        ax.add_patch(self.frame)
        bx = self.bar_ax = self.fig.add_axes([0.56, 0.2, 0.41, 0.6])
        self.bars = bx.bar(range(T), np.zeros(T), color=plot.OKABE_ITO["blue"], edgecolor="black", lw=0.5)
        self.labels = [bx.text(j, 0, "", ha="center", va="bottom", fontsize=7) for j in range(T)]
        bx.set_xticks(range(T), self.tokens, rotation=60, fontsize=8)
        bx.set_ylim(0, 1.12)
        bx.set_ylabel("attention weight", fontsize=9)
        bx.grid(axis="x", visible=False)
        self.bar_title = bx.set_title("", fontsize=10)
        self.map_title = ax.set_title("", fontsize=10)
        self.title = self.fig.suptitle("", fontsize=11)

    def update(self, query, temperature):
        query = int(query)
        weights = attention_weights(self.scores, temperature, self.causal)        # (T, T)
        row = weights[query]
        self.image.set_data(weights)
        self.frame.set_y(query - 0.5)
        for j, (bar, text) in enumerate(zip(self.bars, self.labels)):
            bar.set_height(row[j])
            bar.set_hatch("//" if j == int(np.argmax(row)) else "")
            text.set_text(fnum(row[j], ".2f") if row[j] >= 0.005 else "")
            text.set_position((j, row[j] + 0.01))
        word = self.tokens[query]
        top = int(np.argmax(row))
        self.map_title.set_text(f"every query, τ = {fnum(temperature)}")
        self.bar_title.set_text(f"query {query + 1} “{word}”")
        self.title.set_text(f"Temperature τ = {fnum(temperature)}: “{word}” gives "
                            f"{fnum(row[top], '.2f')} of its attention to “{self.tokens[top]}”")
        seen = query + 1 if self.causal else len(self.tokens)
        spread = ", ".join(f"{self.tokens[j]} {fnum(row[j], '.2f')}" for j in range(seen))
        return (f"Attention weights at softmax temperature {fnum(temperature)}. Query {query + 1}, “{word}”, "
                f"can see {seen} word{'s' if seen > 1 else ''}; its weights: {spread}. The largest, "
                f"{fnum(row[top], '.2f')}, goes to “{self.tokens[top]}”. Left, the weights of every query as "
                f"a heatmap with this query's row framed.")

    def background_key(self, temperature, **params):
        return temperature

    def moving(self):
        return [self.frame, *self.bars, *self.labels, self.bar_title, self.title]


def attention_explorer(query=7, temperature=1.0, tokens=ATTENTION_TOKENS, scores=None, causal=True,
                       temperatures=ATTENTION_TEMPERATURES):
    """Chapter 10: how one query spreads its attention over the keys, and what the softmax temperature does.

    Both controls respond in the rendered book: 8 query positions x 11 temperatures = 88 frames. The
    weights are softmax(scores / temperature) with the causal mask; at temperature 1 they are the
    ordinary attention weights, lower temperatures sharpen them towards the largest score, higher ones
    flatten them towards equal weights (dividing by √d is a fixed temperature of √d).

    Args:
        query: the starting query position (0-based).
        temperature: the starting softmax temperature.
        tokens: the words of the sentence.
        scores: their (T, T) scores (default ``attention_example_scores(tokens)``).
        causal: mask the keys after each query.
        temperatures: the values the temperature slider offers.

    Returns:
        FrameWidget.

    Example:
        >>> widgets.attention_explorer(query=3)   # doctest: +SKIP
    """
    tokens = [str(t) for t in tokens]
    scores = attention_example_scores(tokens) if scores is None else np.asarray(scores, dtype=float)
    if scores.shape != (len(tokens), len(tokens)):
        raise NNLiteError(f"widgets.attention_explorer: scores of shape {scores.shape} for {len(tokens)} tokens; "
                          f"pass a ({len(tokens)}, {len(tokens)}) matrix, one row per query.")
    if not 0 <= int(query) < len(tokens):
        raise NNLiteError(f"widgets.attention_explorer: query {query} is not a position of the {len(tokens)} "
                          f"tokens; pass 0 to {len(tokens) - 1}.")
    positions = ipw.SelectionSlider(options=[(f"{i + 1} {t}", i) for i, t in enumerate(tokens)], value=int(query),
                                    description="query", continuous_update=True,
                                    style={"description_width": DESCRIPTION_WIDTH}, layout=ipw.Layout(width="440px"))
    responsive = [("query", positions), ("temperature", _slider("temperature τ", temperatures, temperature))]
    return FrameWidget("Attention: where does each word look?", AttentionFigure(tokens, scores, causal),
                       responsive,
                       note="Each row of weights adds up to 1. Lower the temperature: the largest score takes "
                            "almost everything; raise it: the weights even out. With the causal mask a word "
                            "sees only itself and the words before it.")

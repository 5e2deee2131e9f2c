"""The Python side of nnlite.widgets: frames, their parameters, the Stack/jslink wiring the rendered
book relies on, the budget, and live redrawing with a kernel. No browser (see test_browser.py)."""

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

ipw = pytest.importorskip("ipywidgets")
Image = pytest.importorskip("PIL.Image")

from nnlite import widgets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

PAGE_BUDGET = 5_000_000          # bytes of saved widget state a page may carry
FACTORIES = {
    "neuron_explorer": (widgets.neuron_explorer, widgets.NeuronFigure),
    "bias_shift": (widgets.bias_shift, widgets.BiasShiftFigure),
    "activation_explorer": (widgets.activation_explorer, widgets.ActivationFigure),
    "training_playground": (widgets.training_playground, widgets.TrainingFigure),
    "attention_explorer": (widgets.attention_explorer, widgets.AttentionFigure),
}


@pytest.fixture(scope="module")
def built():
    """Each widget built once (drawing its frames takes a few seconds)."""
    return {name: factory() for name, (factory, _) in FACTORIES.items()}


def frame_png(html):
    match = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert match, f"no inline PNG in {html[:80]}"
    return base64.b64decode(match.group(1))


def frame_alt(html):
    return re.search(r'alt="([^"]*)"', html).group(1)


def shown_frame(widget):
    """The frame the nested Stacks show for the controls' current selected indices."""
    node = widget.view
    while isinstance(node, ipw.Stack):
        node = node.children[node.selected_index]
    return node.value


@pytest.mark.parametrize("name", FACTORIES)
def test_one_frame_per_combination_of_responsive_values(built, name):
    w = built[name]
    sizes = [len(c.options) for c in w.responsive.values()]
    assert w.n_frames == int(np.prod(sizes)) <= widgets.MAX_FRAMES
    assert set(w.frames) == set(np.ndindex(*sizes))
    assert len(set(w.frames.values())) == w.n_frames, "two settings drew the same frame"


@pytest.mark.parametrize("name", FACTORIES)
def test_frames_are_pngs_of_the_painters_size(built, name):
    w = built[name]
    painter_class = FACTORIES[name][1]
    for html in list(w.frames.values())[::17]:
        png = frame_png(html)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        image = Image.open(io.BytesIO(png))
        assert image.size == (painter_class.width, painter_class.height)
        assert len(png) < 40_000, f"{name}: a frame of {len(png)} bytes; the budget assumes a few KB"
    assert w.frame_bytes == sum(len(frame_png(h)) for h in w.frames.values())


@pytest.mark.parametrize("name", FACTORIES)
def test_saved_widget_state_fits_the_page_budget(built, name):
    from ipywidgets.embed import dependency_state
    state = dependency_state(built[name], drop_defaults=True)
    size = len(json.dumps(state))
    assert size < PAGE_BUDGET, f"{name}: {size / 1e6:.1f} MB of widget state"
    assert size > built[name].frame_bytes, "the frames are missing from the saved state"


@pytest.mark.parametrize("name", FACTORIES)
def test_each_responsive_control_is_jslinked_to_every_stack_it_switches(built, name):
    w = built[name]
    links = {(id(link.source[0]), id(link.target[0])) for link in w.links}
    assert all(type(link).__name__ == "Link" for link in w.links)
    assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in w.links)
    for level, control in enumerate(w.responsive.values()):
        assert w.stacks[level], f"{name}: no Stack for control {level}"
        for stack in w.stacks[level]:
            assert (id(control), id(stack)) in links
            assert len(stack.children) == len(control.options)
    # the linked indices pick the frame of the controls' current values
    index = tuple(c.index for c in w.responsive.values())
    assert shown_frame(w) == w.frames[index]


@pytest.mark.parametrize("name", FACTORIES)
def test_moving_one_responsive_control_changes_the_frame(built, name):
    w = built[name]
    start = tuple(c.index for c in w.responsive.values())
    for level, control in enumerate(w.responsive.values()):
        moved = list(start)
        moved[level] = (start[level] + 1) % len(control.options)
        assert w.frames[tuple(moved)] != w.frames[start], f"{name}: control {level} changes nothing"


def test_live_only_controls_have_a_note_slot_that_is_empty_in_a_notebook(built):
    for name, w in built.items():
        labels = [child.children[1] for child in w.controls.children
                  if isinstance(child, ipw.HBox) and isinstance(child.children[1], ipw.Label)]
        assert [row.children[0] for row in w.controls.children if isinstance(row, ipw.HBox)
                and row.children[1] in labels] == list(w.live.values()), f"{name}: a live control without its note"
        assert all(label.value == "" for label in labels), f"{name}: a kernel runs it here, say nothing"
        assert all(widgets.KERNEL_NOTE_CLASS in label._dom_classes for label in labels), name
        assert all("nnlite-live" in c._dom_classes for c in w.live.values())
        assert all("nnlite-responsive" in c._dom_classes for c in w.responsive.values())


def movable_controls(widget):
    """Every widget in the controls area a reader can move (not the title, labels or notes)."""
    found, todo = [], [widget.controls]
    while todo:
        node = todo.pop()
        if isinstance(node, ipw.Box):
            todo.extend(node.children)
        elif isinstance(node, ipw.ValueWidget) and not isinstance(node, (ipw.Label, ipw.HTML, ipw.HTMLMath)):
            found.append(node)
    return found


@pytest.mark.parametrize("name", FACTORIES)
def test_every_control_either_picks_frames_or_is_marked_live_only(built, name):
    """The rendered book disables exactly the controls marked live-only (widgets-offline.js); any other
    control must be jslinked to frames. A control that is neither would do nothing on the page."""
    w = built[name]
    responsive, live = list(w.responsive.values()), list(w.live.values())
    assert {id(c) for c in movable_controls(w)} == {id(c) for c in responsive + live}
    assert not {id(c) for c in responsive} & {id(c) for c in live}
    for control in responsive:
        assert widgets.RESPONSIVE_CLASS in control._dom_classes and widgets.LIVE_CLASS not in control._dom_classes
    for control in live:
        assert widgets.LIVE_CLASS in control._dom_classes and widgets.RESPONSIVE_CLASS not in control._dom_classes
    linked = {id(link.source[0]) for link in w.links}
    assert linked == {id(c) for c in responsive}, f"{name}: a live-only control is jslinked, or a responsive one is not"


def docstring_table():
    """The table of the module docstring: widget -> chapter, responsive controls, frames, live-only controls."""
    rows = {}
    for line in widgets.__doc__.splitlines():
        m = re.match(r"``(\w+)\(\)``\s+(\d+)\s+(.+?) \(([\d x]+) = (\d+)\)\s+(.+?)\s*$", line)
        if m:
            rows[m[1]] = {"chapter": int(m[2]), "responsive": [c.strip() for c in m[3].split(",")],
                          "sizes": [int(n) for n in m[4].split("x")], "frames": int(m[5]),
                          "live": [] if m[6] == "(none)" else [c.strip() for c in m[6].split(",")]}
    return rows


def test_the_module_docstring_table_says_which_controls_need_a_kernel(built):
    table = docstring_table()
    assert set(table) == set(FACTORIES), "the table in nnlite/widgets.py's docstring lists other widgets"
    for name, w in built.items():
        row = table[name]
        assert list(w.responsive) == row["responsive"], name
        assert [len(c.options) for c in w.responsive.values()] == row["sizes"], name
        assert w.n_frames == row["frames"], name
        assert list(w.live) == row["live"], f"{name}: the live-only controls are not the ones the table declares"
        chapter = next(ROOT.glob(f"chapters/{row['chapter']:02d}_*.ipynb"))
        assert f"widgets.{name}(" in chapter.read_text(encoding="utf-8"), f"{name} is not in {chapter.name}"


def test_the_saved_state_marks_what_the_static_page_disables(built):
    """widgets-offline.js finds the live-only controls and their notes by class in the saved widget state
    (before the widget manager renders), and only there: a renamed class would leave them enabled."""
    from ipywidgets.embed import dependency_state
    script = (ROOT / "book" / "_ext" / "static" / "widgets-offline.js").read_text(encoding="utf-8")
    for cls in (widgets.LIVE_CLASS, widgets.KERNEL_NOTE_CLASS):
        assert f'"{cls}"' in script, f"widgets-offline.js does not look for {cls!r}"
    assert "widgets-offline.js" in (ROOT / "_config.yml").read_text(encoding="utf-8")
    for name, w in built.items():
        state = dependency_state(w, drop_defaults=True)
        classes = {model_id: s["state"].get("_dom_classes", []) for model_id, s in state.items()}
        marked = {model_id for model_id, cls in classes.items() if widgets.LIVE_CLASS in cls}
        assert marked == {c.model_id for c in w.live.values()}, name
        notes = [model_id for model_id, cls in classes.items() if widgets.KERNEL_NOTE_CLASS in cls]
        assert len(notes) == len(w.live), name


# A minus sign before a zero: "-0", "-0.00", "−0.000." (not "-0.5", "1e-05" or "-0.001").
NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-−]0(?:\.0+)?(?!\.?\d)")


@pytest.mark.parametrize("value, spec, text", [
    (-2.220446049250313e-16, ".2f", "0.00"), (-0.0, "g", "0"), (-4e-7, "+.2f", "+0.00"), (-1.4e-6, ".3f", "0.000"),
    (-0.004, ".3f", "-0.004"), (-0.5, ".2f", "-0.50"), (0.25, "+.2f", "+0.25"), (-1e-20, "g", "-1e-20"),
    (float("-inf"), "g", "-inf"), (np.float64(-0.0), ".1f", "0.0"), (-3, "g", "-3")])
def test_fnum_never_shows_a_negative_zero(value, spec, text):
    assert widgets.fnum(value, spec) == text
    assert not NEGATIVE_ZERO.search(widgets.fnum(value, spec))


def test_the_pattern_finds_negative_zeros():
    assert [bool(NEGATIVE_ZERO.search(t)) for t in ("z = -0.00", "(−0)", "a = -0.000.", "-0", "-0.5", "1e-05",
                                                    "-0.001", "slope -0.000.")] == [True] * 4 + [False] * 3 + [True]


def figure_texts(painter):
    from matplotlib.text import Text
    return [t.get_text() for t in painter.fig.findobj(Text) if t.get_text()]


def test_a_weighted_sum_of_minus_2e_16_shows_as_zero():
    """Weights 0.2, 0.5, -0.4, bias 0, inputs 1, 2, 3: z is -2.2e-16 in floating point, once "-0.00"."""
    z = float(np.array([0.2 * 1.0, 0.5 * 2.0, -0.4 * 3.0, 0.0]).sum())
    assert z < 0 and f"{z:.2f}" == "-0.00"
    painter = widgets.NeuronFigure()
    _, alt = painter(w1=0.2, w2=0.5, w3=-0.4, bias=0.0)
    assert "weighted sum z = 0.00," in alt
    assert "= 0.00" in painter.title.get_text()
    shown = figure_texts(painter) + [alt]
    assert not [t for t in shown if NEGATIVE_ZERO.search(t)]


def test_no_negative_zero_anywhere_the_neuron_explorer_can_go():
    """Every setting of w2, w3 and the bias (2,940 of them; only update(), no drawing): no "-0.00"."""
    painter = widgets.NeuronFigure()
    w = widgets.neuron_explorer()
    seen = set()
    for w2 in [v for _, v in w.live["w2"].options]:
        for w3 in widgets.NEURON_W3:
            for bias in widgets.NEURON_BIASES:
                alt = painter.update(w1=0.2, w2=w2, w3=w3, bias=bias)
                for text in figure_texts(painter) + [alt]:
                    if NEGATIVE_ZERO.search(text):
                        seen.add(text)
    assert not seen, sorted(seen)[:5]


@pytest.mark.parametrize("name", FACTORIES)
def test_no_negative_zero_in_frames_or_control_labels(built, name):
    w = built[name]
    shown = [frame_alt(html) for html in w.frames.values()]
    for control in [*w.responsive.values(), *w.live.values()]:
        shown += list(control._options_labels)
    bad = [text for text in shown if NEGATIVE_ZERO.search(text)]
    assert not bad, f"{name}: {bad[:3]}"


def test_bias_shift_frames_show_the_values_they_claim():
    w = widgets.bias_shift(weights=(-1, 2), biases=(-2, 3), activations=("sigmoid", "relu"))
    assert w.n_frames == 8
    for (a, i, j), html in w.frames.items():
        act = w.responsive["activation"].options[a][1]
        weight = w.responsive["weight"].options[i][1]
        bias = w.responsive["bias"].options[j][1]
        alt = frame_alt(html)
        assert f"w = {weight:g} and b = {bias:g}" in alt
        assert f"{-bias / weight:+.2f}" in alt
        assert widgets.ACTIVATIONS[act][0] in alt


@pytest.mark.parametrize("weight, bias", [(2.0, 3.0), (-1.0, 2.0), (0.5, -4.0)])
def test_bias_shift_marks_minus_b_over_w(weight, bias):
    painter = widgets.BiasShiftFigure()
    painter(weight=weight, bias=bias, activation="sigmoid")
    assert painter.marker.get_xdata()[0] == pytest.approx(-bias / weight)
    x, y = painter.curve.get_data()
    crossing = x[np.argmin(np.abs(y - 0.5))]            # sigmoid(w x + b) = 0.5 where w x + b = 0
    assert crossing == pytest.approx(-bias / weight, abs=0.05)


def test_bias_shift_with_zero_weight_has_no_shift():
    png, alt = widgets.BiasShiftFigure()(weight=0.0, bias=1.0, activation="tanh")
    assert "no shift" in alt and png[:4] == b"\x89PNG"


def test_neuron_explorer_starts_at_the_chapter_neuron(built):
    w = built["neuron_explorer"]
    values = w.current()
    assert (values["w1"], values["w2"], values["w3"]) == (0.2, 0.3, 0.8)
    alt = frame_alt(shown_frame(w))
    z = 0.2 * values["x1"] + 0.3 * values["x2"] + 0.8 * values["x3"] + values["bias"]
    assert f"weighted sum z = {z:.2f}" in alt
    assert f"a = {1 / (1 + np.exp(-z)):.3f}" in alt


@pytest.mark.parametrize("activation, z, flat", [("sigmoid", 5.0, True), ("sigmoid", 0.0, False),
                                                 ("relu", -2.0, True), ("relu", 2.0, False),
                                                 ("tanh", -4.0, True), ("leaky_relu", -2.0, True),
                                                 ("leaky_relu", 2.0, False)])
def test_activation_explorer_says_where_the_slope_vanishes(activation, z, flat):
    _, alt = widgets.ActivationFigure()(activation=activation, z=z)
    slope = float(widgets.ACTIVATIONS[activation][2](np.array([z]))[0])
    assert f"slope {slope:.3f}" in alt
    assert (abs(slope) < widgets.SATURATION) == flat


def front_end_moves(control, index):
    """What a kernel receives when a reader moves a selection control in JupyterLab: a new index."""
    control.set_state({"index": index})


def test_live_control_switches_to_drawing_from_python():
    w = widgets.neuron_explorer()
    assert w.children[1] is w.view
    w1 = w.live["w1"]
    front_end_moves(w1, [v for _, v in w1.options].index(0.5))
    assert w.children[1] is w.live_view
    assert "weights 0.5, 0.3, 0.8" in frame_alt(w.live_view.value)
    front_end_moves(w.live["activation"], list(widgets.ACTIVATIONS).index("relu"))
    assert "ReLU activation" in frame_alt(w.live_view.value)
    front_end_moves(w.responsive["bias"], 0)             # now the responsive controls redraw too
    assert f"bias {w.responsive['bias'].options[0][1]:g}" in frame_alt(w.live_view.value)


def test_responsive_control_alone_keeps_the_precomputed_frames():
    w = widgets.activation_explorer("tanh", names=("relu", "tanh"), zs=(-1.0, 0.0, 1.0))
    front_end_moves(w.responsive["z"], 2)
    assert w.responsive["z"].value == 1.0
    assert w.children[1] is w.view and w.live_view.value == ""


def test_training_runs_learn_and_record_snapshots(built):
    runs = built["training_playground"].runs
    assert len(runs.cache) == len(widgets.OPTIMIZERS) * 3
    for (dataset, hidden, optimizer, lr), run in runs.cache.items():
        assert run["epochs"] == list(range(0, run["total_epochs"] + 1, 4))[:len(run["probs"])]
        assert len(run["probs"]) == 11 or run["diverged"]
        assert run["probs"][0].shape == (64, 64, 2)
        assert np.allclose(run["probs"][-1].sum(axis=-1), 1)
    adam = runs.cache[("moons", 8, "Adam", 0.1)]
    assert adam["loss"][-1] < 0.5 * adam["loss"][0]
    slow = runs.cache[("moons", 8, "SGD", 0.01)]
    assert slow["loss"][-1] > adam["loss"][-1], "plain SGD at 0.01 should still be behind Adam at 0.1"


def test_training_playground_trains_live_for_new_hidden_units():
    w = widgets.training_playground(lrs=(0.1,), epochs=8, snapshot_every=4)
    assert w.n_frames == len(widgets.OPTIMIZERS) * 1 * 3
    front_end_moves(w.live["hidden"], list(widgets.HIDDEN_UNITS).index(4))
    assert ("moons", 4, "Adam", 0.1) in w.runs.cache
    assert "4 hidden units" in frame_alt(w.live_view.value)


def test_a_starting_value_that_is_not_offered_is_explained():
    with pytest.raises(ValueError, match="activation 'sigmoid' is not among"):
        widgets.activation_explorer("sigmoid", names=("relu", "tanh"))


def test_too_many_frames_is_refused():
    sliders = [("weight", widgets._slider("w", range(20), 0)), ("bias", widgets._slider("b", range(20), 0))]
    with pytest.raises(ValueError, match="budget"):
        widgets.FrameWidget("too many", widgets.BiasShiftFigure(), sliders)

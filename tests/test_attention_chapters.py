"""Chapters 10 and 11: their "The same in PyTorch" blocks compute what the chapter's nnlite layer computes,
their figure helpers (nnlite.plot.attention) draw what they say, and the attention widget's frames follow
its controls."""

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlite import plot  # noqa: E402
from test_pytorch_bridge import bridge, load  # noqa: E402

CHAPTERS = ["10_embeddings_and_attention", "11_transformer_block"]


def pytorch_block(stem):
    """The python code of the chapter's "## The same in PyTorch" cell (placement, self-containment and
    ours == theirs are checked for every chapter in tests/test_pytorch_bridge.py)."""
    return bridge(load(stem), stem)[2]


@pytest.mark.parity
def test_the_chapter_10_block_gives_the_attention_weights_too():
    """Beyond ours == theirs: chapter 10's block also compares the attention weights themselves."""
    pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")
    namespace = {}
    exec(compile(pytorch_block(CHAPTERS[0]), f"{CHAPTERS[0]} (The same in PyTorch)", "exec"), namespace)
    np.testing.assert_allclose(namespace["ours_layer"].attention, namespace["weights"].detach().numpy(),
                               rtol=1e-6, atol=1e-12)


@pytest.mark.parity
def test_a_wrong_weight_mapping_would_be_caught():
    """The comparison can fail: the chapter 10 block without the transposes gives other numbers."""
    pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")
    code = pytorch_block(CHAPTERS[0]).replace("ours_layer.W_q.value.T", "ours_layer.W_q.value")
    assert code != pytorch_block(CHAPTERS[0])
    namespace = {}
    exec(code, namespace)
    assert not np.allclose(namespace["ours"], namespace["theirs"].detach().numpy(), rtol=1e-6)


# -- figures -------------------------------------------------------------------------------------------

def test_attention_heatmap_shows_the_weights_with_labels_and_numbers():
    weights = np.array([[1.0, 0.0, 0.0], [0.3, 0.7, 0.0], [0.2, 0.5, 0.3]])
    fig = plot.attention_heatmap(weights, queries=["a", "b", "c"], keys=["a", "b", "c"], title="map")
    ax = fig.axes[0]
    assert ax.get_title() == "map" and "query" in ax.get_ylabel() and "key" in ax.get_xlabel()
    np.testing.assert_array_equal(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{w:.2f}" for w in weights.ravel())
    assert len(fig.axes) == 2                                      # the colour bar


def test_attention_heatmap_refuses_a_stack_and_wrong_labels():
    with pytest.raises(ValueError, match="layer.attention\\[0, 0\\]"):
        plot.attention_heatmap(np.ones((2, 3, 3)) / 3)
    with pytest.raises(ValueError, match="one label per position"):
        plot.attention_heatmap(np.ones((3, 3)) / 3, queries=["a", "b"])


def test_attention_maps_draws_one_panel_per_map_on_one_scale():
    maps = np.random.default_rng(0).dirichlet(np.ones(5), size=(3, 5))    # (3, 5, 5), rows sum to 1
    fig = plot.attention_maps(maps, titles=["x", "y", "z"], suptitle="three")
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in panels] == ["x", "y", "z"]
    assert all(ax.images[0].get_clim() == (0.0, 1.0) for ax in panels)
    for ax, m in zip(panels, maps):
        np.testing.assert_array_equal(ax.images[0].get_array(), m)
    with pytest.raises(ValueError, match="one title per map"):
        plot.attention_maps(maps, titles=["x"])


def test_growth_curves_are_log_log_with_markers_and_styles():
    fig = plot.growth_curves([4, 16, 64], {"flat": [5, 5, 5], "steep": [16, 256, 4096]}, title="g")
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title() == "g"
    assert len({l.get_linestyle() for l in ax.lines}) == 2 and len({l.get_marker() for l in ax.lines}) == 2
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [16, 256, 4096])
    assert plot.growth_curves([1, 2], {"a": [1, 2]}, log_y=False).axes[0].get_yscale() == "linear"


def test_parameter_breakdown_labels_counts_and_shares():
    fig = plot.parameter_breakdown({"big": 7500, "small": 2497, "tiny": 3}, title="where")
    ax = fig.axes[0]
    texts = [t.get_text().strip() for t in ax.texts]
    assert texts == ["7,500 (75.0%)", "2,497 (25.0%)", "3 (0.03%)"]
    where = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert where["big"] > where["small"] > where["tiny"]                  # the first group on top
    assert len({p.get_hatch() for p in ax.patches}) == 3
    with pytest.raises(ValueError):
        plot.parameter_breakdown({"negative": -1})


# -- the attention widget ----------------------------------------------------------------------------

def test_attention_weights_follow_the_temperature_and_the_mask():
    from nnlite import widgets
    scores = widgets.attention_example_scores()
    T = len(widgets.ATTENTION_TOKENS)
    cold, warm, hot = (widgets.attention_weights(scores, t) for t in (0.1, 1.0, 100.0))
    for A in (cold, warm, hot):
        np.testing.assert_allclose(A.sum(axis=1), 1)
        assert np.all(A[np.triu(np.ones((T, T), bool), k=1)] == 0)
    assert cold[-1].max() > 0.99 and hot[-1].max() < 1 / T + 0.01         # sharp, then almost even
    assert np.argmax(warm[-1]) == widgets.ATTENTION_TOKENS.index("cat")   # "it" looks at "cat"
    full = widgets.attention_weights(scores, 1.0, causal=False)
    assert np.all(full[0, 1:] > 0)


def test_attention_explorer_frames_say_what_they_show():
    from nnlite import widgets
    w = widgets.attention_explorer(temperatures=(0.1, 1.0))
    assert w.n_frames == len(widgets.ATTENTION_TOKENS) * 2
    alt = re.search(r'alt="([^"]*)"', w.frames[(7, 1)]).group(1)
    assert "Query 8" in alt and "“it”" in alt and "temperature 1" in alt and "cat" in alt
    first = re.search(r'alt="([^"]*)"', w.frames[(0, 0)]).group(1)
    assert "can see 1 word;" in first and "1.00" in first
    with pytest.raises(ValueError, match="pass a \\(3, 3\\) matrix"):
        widgets.attention_explorer(tokens=["a", "b", "c"], scores=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="pass 0 to 7"):
        widgets.attention_explorer(query=8)

"""Embedding, PositionalEmbedding, MultiHeadAttention, TransformerBlock, TiedHead, MeanPool (nnlite.attention),
Dense on (N, ..., n_in), and nl.shapes_only(): formulas, gradient checks, errors, counts and shapes."""

import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl
from nnlite.gradcheck import _numeric

SETTINGS = settings(max_examples=40, deadline=None)
TOL = 1e-6


def numeric_grad(f, array, eps=1e-6):
    """d f() / d array by central differences (array perturbed in place and restored)."""
    return _numeric(f, array, eps)


def reference_attention(X, layer):
    """Multi-head attention written head by head, token by token, from the definition."""
    N, T, D = X.shape
    H = layer.num_heads
    d = D // H
    Q = X @ layer.W_q.value + layer.b_q.value
    K = X @ layer.W_k.value + layer.b_k.value
    V = X @ layer.W_v.value + layer.b_v.value
    O = np.zeros_like(X)
    A = np.zeros((N, H, T, T))
    for n in range(N):
        for h in range(H):
            cols = slice(h * d, (h + 1) * d)
            for t in range(T):
                seen = t + 1 if layer.causal else T
                scores = np.array([Q[n, t, cols] @ K[n, s, cols] / np.sqrt(d) for s in range(seen)])
                weights = np.exp(scores - scores.max())
                weights /= weights.sum()
                A[n, h, t, :seen] = weights
                O[n, t, cols] = weights @ V[n, :seen, cols]
    return O @ layer.W_o.value + layer.b_o.value, A


# --- Embedding ------------------------------------------------------------------------------------

def test_embedding_row_is_one_hot_times_W(rng):
    emb = nl.Embedding(7, 3, rng=0)
    ids = np.array([[0, 6, 2], [2, 2, 5]])
    Y = emb(ids)
    assert Y.shape == (2, 3, 3) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y, np.eye(7)[ids] @ emb.W.value)


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4)])
def test_embedding_takes_any_integer_shape(shape, rng):
    emb = nl.Embedding(5, 2, rng=0)
    ids = rng.integers(0, 5, size=shape)
    assert emb(ids).shape == shape + (2,)
    assert emb(ids.astype(np.uint8)).shape == shape + (2,)


def test_embedding_backward_adds_repeated_ids_and_returns_none(rng):
    emb = nl.Embedding(6, 4, rng=0)
    ids = np.array([[1, 3, 1], [1, 0, 5]])              # id 1 three times, 2 and 4 never
    emb(ids)
    dY = rng.standard_normal((2, 3, 4))
    assert emb.backward(dY) is None
    expected = np.eye(6)[ids].reshape(-1, 6).T @ dY.reshape(-1, 4)
    np.testing.assert_allclose(emb.W.grad, expected, rtol=1e-12)
    np.testing.assert_allclose(emb.W.grad[1], dY[0, 0] + dY[0, 2] + dY[1, 0], rtol=1e-12)
    assert not emb.W.grad[[2, 4]].any()
    emb(ids)
    emb.backward(dY)                                    # gradients accumulate
    np.testing.assert_allclose(emb.W.grad, 2 * expected, rtol=1e-12)


def test_embedding_gradient_matches_central_differences(rng):
    emb = nl.Embedding(5, 3, rng=0)
    ids = rng.integers(0, 5, size=(3, 4))
    G = rng.standard_normal((3, 4, 3))
    emb(ids)
    emb.backward(G)
    numeric = numeric_grad(lambda: float(np.sum(emb.forward(ids) * G)), emb.W.value)
    assert nl.rel_error(emb.W.grad, numeric) < TOL


def test_embedding_init_is_standard_normal_and_seeded():
    W = nl.Embedding(400, 100, rng=0).W.value
    assert abs(W.mean()) < 0.01 and abs(W.std() - 1) < 0.01
    np.testing.assert_array_equal(W, nl.Embedding(400, 100, rng=0).W.value)
    assert nl.Embedding(3, 2, dtype=np.float32)(np.array([[1]])).dtype == np.float32


@pytest.mark.parametrize("ids, pattern", [
    (np.array([[0.0, 1.0]]), r"integer token ids, got an array of dtype float64.*astype\(int\)"),
    (np.array([[True, False]]), r"integer token ids, got an array of dtype bool"),
    (np.array([["a", "b"]]), r"integer token ids"),
    ([[1, 2], [3]], r"Make every row the same length"),
    (np.array([[0, 5]]), r"token id 5, outside the valid range 0 to 4"),
    (np.array([[-1, 2]]), r"token id -1, outside the valid range 0 to 4"),
], ids=["float", "bool", "strings", "ragged", "too-large", "negative"])
def test_embedding_refuses_bad_ids_and_says_what_to_do(ids, pattern):
    with pytest.raises(nl.InputError) as info:
        nl.Embedding(5, 2, rng=0)(ids)
    assert isinstance(info.value, ValueError)
    assert "Embedding(5, 2)" in str(info.value) and re.search(pattern, str(info.value))


@SETTINGS
@given(ids=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                      elements=st.integers(-3, 8)))
def test_embedding_with_any_integer_array_is_right_or_an_nnlite_error(ids):
    emb = nl.Embedding(6, 2, rng=0)
    if ids.size == 0 or (ids.min() >= 0 and ids.max() < 6):
        assert emb(ids).shape == ids.shape + (2,)
    else:
        with pytest.raises(nl.InputError, match="outside the valid range 0 to 5"):
            emb(ids)


# --- PositionalEmbedding -------------------------------------------------------------------------

def test_positional_embedding_adds_the_first_T_rows(rng):
    pos = nl.PositionalEmbedding(10, 4, rng=0)
    X = rng.standard_normal((2, 6, 4))
    np.testing.assert_allclose(pos(X), X + pos.W.value[:6], rtol=1e-12)
    assert abs(nl.PositionalEmbedding(1000, 100, rng=0).W.value.std() - 0.02) < 0.001


def test_positional_embedding_gradcheck_uses_only_the_rows_it_read(rng):
    pos = nl.PositionalEmbedding(8, 3, rng=0)
    errors = nl.gradcheck(pos, rng.standard_normal((2, 5, 3)))
    assert max(errors.values()) < TOL, errors
    pos(rng.standard_normal((2, 5, 3)))
    pos.backward(np.ones((2, 5, 3)))
    assert (pos.W.grad[:5] == 2).all() and not pos.W.grad[5:].any()


@pytest.mark.parametrize("X, pattern", [
    (np.ones((2, 9, 3)), r"at most 8 tokens, got sequences of 9.*max_len >= 9"),
    (np.ones((5, 3)), r"\(batch, tokens, 3\), got \(5, 3\)\. Add a batch axis"),
    (np.ones((2, 5, 4)), r"\(batch, tokens, 3\), got \(2, 5, 4\)"),
    (np.ones((2, 0, 3)), r"no tokens"),
])
def test_positional_embedding_errors(X, pattern):
    with pytest.raises(nl.ShapeError, match=pattern):
        nl.PositionalEmbedding(8, 3, rng=0)(X)


# --- MultiHeadAttention ----------------------------------------------------------------------------

@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("heads", [1, 2, 4])
def test_attention_matches_the_definition_written_out(causal, heads, rng):
    layer = nl.MultiHeadAttention(8, heads, causal=causal, rng=0)
    layer.b_q.value[:] = rng.standard_normal(8)          # non-zero biases, so they are exercised too
    layer.b_k.value[:] = rng.standard_normal(8)
    X = rng.standard_normal((2, 5, 8))
    Y = layer(X)
    Y_ref, A_ref = reference_attention(X, layer)
    np.testing.assert_allclose(Y, Y_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.attention, A_ref, rtol=1e-10, atol=1e-15)
    assert layer.attention.shape == (2, heads, 5, 5)
    np.testing.assert_allclose(layer.attention.sum(axis=-1), 1.0, rtol=1e-12)
    if causal:
        assert not layer.attention[..., np.triu_indices(5, k=1)[0], np.triu_indices(5, k=1)[1]].any()


@pytest.mark.parametrize("causal", [False, True])
def test_attention_gradcheck(causal, rng):
    layer = nl.MultiHeadAttention(6, 3, causal=causal, rng=0)
    layer.b_q.value[:] = rng.standard_normal(6)
    errors = nl.gradcheck(layer, rng.standard_normal((2, 4, 6)))
    # Adding the same number to all of a query's scores changes no softmax, so dL/db_k is exactly 0:
    # its relative error compares two zeros (rounding noise); check it in absolute terms.
    b_k_error = errors.pop("b_k")
    assert max(errors.values()) < TOL, errors
    layer(rng.standard_normal((2, 4, 6)))
    layer.zero_grad()
    layer.backward(rng.standard_normal((2, 4, 6)))
    assert np.abs(layer.b_k.grad).max() < 1e-12 and b_k_error <= 1


def test_a_broken_attention_backward_fails_the_check(rng):
    class NoSoftmaxCorrection(nl.MultiHeadAttention):   # forgets the -sum(dA * A) term of softmax backward
        def backward(self, dY, input_grad=True):
            A = self.attention
            saved = A.copy()
            A[...] = A + 1e-1 * (A > 0)                     # corrupt what backward reads
            try:
                return super().backward(dY, input_grad)
            finally:
                A[...] = saved

    errors = nl.gradcheck(NoSoftmaxCorrection(4, 2, rng=0), rng.standard_normal((2, 3, 4)))
    assert errors["input"] > 1e-3


def test_causal_output_does_not_depend_on_later_tokens(rng):
    layer = nl.MultiHeadAttention(4, 2, causal=True, rng=0)
    X = rng.standard_normal((1, 6, 4))
    Y = layer(X)
    X2 = X.copy()
    X2[0, 4:] += 10.0                                    # change tokens 4 and 5 only
    np.testing.assert_allclose(layer(X2)[0, :4], Y[0, :4], rtol=1e-12)
    assert not np.allclose(layer(X2)[0, 4:], Y[0, 4:])


def test_attention_parameters_count_and_init():
    d = 64
    layer = nl.MultiHeadAttention(d, 4, rng=0)
    assert [name for name, _ in layer.named_parameters()] == ["W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "W_o", "b_o"]
    assert sum(p.size for p in layer.parameters()) == 4 * d * d + 4 * d
    xavier = np.sqrt(6 / (d + 3 * d))                  # PyTorch's Xavier-uniform of the stacked (3d, d) in-projection
    for W in (layer.W_q, layer.W_k, layer.W_v):
        assert 0.95 * xavier < np.abs(W.value).max() <= xavier
    assert 0.95 / np.sqrt(d) < np.abs(layer.W_o.value).max() <= 1 / np.sqrt(d)
    assert not any(b.value.any() for b in (layer.b_q, layer.b_k, layer.b_v, layer.b_o))


def test_attention_count_does_not_depend_on_sequence_length(rng):
    layer = nl.MultiHeadAttention(8, 2, rng=0)
    for T in (1, 3, 17):
        assert layer(rng.standard_normal((2, T, 8))).shape == (2, T, 8)
    assert sum(p.size for p in layer.parameters()) == 4 * 64 + 4 * 8


def test_attention_errors():
    with pytest.raises(nl.NNLiteError, match=r"dim 10 does not split into 4 heads.*num_heads that divides dim"):
        nl.MultiHeadAttention(10, 4)
    with pytest.raises(nl.ShapeError, match=r"\(batch, tokens, 8\), got \(3, 8\)\. Add a batch axis"):
        nl.MultiHeadAttention(8, 2, rng=0)(np.ones((3, 8)))
    with pytest.raises(nl.NNLiteError, match="before forward"):
        nl.MultiHeadAttention(8, 2, rng=0).backward(np.ones((1, 2, 8)))


def test_attention_float32_stays_float32(rng):
    layer = nl.MultiHeadAttention(8, 2, causal=True, rng=0, dtype=np.float32)
    Y = layer(rng.standard_normal((2, 3, 8)))
    assert Y.dtype == np.float32 and layer.attention.dtype == np.float32
    assert layer.backward(np.ones_like(Y)).dtype == np.float32 and layer.W_q.grad.dtype == np.float32


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
def test_attention_with_any_shape_is_right_or_a_shape_error_naming_it(shape):
    layer = nl.MultiHeadAttention(4, 2, rng=0)
    if len(shape) == 3 and shape[2] == 4 and shape[0] > 0 and shape[1] > 0:
        assert layer(np.ones(shape)).shape == shape
    else:
        with pytest.raises(nl.ShapeError, match=re.escape(repr(layer))):
            layer(np.ones(shape))


# --- TransformerBlock ---------------------------------------------------------------------------

def test_block_is_pre_ln_attention_then_mlp(rng):
    block = nl.TransformerBlock(8, 2, 32, rng=0)
    assert isinstance(block.ln1, nl.LayerNorm) and isinstance(block.ln2, nl.LayerNorm)
    assert isinstance(block.attn, nl.MultiHeadAttention)
    assert [type(layer) for layer in block.mlp] == [nl.Dense, nl.GELU, nl.Dense]
    X = rng.standard_normal((2, 5, 8))
    Y = X + block.attn(block.ln1(X))
    np.testing.assert_allclose(block(X), Y + block.mlp(block.ln2(Y)), rtol=1e-12)


@pytest.mark.parametrize("d", [8, 64, 768])
def test_block_count_is_12_d_squared_plus_13_d(d):
    with nl.shapes_only():
        block = nl.TransformerBlock(d, 4, 4 * d)
    assert sum(p.size for p in block.parameters()) == 12 * d * d + 13 * d


@pytest.mark.parametrize("causal", [False, True])
def test_block_gradcheck(causal, rng):
    block = nl.TransformerBlock(4, 2, 8, causal=causal, rng=0)
    errors = nl.gradcheck(block, rng.standard_normal((2, 3, 4)))
    errors.pop("attn.b_k")                               # exactly 0 (see test_attention_gradcheck)
    assert max(errors.values()) < TOL, errors


def test_block_backward_without_input_grad_fills_every_grad(rng):
    block = nl.TransformerBlock(4, 2, 8, rng=0)
    block(rng.standard_normal((2, 3, 4)))
    assert block.backward(rng.standard_normal((2, 3, 4)), input_grad=False) is None
    assert all(p.grad.any() for name, p in block.named_parameters() if name != "attn.b_k")


# --- Dense and activations on (N, ..., n_in) --------------------------------------------------------

def test_dense_on_leading_axes_is_dense_on_every_row(rng):
    layer = nl.Dense(4, 3, rng=0)
    X = rng.standard_normal((2, 5, 4))
    Y = layer(X)
    assert Y.shape == (2, 5, 3)
    np.testing.assert_allclose(Y.reshape(-1, 3), layer(X.reshape(-1, 4)), rtol=1e-12)
    errors = nl.gradcheck(layer, rng.standard_normal((2, 3, 2, 4)))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cls", [nl.ReLU, nl.LeakyReLU, nl.Sigmoid, nl.Tanh, nl.Softmax, nl.GELU])
def test_activations_on_three_axes(cls, rng):
    errors = nl.gradcheck(cls(), rng.standard_normal((2, 3, 4)) + 0.05)
    assert errors["input"] < TOL


def test_dense_keeps_its_advice_for_a_vector_and_a_conv_output():
    layer = nl.Dense(3, 2, rng=0)
    with pytest.raises(nl.ShapeError, match=r"Add a batch axis: x\.reshape\(1, -1\)"):
        layer(np.ones(3))
    with pytest.raises(nl.ShapeError, match="Flatten it first"):
        layer(np.ones((2, 4, 5)))                      # a Conv1D output (N, C, L) with L != n_in
    assert layer(np.ones((2, 4, 3))).shape == (2, 4, 2)   # ... unless its last axis is n_in


# --- TiedHead and summary ---------------------------------------------------------------------------

def tiny_lm(rng=0):
    emb = nl.Embedding(11, 4, rng=rng)
    return nl.Sequential(emb, nl.PositionalEmbedding(6, 4, rng=rng), nl.TransformerBlock(4, 2, 16, causal=True, rng=rng),
                         nl.LayerNorm(4), nl.TiedHead(emb))


def test_tied_head_shares_the_parameter_and_counts_it_once():
    model = tiny_lm()
    head, emb = model[-1], model[0]
    assert head.W is emb.W
    params = model.parameters()
    assert sum(p is emb.W for p in params) == 1
    assert len(params) == len({id(p) for p in params})
    expected = 11 * 4 + 6 * 4 + (12 * 16 + 13 * 4) + 2 * 4
    assert sum(p.size for p in params) == expected
    text = model.summary_text((5,))
    assert f"Trainable parameters: {expected:,}" in text
    assert "W (11, 4) (tied to 0.W)" in text
    lines = text.splitlines()
    # A layer's row: its name's line, and the next one when a wide table puts names on lines of their own.
    def row(name):
        i = next(i for i, line in enumerate(lines) if line.startswith(name))
        below = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("  (") else ""
        return lines[i] + " " + below
    head_row = row("TiedHead")
    assert "(batch, 5, 11)" in head_row and head_row.rstrip().endswith(" 0")
    assert "(batch, 5, 4)" in row("Embedding")


def test_tied_head_gradients_from_both_uses_add_up(rng):
    model = tiny_lm()
    ids = rng.integers(0, 11, size=(2, 5))
    G = rng.standard_normal((2, 5, 11))
    model.zero_grad()
    model(ids)
    model.backward(G)
    W = model[0].W
    numeric = numeric_grad(lambda: float(np.sum(model(ids) * G)), W.value)
    assert nl.rel_error(W.grad, numeric) < TOL
    head = nl.TiedHead(nl.Embedding(11, 4, rng=1))
    errors = nl.gradcheck(head, rng.standard_normal((2, 3, 4)))
    assert max(errors.values()) < TOL, errors


def test_tied_model_trains_and_saves_once(rng, tmp_path):
    model = tiny_lm()
    ids = rng.integers(0, 11, size=(8, 5))
    loss_fn, opt = nl.CrossEntropyLoss(), nl.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):                                   # predict the same token: an easy task
        logits = model(ids)
        losses.append(loss_fn(logits.reshape(-1, 11), ids.reshape(-1)))
        model.backward(loss_fn.backward().reshape(logits.shape))
        opt.step()
        opt.zero_grad()
    assert losses[-1] < 0.5 * losses[0]
    nl.save(model, tmp_path / "lm.npz")
    assert sum(key.startswith("param:") for key in np.load(tmp_path / "lm.npz").files) == len(model.parameters())
    other = tiny_lm(rng=5)
    nl.load(other, tmp_path / "lm.npz")
    np.testing.assert_array_equal(other(ids), model(ids))
    assert other[-1].W is other[0].W


def test_tied_head_errors():
    with pytest.raises(nl.NNLiteError, match="reuses an Embedding"):
        nl.TiedHead(nl.Dense(3, 4))
    with pytest.raises(nl.ShapeError, match=r"\(batch, \.\.\., 4\), got \(4,\)\. Add a batch axis"):
        nl.TiedHead(nl.Embedding(5, 4))(np.ones(4))


# --- MeanPool ------------------------------------------------------------------------------------------

def test_mean_pool(rng):
    X = rng.standard_normal((2, 5, 3))
    np.testing.assert_allclose(nl.MeanPool()(X), X.mean(axis=1))
    assert nl.gradcheck(nl.MeanPool(), X)["input"] < TOL
    with pytest.raises(nl.ShapeError, match=r"\(batch, positions, features\)"):
        nl.MeanPool()(np.ones((2, 3)))


# --- shapes_only and GPT-2 small ------------------------------------------------------------------

GPT2_SMALL = 124_439_808


def test_gpt2_small_by_formula():
    V, P, d, blocks = 50_257, 1_024, 768, 12
    assert V * d + P * d + blocks * (12 * d * d + 13 * d) + 2 * d == GPT2_SMALL


def test_gpt2_small_counted_inside_shapes_only_allocates_almost_nothing():
    tracemalloc.start()
    try:
        with nl.shapes_only():
            model = nl.gpt2_small()
        count = sum(p.size for p in model.parameters())
        text = model.summary_text((1024,))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == GPT2_SMALL
    assert f"Trainable parameters: {GPT2_SMALL:,}" in text
    assert "(batch, 1024, 50257)" in text and "(tied to 0.W)" in text
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MB traced"
    blocks = [layer for layer in model if isinstance(layer, nl.TransformerBlock)]
    assert len(blocks) == 12 and all(b.attn.causal and b.attn.num_heads == 12 and b.hidden == 3072 for b in blocks)
    assert model[0].W.shape == (50_257, 768) and model[1].W.shape == (1_024, 768)
    assert not model[0].W.value.flags.writeable


def test_a_shapes_only_model_refuses_to_run_and_the_context_ends():
    with nl.shapes_only():
        model = nl.gpt2_small(num_tokens=10, max_len=4, dim=8, num_blocks=1, num_heads=2)
        dense = nl.Dense(4, 2)
    with pytest.raises(nl.NNLiteError, match=r"built inside nl\.shapes_only\(\).*Build it again outside"):
        model(np.zeros((1, 3), int))
    with pytest.raises(nl.NNLiteError, match="shapes_only"):
        dense(np.ones((1, 4)))
    model.zero_grad()                                    # harmless on placeholders
    real = nl.Dense(4, 2, rng=0)                         # after the block: real numbers again
    assert real.W.value.flags.writeable and real.W.value.any()
    try:
        with nl.shapes_only():
            raise KeyError("inside")
    except KeyError:
        pass
    assert nl.Dense(2, 2).W.value.flags.writeable        # the flag is reset even after an error


def test_small_gpt_runs_and_matches_its_count(rng):
    model = nl.gpt2_small(rng=0, num_tokens=20, max_len=8, dim=8, num_blocks=2, num_heads=2)
    assert model(rng.integers(0, 20, size=(3, 8))).shape == (3, 8, 20)
    assert sum(p.size for p in model.parameters()) == 20 * 8 + 8 * 8 + 2 * (12 * 64 + 13 * 8) + 16


def test_fit_trains_a_model_that_reads_token_ids():
    """fit and evaluate keep integer ids for a model that starts with an Embedding (they cast other
    inputs to floats): a bag-of-tokens classifier learns which of two tokens a sequence holds more of."""
    gen = np.random.default_rng(0)
    X = gen.integers(0, 2, size=(400, 7))
    y = (X.sum(axis=1) > 3).astype(int)
    model = nl.Sequential(nl.Embedding(2, 4, rng=0), nl.MeanPool(), nl.Dense(4, 2, rng=0))
    before, _ = nl.evaluate(model, nl.CrossEntropyLoss(), X, y)
    nl.fit(model, nl.CrossEntropyLoss(), nl.Adam(model.parameters(), lr=0.05), X, y, epochs=20,
           batch_size=50, validation=(X[:100], y[:100]), progress=False)
    after, acc = nl.evaluate(model, nl.CrossEntropyLoss(), X, y)
    assert after < before / 2 and acc > 0.9
    with pytest.raises(nl.InputError, match=r"integer token ids.*astype\(int\)"):
        nl.fit(model, nl.CrossEntropyLoss(), nl.Adam(model.parameters()), X.astype(float), y, progress=False)

"""PyTorch parity, float64, rtol 1e-6: Embedding, PositionalEmbedding, MultiHeadAttention (plain and causal,
with its attention weights), TransformerBlock (pre-LN, tanh GELU), TiedHead, Dense on (N, T, n_in).

Each test copies nnlite's weights into the PyTorch module, runs both forward and backward on the same input
and upstream gradient, and compares the outputs, dX and every parameter gradient. Skipped with a reason
when PyTorch is not installed (a failure under NNLITE_STRICT=1).
"""

import numpy as np
import pytest

import nnlite as nl

pytestmark = pytest.mark.parity
torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")

RTOL, ATOL = 1e-6, 1e-10


def t(array, grad=False):
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=grad)


def close(ours, theirs):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def copy_attention(layer, module):
    """nnlite's W_q, W_k, W_v, W_o (Y = X @ W) into PyTorch's stacked in-projection (Y = X @ W.T)."""
    with torch.no_grad():
        module.in_proj_weight.copy_(t(np.concatenate([layer.W_q.value.T, layer.W_k.value.T, layer.W_v.value.T])))
        module.in_proj_bias.copy_(t(np.concatenate([layer.b_q.value, layer.b_k.value, layer.b_v.value])))
        module.out_proj.weight.copy_(t(layer.W_o.value.T))
        module.out_proj.bias.copy_(t(layer.b_o.value))


def check_attention_grads(layer, module):
    D = layer.dim
    gW, gb = module.in_proj_weight.grad.numpy(), module.in_proj_bias.grad.numpy()
    for i, (W, b) in enumerate(((layer.W_q, layer.b_q), (layer.W_k, layer.b_k), (layer.W_v, layer.b_v))):
        close(W.grad, gW[i * D:(i + 1) * D].T)
        close(b.grad, gb[i * D:(i + 1) * D])
    close(layer.W_o.grad, module.out_proj.weight.grad.T)
    close(layer.b_o.grad, module.out_proj.bias.grad)


def test_embedding_parity():
    layer = nl.Embedding(9, 5, rng=0)
    module = torch.nn.Embedding(9, 5).double()
    with torch.no_grad():
        module.weight.copy_(t(layer.W.value))
    ids = np.array([[1, 4, 4, 8], [0, 1, 1, 1]])        # repeated ids
    G = np.random.default_rng(1).standard_normal((2, 4, 5))
    Y = layer(ids)
    assert layer.backward(G) is None
    Yt = module(torch.tensor(ids))
    Yt.backward(t(G))
    close(Y, Yt)
    close(layer.W.grad, module.weight.grad)


def test_embedding_init_has_pytorch_distribution():
    ours, theirs = nl.Embedding(500, 64, rng=0).W.value, torch.nn.Embedding(500, 64).weight.detach().numpy()
    assert abs(ours.std() - theirs.std()) < 0.02 and abs(ours.mean() - theirs.mean()) < 0.02


def test_positional_embedding_parity():
    layer = nl.PositionalEmbedding(7, 4, rng=0)
    W = t(layer.W.value, grad=True)
    X = np.random.default_rng(1).standard_normal((3, 5, 4))
    G = np.random.default_rng(2).standard_normal((3, 5, 4))
    Y, dX = layer(X), None
    dX = layer.backward(G)
    Xt = t(X, grad=True)
    Yt = Xt + W[:5]
    Yt.backward(t(G))
    close(Y, Yt)
    close(dX, Xt.grad)
    close(layer.W.grad, W.grad)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("dim, heads", [(8, 1), (8, 2), (12, 4)])
def test_multi_head_attention_parity(causal, dim, heads):
    rng = np.random.default_rng(3)
    layer = nl.MultiHeadAttention(dim, heads, causal=causal, rng=0)
    for b in (layer.b_q, layer.b_k, layer.b_v, layer.b_o):
        b.value[:] = rng.standard_normal(dim)          # non-zero biases, so their mapping is tested
    module = torch.nn.MultiheadAttention(dim, heads, batch_first=True).double()
    copy_attention(layer, module)
    X, G = rng.standard_normal((2, 6, dim)), rng.standard_normal((2, 6, dim))
    Y = layer(X)
    dX = layer.backward(G)
    Xt = t(X, grad=True)
    mask = torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1) if causal else None
    Yt, At = module(Xt, Xt, Xt, attn_mask=mask, need_weights=True, average_attn_weights=False)
    Yt.backward(t(G))
    close(Y, Yt)
    close(layer.attention, At)
    close(dX, Xt.grad)
    check_attention_grads(layer, module)


def test_multi_head_attention_init_has_pytorch_bounds():
    dim = 64
    layer, module = nl.MultiHeadAttention(dim, 4, rng=0), torch.nn.MultiheadAttention(dim, 4, batch_first=True)
    theirs_in = float(module.in_proj_weight.detach().abs().max())
    theirs_out = float(module.out_proj.weight.detach().abs().max())
    ours_in = max(float(np.abs(W.value).max()) for W in (layer.W_q, layer.W_k, layer.W_v))
    assert abs(ours_in - theirs_in) < 0.02 * theirs_in            # both fill U(-a, a), a = sqrt(6 / (4 dim))
    assert abs(float(np.abs(layer.W_o.value).max()) - theirs_out) < 0.05 * theirs_out
    assert not module.in_proj_bias.detach().numpy().any() and not module.out_proj.bias.detach().numpy().any()


@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block_parity(causal):
    dim, heads, hidden = 8, 2, 32
    rng = np.random.default_rng(4)
    block = nl.TransformerBlock(dim, heads, hidden, causal=causal, rng=0)
    for p in (block.ln1.gamma, block.ln1.beta, block.ln2.gamma, block.ln2.beta, block.attn.b_q, block.attn.b_o):
        p.value[:] = rng.standard_normal(p.shape)        # not the initial 1s and 0s
    module = torch.nn.TransformerEncoderLayer(dim, heads, hidden, dropout=0.0, norm_first=True, batch_first=True,
                                              activation=lambda x: torch.nn.functional.gelu(x, approximate="tanh"))
    module = module.double()
    copy_attention(block.attn, module.self_attn)
    dense1, dense2 = block.mlp[0], block.mlp[2]
    with torch.no_grad():
        for ours, theirs in ((block.ln1, module.norm1), (block.ln2, module.norm2)):
            theirs.weight.copy_(t(ours.gamma.value))
            theirs.bias.copy_(t(ours.beta.value))
        for ours, theirs in ((dense1, module.linear1), (dense2, module.linear2)):
            theirs.weight.copy_(t(ours.W.value.T))
            theirs.bias.copy_(t(ours.b.value))
    X, G = rng.standard_normal((3, 5, dim)), rng.standard_normal((3, 5, dim))
    Z = block(X)
    dX = block.backward(G)
    Xt = t(X, grad=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64) if causal else None
    Zt = module(Xt, src_mask=mask, is_causal=causal)
    Zt.backward(t(G))
    close(Z, Zt)
    close(dX, Xt.grad)
    check_attention_grads(block.attn, module.self_attn)
    for ours, theirs in ((block.ln1, module.norm1), (block.ln2, module.norm2)):
        close(ours.gamma.grad, theirs.weight.grad)
        close(ours.beta.grad, theirs.bias.grad)
    for ours, theirs in ((dense1, module.linear1), (dense2, module.linear2)):
        close(ours.W.grad, theirs.weight.grad.T)
        close(ours.b.grad, theirs.bias.grad)


def test_tied_head_and_dense_on_sequences_parity():
    rng = np.random.default_rng(5)
    emb, dense = nl.Embedding(7, 4, rng=0), nl.Dense(4, 4, rng=1)
    model = nl.Sequential(emb, dense, nl.GELU(), nl.TiedHead(emb))
    W, Wd, bd = t(emb.W.value, grad=True), t(dense.W.value, grad=True), t(dense.b.value, grad=True)
    ids = rng.integers(0, 7, size=(2, 5))
    G = rng.standard_normal((2, 5, 7))
    logits = model(ids)
    model.backward(G)
    H = torch.nn.functional.gelu(W[torch.tensor(ids)] @ Wd + bd, approximate="tanh")
    logits_t = H @ W.T                                    # PyTorch's weight tying: the same tensor twice
    logits_t.backward(t(G))
    close(logits, logits_t)
    close(emb.W.grad, W.grad)
    close(dense.W.grad, Wd.grad)
    close(dense.b.grad, bd.grad)

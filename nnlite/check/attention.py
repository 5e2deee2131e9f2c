"""Checkers for chapter 10, embeddings and attention (an embedding lookup, scaled dot-product attention,
the causal mask), and for chapter 11, the transformer block (a block's parameter count, a GPT-2-style
model's count, one pre-LN residual step)."""

from functools import partial

import numpy as np

from . import _reference as ref
from ._common import _rng
from ._exercise import Exercise
from .normalisation import _normalise


def _swap(K):
    return np.swapaxes(K, -1, -2)


def _softmax(scores, axis=-1):
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attend(Q, K, V, scale=None, axis=-1, mask=None, after=False, keys_first=False):
    """Attention with one thing changed: the scale, the softmax axis, where and how the mask goes."""
    scores = (K @ _swap(Q)) if keys_first else (Q @ _swap(K))
    scores = scores / (np.sqrt(Q.shape[-1]) if scale is None else scale)
    if mask is not None and not after:
        scores = np.where(mask, -np.inf, scores)
    weights = _softmax(scores, axis)
    if mask is not None and after:
        weights = np.where(mask, 0.0, weights)
    return weights @ V


def embedding_lookup(student):
    """Check ``embedding_lookup(ids, W)``: the rows of W picked by the ids, ids (N, T), W (V, d) -> (N, T, d)."""
    ex = Exercise("embedding_lookup(ids, W)", ref.embedding_lookup,
                  hint="token id k stands for row k of W: pick one row per id, keeping the (N, T) layout of ids.",
                  shape_hint="one row of W (d numbers) for each of the N x T ids: (N, T, d).",
                  mistakes=[
                      ("ids count from 0: id k is row k of W (Python indexing), not row k - 1.",
                       lambda ids, W: W[ids - 1]),
                      ("pick rows of W (one per token id), not columns.", lambda ids, W: W[:, ids]),
                      ("that is the one-hot matrix; multiply it by W (or pick the rows of W directly).",
                       lambda ids, W: np.eye(len(W))[ids]),
                      ("keep one vector per position: do not add the rows of a sequence together.",
                       lambda ids, W: W[ids].sum(axis=1)),
                      ("keep one vector per position: do not average the rows of a sequence.",
                       lambda ids, W: W[ids].mean(axis=1)),
                      ("W has one row per token (V, d): use it as it is, not transposed.",
                       lambda ids, W: W.T[ids]),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(np.array([[0, 2, 1]]), np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]])),
        ex.case(np.array([[3, 3, 0], [1, 2, 3]]), rng.normal(size=(4, 5))),
        ex.case(rng.integers(0, 10, size=(3, 7)), rng.normal(size=(10, 3))),
        ex.case(rng.integers(0, 50, size=(2, 4)), rng.normal(size=(50, 8))),
    ])


def dot_product_attention(student):
    """Check ``dot_product_attention(Q, K, V)``: softmax(Q K^T / sqrt(d)) V, on (T, d) and batched inputs."""
    ex = Exercise("dot_product_attention(Q, K, V)", ref.dot_product_attention,
                  hint="scores = Q times K transposed, divided by the square root of d (the last axis of Q); "
                       "softmax over the keys (the last axis); then the weighted sum of the rows of V.",
                  shape_hint="Q (..., T_q, d) with K (..., T_k, d) gives scores (..., T_q, T_k); times V (..., T_k, "
                             "d_v) gives (..., T_q, d_v). np.swapaxes(K, -1, -2) transposes the last two axes.",
                  warning_hint="exp overflowed: subtract each row's maximum score before the exp, as a stable "
                               "softmax does.",
                  mistakes=[
                      ("divide the scores by sqrt(d), the square root of the key dimension.",
                       lambda Q, K, V: _attend(Q, K, V, scale=1.0)),
                      ("divide by the square root of d, not by d itself.",
                       lambda Q, K, V: _attend(Q, K, V, scale=Q.shape[-1])),
                      ("the softmax runs over the keys, the last axis: each query's weights add up to 1.",
                       lambda Q, K, V: _attend(Q, K, V, axis=-2)),
                      ("the scores are Q times K transposed (queries in rows, keys in columns), not K times Q "
                       "transposed.", lambda Q, K, V: _attend(Q, K, V, keys_first=True) if Q.shape == K.shape else None),
                      ("the attention weights are not the output: multiply them by V.",
                       lambda Q, K, V: _softmax(Q @ _swap(K) / np.sqrt(Q.shape[-1]))),
                      ("forgot the softmax: the weights must be positive and add up to 1 over the keys.",
                       lambda Q, K, V: Q @ _swap(K) / np.sqrt(Q.shape[-1]) @ V),
                      ("divide by the square root of d = Q.shape[-1], the size of one query, not by the number "
                       "of positions.", lambda Q, K, V: _attend(Q, K, V, scale=np.sqrt(K.shape[-2]))),
                  ])
    rng = _rng()
    Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    K = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, -1.0], [0.0, 0.0]])
    V = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    return ex.run(student, [
        ex.case(Q, K, V, label="the 3 queries and 4 keys of the golden example"),
        ex.case(rng.normal(size=(4, 8)), rng.normal(size=(4, 8)), rng.normal(size=(4, 3))),
        ex.case(rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 3))),
        ex.case(rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 5, 4))),
        ex.case(30 * rng.normal(size=(3, 16)), 30 * rng.normal(size=(3, 16)), rng.normal(size=(3, 2)),
                label="large scores (a softmax must stay finite)"),
    ])


def causal_attention(student):
    """Check ``causal_attention(Q, K, V)``: attention where position i sees only positions j <= i."""
    def future(Q):
        T = Q.shape[-2]
        return np.triu(np.ones((T, T), dtype=bool), k=1)

    ex = Exercise("causal_attention(Q, K, V)", ref.causal_attention,
                  hint="compute the scaled scores, set every score of a later key (j > i) to -inf, then take "
                       "the softmax over the keys and multiply by V.",
                  shape_hint="Q, K, V are (..., T, d); the scores are (..., T, T) and the output (..., T, d_v).",
                  warning_hint="exp overflowed, or a whole row was masked: subtract each row's maximum before the "
                               "exp, and keep the diagonal (a position may attend to itself).",
                  mistakes=[
                      ("forgot the mask: position i must not see the positions after it.",
                       lambda Q, K, V: _attend(Q, K, V)),
                      ("a position may attend to itself: mask only j > i (np.triu(..., k=1)), keep the diagonal.",
                       lambda Q, K, V: _attend(Q, K, V, mask=np.triu(np.ones(future(Q).shape, dtype=bool)))),
                      ("that masks the past: position i should see j <= i and not the later positions.",
                       lambda Q, K, V: _attend(Q, K, V, mask=future(Q).T)),
                      ("mask before the softmax: zeroing weights afterwards leaves rows that no longer add up "
                       "to 1.", lambda Q, K, V: _attend(Q, K, V, mask=future(Q), after=True)),
                      ("a masked score must be -inf (or a huge negative number), not 0: exp(0) = 1 still gives "
                       "the future some weight.",
                       lambda Q, K, V: _softmax(np.where(future(Q), 0.0, Q @ _swap(K) / np.sqrt(Q.shape[-1]))) @ V),
                      ("divide the scores by sqrt(d), the square root of the key dimension.",
                       lambda Q, K, V: _attend(Q, K, V, scale=1.0, mask=future(Q))),
                  ])
    rng = _rng()
    golden = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    return ex.run(student, [
        ex.case(golden, golden, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                label="the golden example of 3 positions, Q = K"),
        ex.case(rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))),
        ex.case(rng.normal(size=(2, 6, 8)), rng.normal(size=(2, 6, 8)), rng.normal(size=(2, 6, 8))),
        ex.case(rng.normal(size=(2, 2, 4, 3)), rng.normal(size=(2, 2, 4, 3)), rng.normal(size=(2, 2, 4, 5))),
    ])


def block_parameters(student):
    """Check ``block_parameters(dim, hidden)``: the parameters of one pre-LN transformer block (an int)."""
    ex = Exercise("block_parameters(dim, hidden)", ref.block_parameters, returns="int",
                  hint="add up attention (four d x d matrices and four biases), the MLP (d -> hidden -> d, "
                       "weights and biases) and the two LayerNorms (a gain and a shift of d numbers each).",
                  mistakes=[
                      ("forgot the biases (of the attention projections and the MLP).",
                       lambda d, h: 4 * d * d + 2 * d * h + 4 * d),
                      ("forgot the two LayerNorms: each has a gain and a shift, 2 d parameters.",
                       lambda d, h: 4 * d * d + 4 * d + 2 * d * h + h + d),
                      ("there are two LayerNorms in a block, one before attention and one before the MLP.",
                       lambda d, h: 4 * d * d + 4 * d + 2 * d * h + h + d + 2 * d),
                      ("attention has four projections: queries, keys, values and the output W_o.",
                       lambda d, h: 3 * d * d + 3 * d + 2 * d * h + h + d + 4 * d),
                      ("the MLP has two Dense layers: d -> hidden and hidden -> d.",
                       lambda d, h: 4 * d * d + 4 * d + d * h + h + 4 * d),
                      ("the MLP's biases: hidden for its first layer and d for its second.",
                       lambda d, h: 4 * d * d + 4 * d + 2 * d * h + 2 * d + 4 * d),
                      ("use the hidden size you are given; it is not always 4 d.",
                       lambda d, h: 12 * d * d + 13 * d),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(768, 3072),
        ex.case(4, 16),
        ex.case(64, 100),
        ex.case(int(rng.integers(8, 200)), int(rng.integers(8, 600))),
    ])


def gpt_parameters(student):
    """Check ``gpt_parameters(vocab, context, dim, layers)``: a GPT-2-style model's parameters (an int)."""
    block = ref.block_parameters
    ex = Exercise("gpt_parameters(vocab, context, dim, layers)", ref.gpt_parameters, returns="int",
                  hint="token embedding (vocab x dim) + position embedding (context x dim) + layers blocks of "
                       "12 dim^2 + 13 dim + the final LayerNorm (2 dim); the tied output head adds nothing.",
                  mistakes=[
                      ("the output head is tied to the token embedding: it reuses the same matrix and adds no "
                       "parameters.", lambda v, c, d, n: ref.gpt_parameters(v, c, d, n) + v * d),
                      ("count nothing for the tied head: it has neither weights nor a bias of its own.",
                       lambda v, c, d, n: ref.gpt_parameters(v, c, d, n) + v * d + v),
                      ("forgot the position embedding (context x dim).",
                       lambda v, c, d, n: v * d + n * block(d, 4 * d) + 2 * d),
                      ("forgot the final LayerNorm after the last block (2 dim).",
                       lambda v, c, d, n: v * d + c * d + n * block(d, 4 * d)),
                      ("every block has the same parameters: multiply one block's count by the number of layers.",
                       lambda v, c, d, n: v * d + c * d + block(d, 4 * d) + 2 * d),
                      ("the MLP of a GPT-2 block has 4 dim hidden units.",
                       lambda v, c, d, n: v * d + c * d + n * block(d, d) + 2 * d),
                  ])
    rng = _rng()
    return ex.run(student, [
        ex.case(50257, 1024, 768, 12),
        ex.case(10, 8, 4, 1),
        ex.case(100, 16, 32, 3),
        ex.case(int(rng.integers(10, 1000)), int(rng.integers(4, 64)), int(rng.integers(2, 64)),
                int(rng.integers(1, 8))),
    ])


def _sublayer(A, label):
    def sublayer(Z):
        return np.tanh(Z @ A)
    sublayer.label = label
    return sublayer


_norm = partial(_normalise, axis=-1)      # LayerNorm over each position's features


def pre_ln_residual(student):
    """Check ``pre_ln_residual(X, sublayer, gamma, beta)``: X + sublayer(LayerNorm(X)), X (..., d)."""
    ex = Exercise("pre_ln_residual(X, sublayer, gamma, beta, eps=1e-5)", ref.pre_ln_residual,
                  hint="normalise each position's d features (mean 0, variance 1, then gamma and beta), pass the "
                       "result through the sublayer, and add what comes out to the original X.",
                  shape_hint="the output has X's shape: the residual stream keeps its width d.",
                  mistakes=[
                      ("that is post-LN (the original transformer): in pre-LN the norm comes first, inside the "
                       "branch, and the sum is not normalised.",
                       lambda X, f, g, b, eps=1e-5: _norm(X + f(X), g, b, eps)),
                      ("forgot the residual: add the sublayer's output to X.",
                       lambda X, f, g, b, eps=1e-5: f(_norm(X, g, b, eps))),
                      ("add the sublayer's output to the original X, not to the normalised X: the residual "
                       "stream itself is never normalised.",
                       lambda X, f, g, b, eps=1e-5: _norm(X, g, b, eps) + f(_norm(X, g, b, eps))),
                      ("forgot the LayerNorm before the sublayer.",
                       lambda X, f, g, b, eps=1e-5: X + f(X)),
                      ("a LayerNorm normalises over the features, the last axis, of each position.",
                       lambda X, f, g, b, eps=1e-5: X + f(_norm(X, g, b, eps, axis=0))),
                      ("forgot gamma and beta, the LayerNorm's gain and shift.",
                       lambda X, f, g, b, eps=1e-5: X + f(_norm(X, 1.0, 0.0, eps))),
                      ("a LayerNorm uses the biased variance (divide by d, np.var's default).",
                       lambda X, f, g, b, eps=1e-5: X + f(_norm(X, g, b, eps, ddof=1))),
                  ])
    rng = _rng()
    A1, A2, A3 = rng.normal(size=(4, 4)), rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    return ex.run(student, [
        ex.case(np.array([[1.0, 2.0, 3.0, 6.0], [0.0, -1.0, 1.0, 0.0]]), _sublayer(np.eye(4), "tanh (identity)"),
                np.ones(4), np.zeros(4), label="a golden example with gamma = 1, beta = 0"),
        ex.case(rng.normal(size=(3, 4)) * 3 + 1, _sublayer(A1, "sublayer"), rng.normal(size=4), rng.normal(size=4)),
        ex.case(rng.normal(size=(2, 5, 6)), _sublayer(A2, "sublayer"), rng.normal(size=6), rng.normal(size=6)),
        ex.case(rng.normal(size=(2, 3, 3)) * 5, _sublayer(A3, "sublayer"), 1 + rng.random(3), rng.normal(size=3)),
    ])

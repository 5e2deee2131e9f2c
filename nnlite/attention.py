"""Layers of the attention era: Embedding, PositionalEmbedding, MultiHeadAttention, TransformerBlock,
TiedHead and MeanPool, and ``gpt2_small()``, GPT-2 small built from them.

Shapes: N sequences of T tokens; each token is a vector of ``dim`` numbers. Token ids (N, T) become
vectors (N, T, dim) in an Embedding; every later layer maps (N, T, dim) to (N, T, dim), until a head
turns each position into scores (N, T, num_tokens) or MeanPool averages the positions into (N, dim).
Conventions as in the rest of nnlite: Y = X @ W + b with W (n_in, n_out), float64 by default, ``rng=``
and ``dtype=``; initial values as PyTorch's (``nn.Embedding``, ``nn.MultiheadAttention``) and GPT-2's
(positions).
"""

import numpy as np

from . import functional as F
from . import init
from .core import Layer, Sequential, as_float, building_shapes_only, new_parameter, validate_input
from .errors import InputError, NNLiteError, ShapeError
from .layers import Dense, GELU, _check_size
from .normalization import LayerNorm


def _validate_tokens(X, layer, dim, dtype):
    """Check that X is (N, T, dim) vectors and cast it; errors say how to fix the shape."""
    X = as_float(X, layer, dtype)
    if X.ndim != 3 or X.shape[2] != dim:
        hint = (" Add a batch axis: x[None]." if X.ndim == 2 and X.shape[1] == dim else
                f" Pass a batch of sequences of {dim}-number vectors, e.g. the output of Embedding(..., {dim}).")
        raise ShapeError(f"{layer!r} expects input of shape (batch, tokens, {dim}), got {X.shape}.{hint}")
    if X.shape[1] == 0:
        raise ShapeError(f"{layer!r} got sequences of no tokens, shape {X.shape}. Pass at least one token.")
    return validate_input(X, layer, (None, None, dim), dtype)      # empty batch, NaN, infinity


class Embedding(Layer):
    """A table of learned vectors, one row per token id: Y = W[ids].

    Looking up row i is the same as multiplying the one-hot vector of i by W, without building it.

    Args:
        num_embeddings: how many ids (rows), e.g. the vocabulary size.
        dim: numbers per vector.
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: ids (N, T) integers in [0, num_embeddings) -> Y (N, T, dim); any integer shape (...) -> (..., dim).

    Attributes:
        W: Parameter (num_embeddings, dim), init N(0, 1) as PyTorch's nn.Embedding.

    Backward adds each row of dY into the row of W.grad its id picked (a repeated id adds up) and returns
    None: ids are not numbers that could change a little, so they have no gradient.

    Example:
        >>> emb = Embedding(10, 4, rng=0)
        >>> emb(np.array([[1, 2, 1]])).shape
        (1, 3, 4)
    """

    takes_ids = True           # summary() probes it with integer zeros

    def __init__(self, num_embeddings, dim, rng=None, dtype=np.float64):
        self.num_embeddings = _check_size(num_embeddings, "num_embeddings", "Embedding")
        self.dim = _check_size(dim, "dim", "Embedding")
        self.dtype = init.check_dtype(dtype)
        rng = init.make_rng(rng)
        self.W = new_parameter((self.num_embeddings, self.dim), self.dtype, "W",
                               lambda p: init.normal(p, std=1.0, rng=rng))
        self.shapes_only = building_shapes_only()
        self._ids = None

    def forward(self, ids):
        ids = self._check_ids(ids)
        self._ids = ids                                     # kept for backward
        return self.W.value[ids]                            # (N, T, dim)

    def backward(self, dY, input_grad=True):
        ids = self._need_cache(self._ids)
        dY = self._check_grad(dY, ids.shape + (self.dim,))
        np.add.at(self.W.grad, ids.reshape(-1), dY.reshape(-1, self.dim))   # (num, dim); repeats add up
        return None                                         # no gradient for integer ids

    def _check_ids(self, ids):
        if not isinstance(ids, np.ndarray):
            try:
                ids = np.asarray(ids)
            except (ValueError, TypeError):
                raise InputError(f"{self!r} expects integer token ids, e.g. an array of shape (batch, tokens); "
                                 "could not convert the input. Make every row the same length.") from None
        if ids.dtype.kind not in "iu":
            raise InputError(f"{self!r} expects integer token ids, got an array of dtype {ids.dtype}. Ids pick "
                             "rows of the table; convert them with ids.astype(int) (or map each token to its "
                             "number first).")
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
            raise InputError(f"{self!r} got token id {bad}, outside the valid range 0 to "
                             f"{self.num_embeddings - 1}. Build Embedding with num_embeddings larger than the "
                             "largest id, or map the ids into that range.")
        return ids

    def parameters(self):
        return [self.W]

    def output_shape(self, input_shape):
        return tuple(input_shape) + (self.dim,)

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.dim})"


class PositionalEmbedding(Layer):
    """A learned vector per position, added to each token's vector: Y = X + W[:T] (GPT-2's way).

    Without it, attention sees a set of tokens, not a sequence: nothing else tells it their order.

    Args:
        max_len: the longest sequence.
        dim: numbers per vector.
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, dim) with T <= max_len -> Y (N, T, dim).

    Attributes:
        W: Parameter (max_len, dim), init N(0, 0.02²) as GPT-2 (standard deviation 0.02).
    """

    def __init__(self, max_len, dim, rng=None, dtype=np.float64):
        self.max_len = _check_size(max_len, "max_len", "PositionalEmbedding")
        self.dim = _check_size(dim, "dim", "PositionalEmbedding")
        self.dtype = init.check_dtype(dtype)
        rng = init.make_rng(rng)
        self.W = new_parameter((self.max_len, self.dim), self.dtype, "W",
                               lambda p: init.normal(p, std=0.02, rng=rng))
        self.shapes_only = building_shapes_only()
        self._shape = None

    def forward(self, X):
        X = _validate_tokens(X, self, self.dim, self.dtype)
        T = X.shape[1]
        if T > self.max_len:
            raise ShapeError(f"{self!r} has positions for at most {self.max_len} tokens, got sequences of {T}. "
                             f"Cut the sequences to {self.max_len} tokens or build it with max_len >= {T}.")
        self._shape = X.shape
        return X + self.W.value[:T]                         # (N, T, dim) + (T, dim)

    def backward(self, dY, input_grad=True):
        shape = self._need_cache(self._shape)
        dY = self._check_grad(dY, shape)
        T = shape[1]
        self.W.grad[:T] += dY.sum(axis=0)                   # (T, dim): every sequence used these rows
        return dY if input_grad else None

    def parameters(self):
        return [self.W]

    def output_shape(self, input_shape):
        ok = len(input_shape) == 3 and input_shape[2] == self.dim and input_shape[1] <= self.max_len
        return tuple(input_shape) if ok else None

    def __repr__(self):
        return f"PositionalEmbedding({self.max_len}, {self.dim})"


class MultiHeadAttention(Layer):
    """Multi-head self-attention (Vaswani et al., 2017): every token takes a weighted mean of all tokens'
    values, with weights from how well its query matches their keys.

    Q = X @ W_q + b_q, K = X @ W_k + b_k, V = X @ W_v + b_v, each (N, T, dim), split along the last axis
    into ``num_heads`` heads of d = dim // num_heads numbers (head h takes columns h·d to (h+1)·d - 1);
    per head A = softmax(Q K^T / sqrt(d)) (N, heads, T, T), rows summing to 1, and O = A @ V;
    the heads side by side, (N, T, dim), then Y = O @ W_o + b_o.
    With ``causal=True`` token t attends only to tokens 0..t (its scores for later tokens are -inf).

    Args:
        dim: numbers per token.
        num_heads: heads; must divide dim.
        causal: mask out later tokens (default False).
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, dim) -> Y (N, T, dim). The count, 4·dim² + 4·dim, does not depend on T.

    Attributes:
        W_q, W_k, W_v: Parameters (dim, dim), init U(-a, a), a = sqrt(6 / (dim + 3·dim)): Xavier-uniform
            of PyTorch's stacked (3·dim, dim) in-projection.  W_o: (dim, dim), U(-1/sqrt(dim), 1/sqrt(dim)).
        b_q, b_k, b_v, b_o: Parameters (dim,), init 0.
        attention: the weights A of the last forward, (N, heads, T, T).

    Equivalent to ``torch.nn.MultiheadAttention(dim, num_heads, batch_first=True)`` with
    ``in_proj_weight = [W_q.T; W_k.T; W_v.T]`` and ``out_proj.weight = W_o.T``.
    """

    def __init__(self, dim, num_heads, causal=False, rng=None, dtype=np.float64):
        self.dim = _check_size(dim, "dim", "MultiHeadAttention")
        self.num_heads = _check_size(num_heads, "num_heads", "MultiHeadAttention")
        if self.dim % self.num_heads:
            raise NNLiteError(f"MultiHeadAttention: dim {self.dim} does not split into {self.num_heads} heads of "
                              f"equal size. Choose num_heads that divides dim (e.g. "
                              f"{max(h for h in range(1, self.num_heads + 1) if self.dim % h == 0)}), or change dim.")
        self.causal = bool(causal)
        self.dtype = init.check_dtype(dtype)
        rng = init.make_rng(rng)
        xavier = lambda p: init.xavier_uniform(p, fan_in=self.dim, fan_out=3 * self.dim, rng=rng)
        for name in ("W_q", "W_k", "W_v"):
            setattr(self, name, new_parameter((self.dim, self.dim), self.dtype, name, xavier))
        self.W_o = new_parameter((self.dim, self.dim), self.dtype, "W_o",
                                 lambda p: init.uniform_fan_in(p, fan_in=self.dim, rng=rng))
        for name in ("b_q", "b_k", "b_v", "b_o"):
            setattr(self, name, new_parameter((self.dim,), self.dtype, name, init.zeros))
        self.shapes_only = building_shapes_only()
        self.attention = None
        self._cache = None

    def forward(self, X):
        X = _validate_tokens(X, self, self.dim, self.dtype)
        N, T, D = X.shape
        H, d = self.num_heads, D // self.num_heads
        W = np.concatenate([self.W_q.value, self.W_k.value, self.W_v.value], axis=1)     # (D, 3D): one product
        b = np.concatenate([self.b_q.value, self.b_k.value, self.b_v.value])              # (3D,)
        QKV = (X.reshape(N * T, D) @ W + b).reshape(N, T, 3, H, d)                        # heads: column slices
        Q, K, V = np.ascontiguousarray(QKV.transpose(2, 0, 3, 1, 4))                      # each (N, H, T, d)
        Q *= 1.0 / np.sqrt(d)                                                             # scaled queries
        S = Q @ K.transpose(0, 1, 3, 2)                                                   # (N, H, T, T) scores
        if self.causal:
            S[..., np.triu(np.ones((T, T), bool), k=1)] = -np.inf                         # no looking ahead
        S -= S.max(axis=-1, keepdims=True)                                                # stable softmax
        A = np.exp(S, out=S)
        A /= A.sum(axis=-1, keepdims=True)                                                # rows sum to 1
        O = (A @ V).transpose(0, 2, 1, 3).reshape(N, T, D)                                # heads side by side
        self.attention = A
        self._cache = (X, W, Q, K, V, A, O)
        return O @ self.W_o.value + self.b_o.value                                        # (N, T, D)

    def backward(self, dY, input_grad=True):
        X, W, Q, K, V, A, O = self._need_cache(self._cache)
        N, H, T, d = Q.shape
        D = H * d
        dY = self._check_grad(dY, (N, T, D)).reshape(N * T, D)
        self.W_o.grad += O.reshape(N * T, D).T @ dY                                       # (D, D)
        self.b_o.grad += dY.sum(axis=0)                                                   # (D,)
        dO = (dY @ self.W_o.value.T).reshape(N, T, H, d).transpose(0, 2, 1, 3)            # (N, H, T, d)
        dA = dO @ V.transpose(0, 1, 3, 2)                                                 # (N, H, T, T)
        dA -= (dA * A).sum(axis=-1, keepdims=True)                                        # softmax backward:
        dS = np.multiply(dA, A, out=dA)                                                   # masked: A = 0, dS = 0
        dQKV = np.empty((N, T, 3, H, d), X.dtype)                                         # as QKV in forward
        dQKV[:, :, 0] = (dS @ K).transpose(0, 2, 1, 3) * (1.0 / np.sqrt(d))               # dQ
        dQKV[:, :, 1] = (dS.transpose(0, 1, 3, 2) @ Q).transpose(0, 2, 1, 3)              # dK (Q was scaled)
        dQKV[:, :, 2] = (A.transpose(0, 1, 3, 2) @ dO).transpose(0, 2, 1, 3)              # dV
        dQKV = dQKV.reshape(N * T, 3 * D)
        dW, db = X.reshape(N * T, D).T @ dQKV, dQKV.sum(axis=0)                           # (D, 3D), (3D,)
        for i, (W_, b_) in enumerate(((self.W_q, self.b_q), (self.W_k, self.b_k), (self.W_v, self.b_v))):
            W_.grad += dW[:, i * D:(i + 1) * D]
            b_.grad += db[i * D:(i + 1) * D]
        return (dQKV @ W.T).reshape(N, T, D) if input_grad else None                      # three paths add up

    def parameters(self):
        return [self.W_q, self.b_q, self.W_k, self.b_k, self.W_v, self.b_v, self.W_o, self.b_o]

    def output_shape(self, input_shape):
        return tuple(input_shape) if len(input_shape) == 3 and input_shape[2] == self.dim else None

    def __repr__(self):
        return f"MultiHeadAttention({self.dim}, heads={self.num_heads}{', causal' if self.causal else ''})"


class TransformerBlock(Layer):
    """A pre-LN transformer block (GPT-2's): attention, then a two-layer MLP, each added to the residual
    stream after a LayerNorm.

    Y = X + attn(ln1(X)),  Z = Y + mlp(ln2(Y)),  mlp = Sequential(Dense(dim, hidden), GELU(), Dense(hidden, dim)).

    Args:
        dim: numbers per token.
        num_heads: attention heads; must divide dim.
        hidden: the MLP's width (usually 4·dim).
        causal: each token sees only itself and earlier tokens (default False).
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.

    Shape: X (N, T, dim) -> Z (N, T, dim). Parameters: 4·dim² + 4·dim (attention) + 2·dim·hidden + hidden
    + dim (MLP) + 4·dim (two LayerNorms); 12·dim² + 13·dim when hidden = 4·dim.

    Attributes:
        ln1, ln2: LayerNorm(dim).  attn: MultiHeadAttention(dim, num_heads, causal).  mlp: Sequential.

    PyTorch's ``TransformerEncoderLayer(dim, num_heads, hidden, dropout=0, activation=tanh GELU,
    norm_first=True, batch_first=True)`` computes the same.
    """

    def __init__(self, dim, num_heads, hidden, causal=False, rng=None, dtype=np.float64):
        dim = _check_size(dim, "dim", "TransformerBlock")
        hidden = _check_size(hidden, "hidden", "TransformerBlock")
        rng = init.make_rng(rng)
        self.dim, self.hidden = dim, hidden
        self.ln1 = LayerNorm(dim, dtype=dtype)
        self.attn = MultiHeadAttention(dim, num_heads, causal=causal, rng=rng, dtype=dtype)
        self.ln2 = LayerNorm(dim, dtype=dtype)
        self.mlp = Sequential(Dense(dim, hidden, rng=rng, dtype=dtype), GELU(), Dense(hidden, dim, rng=rng, dtype=dtype))
        self.shapes_only = building_shapes_only()

    def forward(self, X):
        X = _validate_tokens(X, self, self.dim, self.ln1.dtype)
        Y = X + self.attn(self.ln1(X))                       # (N, T, dim): the residual stream
        return Y + self.mlp(self.ln2(Y))                     # (N, T, dim)

    def backward(self, dZ, input_grad=True):
        dY = dZ + self.ln2.backward(self.mlp.backward(dZ))   # skip path + MLP path
        if not input_grad:
            self.ln1.backward(self.attn.backward(dY), input_grad=False)
            return None
        return dY + self.ln1.backward(self.attn.backward(dY))   # skip path + attention path

    def named_parameters(self):
        return [(f"{part}.{name}", p) for part in ("ln1", "attn", "ln2", "mlp")
                for name, p in getattr(self, part).named_parameters()]

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def train(self, mode=True):
        self.training = bool(mode)
        for part in (self.ln1, self.attn, self.ln2, self.mlp):
            part.train(mode)
        return self

    def output_shape(self, input_shape):
        return self.attn.output_shape(input_shape)

    def __repr__(self):
        causal = ", causal" if self.attn.causal else ""
        return f"TransformerBlock({self.dim}, heads={self.attn.num_heads}, hidden={self.hidden}{causal})"


class TiedHead(Layer):
    """An output layer that reuses an Embedding's table: logits = X @ embedding.W.T, no bias (GPT-2's).

    Its weight is the embedding's Parameter itself, not a copy: ``model.parameters()`` lists it once,
    ``summary()`` counts it once, and both layers add their gradients into the same ``W.grad``.

    Args:
        embedding: the model's token Embedding, whose table W (num_embeddings, dim) this layer reuses.

    Shape: X (N, ..., dim) -> logits (N, ..., num_embeddings).
    """

    def __init__(self, embedding):
        if not isinstance(embedding, Embedding):
            raise NNLiteError(f"TiedHead reuses an Embedding's table, got {type(embedding).__name__}. "
                              "Pass the model's token embedding: TiedHead(embedding).")
        self.embedding = embedding
        self.W = embedding.W
        self.shapes_only = embedding.shapes_only
        self._X = None

    def forward(self, X):
        num, dim = self.W.shape
        if not isinstance(X, np.ndarray):
            X = as_float(X, self, self.W.value.dtype)
        if X.ndim < 2 or X.shape[-1] != dim:
            raise ShapeError(f"{self!r} expects input of shape (batch, ..., {dim}), got {X.shape}."
                             + (" Add a batch axis: x[None]." if X.shape == (dim,) else ""))
        X = validate_input(X, self, (None,) * (X.ndim - 1) + (dim,), self.W.value.dtype)
        self._X = X
        return X @ self.W.value.T                            # (N, ..., num)

    def backward(self, dY, input_grad=True):
        X = self._need_cache(self._X)
        num, dim = self.W.shape
        dY = self._check_grad(dY, X.shape[:-1] + (num,))
        self.W.grad += dY.reshape(-1, num).T @ X.reshape(-1, dim)   # (num, dim), added to the embedding's
        return dY @ self.W.value if input_grad else None            # (N, ..., dim)

    def parameters(self):
        return [self.W]

    def output_shape(self, input_shape):
        ok = len(input_shape) >= 2 and input_shape[-1] == self.W.shape[1]
        return tuple(input_shape[:-1]) + (self.W.shape[0],) if ok else None

    def __repr__(self):
        return f"TiedHead({self.W.shape[1]}→{self.W.shape[0]})"


class MeanPool(Layer):
    """The mean over the positions of a sequence: (N, T, F) -> (N, F). No parameters.

    Turns a transformer's per-token vectors into one vector per sequence, for a classifier head.
    """

    def forward(self, X):
        X = as_float(X, self)
        if X.ndim != 3 or 0 in X.shape:
            raise ShapeError(f"{self!r} expects a batch of sequences (batch, positions, features), got {X.shape}. "
                             "Put it after a layer that returns (N, T, F), such as a TransformerBlock.")
        self._shape = X.shape
        return X.mean(axis=1)                                # (N, F)

    def backward(self, dY, input_grad=True):
        N, T, F_ = self._need_cache(getattr(self, "_shape", None))
        dY = self._check_grad(dY, (N, F_))
        if not input_grad:
            return None
        return np.broadcast_to(dY[:, None, :] / T, (N, T, F_)).copy()   # each position got 1/T of it

    def output_shape(self, input_shape):
        return (input_shape[0], input_shape[2]) if len(input_shape) == 3 else None


def gpt2_small(rng=None, dtype=np.float64, num_tokens=50257, max_len=1024, dim=768, num_blocks=12, num_heads=12,
               hidden=None):
    """GPT-2 small (Radford et al., 2019) as an nnlite Sequential: 124,439,808 parameters.

    Embedding(num_tokens, dim), PositionalEmbedding(max_len, dim), ``num_blocks`` causal TransformerBlocks
    (hidden = 4·dim), a final LayerNorm and a TiedHead that reuses the token embedding. The keyword
    arguments build smaller models of the same design. Built in float64 it holds about 1 GB: to count and
    summarise it, build it inside ``with nl.shapes_only():``.

    Args:
        rng: seed or np.random.Generator for the initial weights.
        dtype: np.float64 (default) or np.float32.
        num_tokens: the vocabulary size (default 50,257).
        max_len: the longest sequence, the positional embedding's rows (default 1,024).
        dim: numbers per token (default 768).
        num_blocks: transformer blocks (default 12).
        num_heads: attention heads per block (default 12).
        hidden: the MLP's width (default None: 4·dim).

    Returns:
        Sequential: Embedding, PositionalEmbedding, the blocks, LayerNorm and TiedHead.

    Example:
        >>> with nl.shapes_only():
        ...     model = nl.gpt2_small()
        >>> sum(p.size for p in model.parameters())
        124439808
    """
    rng = init.make_rng(rng)
    hidden = 4 * dim if hidden is None else hidden
    tokens = Embedding(num_tokens, dim, rng=rng, dtype=dtype)
    blocks = [TransformerBlock(dim, num_heads, hidden, causal=True, rng=rng, dtype=dtype) for _ in range(num_blocks)]
    return Sequential(tokens, PositionalEmbedding(max_len, dim, rng=rng, dtype=dtype), *blocks,
                      LayerNorm(dim, dtype=dtype), TiedHead(tokens))

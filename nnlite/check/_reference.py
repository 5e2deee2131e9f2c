"""nnlite's own solutions to the code exercises: what a checker hands back when a function fails.

Each takes the arguments the exercise names and never changes them.
"""

import numpy as np

from .. import functional as F


# Chapter 1: neurons and layers

def weighted_sum(x, w, b):
    """z = w · x + b for one example: x (n,), w (n,), b a number."""
    return float(np.dot(w, x) + b)


def dense_forward(X, W, b):
    """Y = X @ W + b: X (N, n_in), W (n_in, n_out), b (n_out,) -> (N, n_out)."""
    return X @ W + b


def neuron_output(X, w, b):
    """sigmoid(X @ w + b) for a batch: X (N, n), w (n,), b a number -> (N,)."""
    return F.sigmoid(np.asarray(X @ w + b, dtype=float))


# Chapter 2: parameters

def count_parameters(layer_sizes):
    """Weights and biases of a stack of Dense layers: [784, 128, 10] -> 101770."""
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


def init_uniform(n_in, n_out, rng):
    """A (n_in, n_out) weight matrix drawn from U(-1/sqrt(n_in), 1/sqrt(n_in)) with ``rng``."""
    bound = 1.0 / np.sqrt(n_in)
    return rng.uniform(-bound, bound, size=(n_in, n_out))


def bias_shift(w, b):
    """Where w * x + b crosses zero: x = -b / w."""
    return -b / w


# Chapter 3: activation functions

def relu(x):
    """max(0, x), elementwise."""
    return F.relu(np.asarray(x, dtype=float))


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    return F.sigmoid(np.asarray(x, dtype=float))


def sigmoid_grad(x):
    """sigma(x) * (1 - sigma(x))."""
    return F.sigmoid_grad(np.asarray(x, dtype=float))


# Chapter 4: forward pass and loss

def softmax(z):
    """exp(z) / sum(exp(z)) over the last axis, with the row maximum subtracted first."""
    return F.softmax(np.asarray(z, dtype=float), axis=-1)


def mse(pred, target):
    """Mean of the squared differences over every entry."""
    return float(np.mean((np.asarray(pred, dtype=float) - target) ** 2))


def cross_entropy(logits, y):
    """Mean over the batch of -log softmax(logits)[i, y_i], via a stable log-softmax."""
    log_p = F.log_softmax(np.asarray(logits, dtype=float), axis=-1)
    y = np.asarray(y)
    return float(-np.mean(log_p[np.arange(len(y)), y]))


# Chapter 5: backpropagation

def dense_backward(X, W, dY):
    """Gradients of Y = X @ W + b: returns (dX, dW, db)."""
    return dY @ W.T, X.T @ dY, dY.sum(axis=0)


def relu_backward(X, dY):
    """dX = dY where X > 0, else 0."""
    return dY * (X > 0)


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar function f at x, one entry at a time; x is left unchanged."""
    x = np.array(x, dtype=float)           # our own copy to perturb
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


# Chapter 6: training

def sgd_step(w, grad, lr):
    """One step of gradient descent: a new array w - lr * grad."""
    return w - lr * grad


def momentum_step(w, v, grad, lr, momentum):
    """SGD with momentum, PyTorch's convention: v = momentum * v + grad; w = w - lr * v."""
    v = momentum * v + grad
    return w - lr * v, v


def adam_step(w, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (t counts from 1): returns (new w, new m, new v)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# Chapter 7: convolution and pooling

def conv1d(x, w):
    """Valid cross-correlation of x (L,) with the kernel w (k,): (L - k + 1,)."""
    k = len(w)
    return np.array([np.dot(x[i:i + k], w) for i in range(len(x) - k + 1)], dtype=float)


def maxpool1d(x, k):
    """Maximum of each non-overlapping window of size k; a leftover shorter than k is dropped."""
    n_windows = len(x) // k
    return np.asarray(x[:n_windows * k], dtype=float).reshape(n_windows, k).max(axis=1)


def conv_output_length(L, k, stride=1, padding=0):
    """floor((L + 2 * padding - k) / stride) + 1."""
    return (L + 2 * padding - k) // stride + 1


# Chapter 8: recurrent layers

def rnn_step(x_t, h, Wx, Wh, b):
    """h_new = tanh(x_t @ Wx + h @ Wh + b): x_t (N, F), h (N, H) -> (N, H)."""
    return np.tanh(x_t @ Wx + h @ Wh + b)


def rnn_forward(X, h0, Wx, Wh, b):
    """Every hidden state of a simple RNN over X (N, T, F), starting from h0 (N, H): (N, T, H)."""
    h = h0
    states = []
    for t in range(X.shape[1]):
        h = rnn_step(X[:, t], h, Wx, Wh, b)
        states.append(h)
    return np.stack(states, axis=1)


def clip_gradient(g, max_norm):
    """g rescaled so that its L2 norm (over every entry) is at most max_norm; g itself if it already is."""
    norm = np.sqrt(np.sum(g ** 2))
    if norm > max_norm:
        return g * (max_norm / norm)
    return np.array(g, dtype=float)


# Chapter 9: normalisation and dropout

def batchnorm_forward(X, gamma, beta, eps=1e-5):
    """Batch normalisation in training mode: statistics over the batch axis, biased variance."""
    mean = X.mean(axis=0)                              # (D,)
    var = X.var(axis=0)                                # (D,), divides by N
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


def layernorm_forward(X, gamma, beta, eps=1e-5):
    """Layer normalisation: each example across its features, then gain and shift."""
    mean = X.mean(axis=-1, keepdims=True)              # (N, 1)
    var = X.var(axis=-1, keepdims=True)                # (N, 1)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


def dropout_forward(X, p, rng):
    """Inverted dropout: zero each entry with probability p, scale the rest by 1 / (1 - p)."""
    if p == 0:
        return np.array(X, dtype=float)
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p)


# Chapter 10: embeddings and attention

def _softmax_masked(scores, mask=None):
    """Softmax over the last axis; entries where ``mask`` is True get weight 0 (as a score of -inf)."""
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def embedding_lookup(ids, W):
    """The rows of W picked by integer ids: ids (N, T), W (V, d) -> (N, T, d); equal to one_hot(ids) @ W."""
    return np.array(W[np.asarray(ids)], dtype=float)


def dot_product_attention(Q, K, V):
    """softmax(Q K^T / sqrt(d)) V over the last axis: Q (..., T_q, d), K (..., T_k, d), V (..., T_k, d_v)."""
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])        # (..., T_q, T_k)
    return _softmax_masked(scores) @ V                                 # (..., T_q, d_v)


def causal_attention(Q, K, V):
    """Scaled dot-product attention in which position i attends only to positions j <= i: (..., T, d_v)."""
    T = Q.shape[-2]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])        # (..., T, T)
    future = np.triu(np.ones((T, T), dtype=bool), k=1)                 # True above the diagonal
    return _softmax_masked(scores, future) @ V


# Chapter 11: the transformer block

def block_parameters(dim, hidden):
    """Parameters of a pre-LN transformer block: attention 4 d^2 + 4 d, MLP 2 d h + h + d, two LayerNorms 4 d."""
    return int(4 * dim * dim + 4 * dim + 2 * dim * hidden + hidden + dim + 4 * dim)


def gpt_parameters(vocab, context, dim, layers):
    """A GPT-2-style model: token and position embeddings, ``layers`` blocks with an MLP of 4 dim, a final
    LayerNorm and an output head tied to the token embedding (no parameters of its own)."""
    return int(vocab * dim + context * dim + layers * block_parameters(dim, 4 * dim) + 2 * dim)


def pre_ln_residual(X, sublayer, gamma, beta, eps=1e-5):
    """One pre-LN residual step: X + sublayer(LayerNorm(X)), the norm over the last axis; X (..., d)."""
    mean = X.mean(axis=-1, keepdims=True)
    var = X.var(axis=-1, keepdims=True)
    return X + sublayer(gamma * (X - mean) / np.sqrt(var + eps) + beta)

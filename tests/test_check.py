"""The exercise checkers: references pass, known mistakes fail with the right hint, broken code never escapes."""

import sys

import numpy as np
import pytest

from nnlite import check
from nnlite.check import _reference as ref
from nnlite.check import _runner

CHECKERS = check.__all__


@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    monkeypatch.setattr(_runner, "TIME_LIMIT", 0.3)


def verdict(checker, fn, capsys):
    """Run a checker; return (the function it handed back, what it printed)."""
    returned = checker(fn)
    return returned, capsys.readouterr().out


def sig(x):
    return 1 / (1 + np.exp(-x))


def stable_sig(x):
    return ref.sigmoid(x)


def log_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return np.log(e / e.sum(axis=axis, keepdims=True))


def _mutating_relu(x):
    x[x < 0] = 0
    return x


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _in_place_sgd(w, grad, lr):
    w -= lr * grad
    return w


def _momentum_mutating_v(w, v, grad, lr, momentum):
    v *= momentum
    v += grad
    return w - lr * v, v


def _adam(w, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, correct=True, square=True,
          eps_inside=False):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * (grad ** 2 if square else grad)
    m_hat = m / (1 - beta1 ** t) if correct else m
    v_hat = v / (1 - beta2 ** t) if correct else v
    denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return w - lr * m_hat / denominator, m, v


def _conv_loop(x, w, flip=False, mean=False, short=0):
    k = len(w)
    kernel = w[::-1] if flip else w
    out = np.array([np.sum(x[i:i + k] * kernel) for i in range(len(x) - k + 1 - short)])
    return out / k if mean else out


def _pool(x, k, how=np.max, stride=None, partial=False):
    stride = stride or k
    last = len(x) if partial else len(x) - k + 1
    return np.array([how(x[i:i + k]) for i in range(0, last, stride)])


def _rnn_step(x, h, Wx, Wh, b):
    return np.tanh(x @ Wx + h @ Wh + b)


def _rnn(X, h0, Wx, Wh, b, keep="all", carry=True, time_axis=1):
    h, states = h0, []
    for t in range(X.shape[1]):
        h_new = _rnn_step(X[:, t], h, Wx, Wh, b)
        states.append(h_new)
        h = h_new if carry else h0
    if keep == "last":
        return states[-1]
    return np.stack(states, axis=time_axis)


def _clip(g, c, norm=lambda g: np.sqrt(np.sum(g ** 2)), always=False, target=None):
    n = norm(g)
    if always or n > c:
        return g * (c if target is None else target) / n
    return g


def _clip_in_place(g, c):
    n = np.sqrt(np.sum(g ** 2))
    if n > c:
        g *= c / n
    return g


def _bn(X, gamma, beta, eps=1e-5, axis=0, ddof=0, inside=True, scale=True):
    mean, var = X.mean(axis=axis, keepdims=True), X.var(axis=axis, ddof=ddof, keepdims=True)
    Z = (X - mean) / (np.sqrt(var + eps) if inside else np.sqrt(var) + eps)
    return gamma * Z + beta if scale else Z


def _bn_in_place(X, gamma, beta, eps=1e-5):
    X -= X.mean(axis=0)
    X /= np.sqrt(X.var(axis=0) + eps)
    return gamma * X + beta


def _dropout(X, p, rng, scale=None, keep_prob_mixup=False, shared=False, global_rng=False):
    draw = np.random.random if global_rng else rng.random
    shape = X.shape[1:] if shared else X.shape
    keep = draw(shape) < p if keep_prob_mixup else draw(shape) >= p
    return X * keep * (1 / (1 - p) if scale is None else scale(p))


def _dropout_in_place(X, p, rng):
    X *= (rng.random(X.shape) >= p) / (1 - p)
    return X


def _numgrad(f, x, eps=1e-6, central=True, half=True, all_at_once=False, restore=True):
    x = np.array(x, dtype=float) if restore else x
    grad = np.zeros_like(x, dtype=float)
    if all_at_once:
        return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps if central else old
        minus = f(x)
        if restore:
            x[i] = old
        else:
            x[i] = old + 0.5
        grad[i] = (plus - minus) / ((2 if half else 1) * eps if central else eps)
    return grad


def _numgrad_1d(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=float)
    for i in range(len(x)):
        step = np.zeros_like(x, dtype=float)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def _uniform_normal(n_in, n_out, rng):
    return rng.normal(0, 1 / np.sqrt(n_in), size=(n_in, n_out))

def _sm(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attn(Q, K, V, scale=None, axis=-1, causal=False, diagonal=False, zero_fill=False, after=False):
    scores = Q @ np.swapaxes(K, -1, -2) / (np.sqrt(Q.shape[-1]) if scale is None else scale)
    T = scores.shape[-1]
    future = np.triu(np.ones((T, T), dtype=bool), k=0 if diagonal else 1)
    if causal and not after:
        scores = np.where(future, 0.0 if zero_fill else -np.inf, scores)
    weights = _sm(scores, axis)
    if causal and after:
        weights = np.where(future, 0.0, weights)
    return weights @ V


def _ln(X, g, b, eps=1e-5, axis=-1, ddof=0):
    return g * (X - X.mean(axis, keepdims=True)) / np.sqrt(X.var(axis, keepdims=True, ddof=ddof) + eps) + b


def _block(d, h, biases=True, norms=2, projections=4):
    count = projections * d * d + 2 * d * h + 2 * d * norms
    return count + (projections * d + h + d if biases else 0)


def _gpt(v, c, d, n, tied=True, positions=True, final=True, hidden=4):
    return (v * d + (c * d if positions else 0) + n * _block(d, hidden * d) + (2 * d if final else 0)
            + (0 if tied else v * d))



# For every checker, wrong solutions and a word the hint must contain.
WRONG = {
    "weighted_sum": [
        (lambda x, w, b: np.dot(w, x), "forgot the bias"),
        (lambda x, w, b: np.dot(w, x) - b, "not subtracted"),
        (lambda x, w, b: np.sum(w * x + b), "counts n times"),
        (lambda x, w, b: np.dot(w, x) * b, "not multiplied"),
        (lambda x, w, b: w * x + b, "one number"),
        (lambda x, w, b: np.sum(x) + np.sum(w) + b, "products"),
    ],
    "dense_forward": [
        (lambda X, W, b: X @ W, "forgot the bias"),
        (lambda X, W, b: X @ W.T + b, "transposed weights"),
        (lambda X, W, b: X @ W - b, "not subtracted"),
        (lambda X, W, b: X * W + b, "matrix multiplication"),
        (lambda X, W, b: (X @ W + b).sum(axis=0), "batch axis"),
        (lambda X, W, b: (X @ W).T + b, "transposed"),
    ],
    "neuron_output": [
        (lambda X, w, b: X @ w + b, "forgot the activation"),
        (lambda X, w, b: sig(X @ w), "forgot the bias"),
        (lambda X, w, b: 1 / (1 + np.exp(X @ w + b)), "sign"),
        (lambda X, w, b: sig(X @ w) + b, "before the activation"),
        (lambda X, w, b: np.tanh(X @ w + b), "tanh"),
        (lambda X, w, b: sig(X @ w[:, None] + b), "(N,)"),
    ],
    "count_parameters": [
        (lambda s: sum(a * b for a, b in zip(s, s[1:])), "forgot the biases"),
        (lambda s: sum(a * b for a, b in zip(s, s[1:])) + sum(s), "input layer has no bias"),
        (lambda s: sum(a * b + a for a, b in zip(s, s[1:])), "per output neuron"),
        (lambda s: sum(s), "counts neurons"),
        (lambda s: s[0] * s[1] + s[1], "only the first layer"),
        (lambda s: float(sum(a * b + b for a, b in zip(s, s[1:]))), "int"),
    ],
    "init_uniform": [
        (lambda n_in, n_out, rng: rng.uniform(-1, 1, size=(n_out, n_in)) / np.sqrt(n_in), "rows are inputs"),
        (lambda n_in, n_out, rng: rng.uniform(-1, 1, size=(n_in, n_out)) / np.sqrt(n_out), "n_out"),
        (lambda n_in, n_out, rng: rng.uniform(-1, 1, size=(n_in, n_out)) / n_in, "square root"),
        (lambda n_in, n_out, rng: rng.uniform(0, 1, size=(n_in, n_out)) / np.sqrt(n_in), "positive"),
        (_uniform_normal, "not a normal"),
        (lambda n_in, n_out, rng: np.random.uniform(-1, 1, size=(n_in, n_out)) / np.sqrt(n_in), "rng"),
        (lambda n_in, n_out, rng: np.random.default_rng(0).uniform(-1, 1, (n_in, n_out)) / np.sqrt(n_in), "rng"),
        (lambda n_in, n_out, rng: rng.uniform(-1, 1, size=(n_in, n_out)), "fill the range"),
    ],
    "bias_shift": [
        (lambda w, b: b / w, "sign"),
        (lambda w, b: -b, "depends on the weight"),
        (lambda w, b: -w / b, "swapped"),
        (lambda w, b: -b * w, "don't multiply"),
        (lambda w, b: b, "not the bias itself"),
    ],
    "relu": [
        (np.abs, "absolute value"),
        (lambda x: np.minimum(0, x), "negative part"),
        (lambda x: np.where(x > 0, x, 0.01 * x), "leaky"),
        (lambda x: (x > 0).astype(float), "derivative"),
        (_mutating_relu, "in place"),
        (lambda x: np.maximum(0, x).ravel(), "x's shape"),
    ],
    "sigmoid": [
        (lambda x: 1 / (1 + np.exp(x)), "sign"),
        (sig, "unstable for large inputs"),
        (lambda x: np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x))), "np.where evaluates"),
        (np.tanh, "tanh"),
        (lambda x: sig(x) * (1 - sig(x)), "derivative"),
        (lambda x: np.exp(x) / (1 + np.exp(x)), "unstable"),
    ],
    "sigmoid_grad": [
        (stable_sig, "sigmoid itself"),
        (lambda x: x * (1 - x), "not to x"),
        (lambda x: sig(x) * (1 + sig(x)), "sign"),
        (lambda x: 1 - sig(x) ** 2, "derivative of tanh"),
        (lambda x: 1 - sig(x), "forgot a factor"),
    ],
    "softmax": [
        (lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "wrong axis"),
        (lambda z: np.exp(z) / np.exp(z).sum(axis=1), "keepdims"),
        (lambda z: np.exp(z) / np.exp(z).sum(), "whole array"),
        (lambda z: z / z.sum(axis=-1, keepdims=True), "exponential"),
        (_naive_softmax, "subtract each row's own maximum"),
        (lambda z: _naive_softmax(z - z.max()), "each row's own maximum"),
    ],
    "mse": [
        (lambda p, t: np.mean(p - t), "square each difference"),
        (lambda p, t: np.sum((p - t) ** 2), "factor of N"),
        (lambda p, t: np.mean(np.abs(p - t)), "mean absolute error"),
        (lambda p, t: 0.5 * np.mean((p - t) ** 2), "factor of 2"),
        (lambda p, t: np.sqrt(np.mean((p - t) ** 2)), "RMSE"),
        (lambda p, t: np.sum((p - t) ** 2) / len(p), "number of entries"),
        (lambda p, t: np.mean((p - t) ** 2, axis=0), "one number"),
    ],
    "cross_entropy": [
        (lambda z, y: -np.sum(log_softmax(z)[np.arange(len(y)), y]), "1/N"),
        (lambda z, y: -np.mean(z[np.arange(len(y)), y]), "forgot the softmax"),
        (lambda z, y: -np.mean(np.exp(log_softmax(z))[np.arange(len(y)), y]), "forgot the log"),
        (lambda z, y: np.mean(log_softmax(z)[np.arange(len(y)), y]), "sign"),
        (lambda z, y: -np.mean(log_softmax(z)[:, y]), "its own label"),
        (lambda z, y: -np.mean(np.log(_naive_softmax(z))[np.arange(len(y)), y]), "unstable for large logits"),
    ],
    "dense_backward": [
        (lambda X, W, dY: (dY @ W, X.T @ dY, dY.sum(0)), "W.T"),
        (lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(0)), "dW is transposed"),
        (lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.mean(0)), "factor of N"),
        (lambda X, W, dY: (dY @ W.T, X.T @ dY, dY), "sum dY over the batch"),
        (lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum(1)), "wrong axis"),
        (lambda X, W, dY: (dY @ W.T, X.T @ dY), "3 were expected"),
        (lambda X, W, dY: (X.T @ dY, dY @ W.T, dY.sum(0)), "order"),
    ],
    "relu_backward": [
        (lambda X, dY: dY, "forgot the mask"),
        (lambda X, dY: (X > 0).astype(float), "chain rule"),
        (lambda X, dY: dY * (dY > 0), "comes from X"),
        (lambda X, dY: dY * (X >= 0), "strict inequality"),
        (lambda X, dY: dY * np.maximum(0, X), "not by ReLU(X)"),
        (lambda X, dY: np.multiply(dY, X > 0, out=dY), "in place"),
    ],
    "numerical_gradient": [
        (lambda f, x, eps=1e-6: _numgrad(f, x, eps, central=False), "central differences"),
        (lambda f, x, eps=1e-6: _numgrad(f, x, eps, half=False), "factor of 2"),
        (lambda f, x, eps=1e-6: _numgrad(f, x), "eps argument"),
        (lambda f, x, eps=1e-6: _numgrad(f, x, eps, all_at_once=True), "one entry at a time"),
        (lambda f, x, eps=1e-6: _numgrad(f, x, eps, restore=False), "in place"),
        (_numgrad_1d, "any shape"),
    ],
    "sgd_step": [
        (lambda w, g, lr: w + lr * g, "sign"),
        (lambda w, g, lr: w - g, "learning rate"),
        (lambda w, g, lr: w - lr * w, "not the weights"),
        (lambda w, g, lr: w - g / lr, "don't divide"),
        (_in_place_sgd, "in place"),
        (lambda w, g, lr: None, "return"),
    ],
    "momentum_step": [
        (lambda w, v, g, lr, mu: (w - lr * v, mu * v + g), "update v first"),
        (lambda w, v, g, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g), "PyTorch"),
        (lambda w, v, g, lr, mu: (w - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g), "(1 - momentum)"),
        (lambda w, v, g, lr, mu: (w - lr * (v + g), v + g), "decay"),
        (lambda w, v, g, lr, mu: (mu * v + g, w - lr * (mu * v + g)), "order"),
        (_momentum_mutating_v, "in place"),
    ],
    "adam_step": [
        (lambda *a, **k: _adam(*a, **k, correct=False), "bias correction"),
        (lambda *a, **k: _adam(*a, **k, square=False), "squared"),
        (lambda *a, **k: _adam(*a, **k, eps_inside=True), "after the square root"),
        (lambda w, m, v, grad, t, **k: _adam(w, m, v, grad, t), "arguments"),
        (lambda w, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8:
         _adam(w, m, v, grad, t, lr, beta1, beta2, eps)[0], "3 values"),
        (lambda w, m, v, grad, t: _adam(w, m, v, grad, t), "signature"),
    ],
    "conv1d": [
        (lambda x, w: _conv_loop(x, w, flip=True), "flipped"),
        (lambda x, w: _conv_loop(x, w, mean=True), "factor of k"),
        (lambda x, w: _conv_loop(x, w, short=1), "one window short"),
        (lambda x, w: np.correlate(x, w, mode="same"), "valid"),
        (lambda x, w: np.correlate(x, w, mode="full"), "valid"),
        (lambda x, w: list(_conv_loop(x, w)), "list"),
    ],
    "maxpool1d": [
        (lambda x, k: _pool(x, k, how=np.mean), "average pooling"),
        (lambda x, k: _pool(x, k, how=np.min), "smallest"),
        (lambda x, k: _pool(x, k, stride=1), "don't overlap"),
        (lambda x, k: _pool(x, k, partial=True), "leftover"),
        (lambda x, k: _pool(x, k, how=lambda w: w[np.argmax(np.abs(w))]), "magnitude"),
        (lambda x, k: x.reshape(-1, k).max(axis=1), "L // k"),
    ],
    "conv_output_length": [
        (lambda L, k, stride=1, padding=0: (L + 2 * padding - k) // stride, "off by one"),
        (lambda L, k, stride=1, padding=0: (L + padding - k) // stride + 1, "both sides"),
        (lambda L, k, stride=1, padding=0: L + 2 * padding - k + 1, "divide by the stride"),
        (lambda L, k, stride=1, padding=0: (L + 2 * padding - k) / stride + 1, "//"),
        (lambda L, k, stride=1, padding=0: int(np.ceil((L + 2 * padding - k) / stride)) + 1, "round down"),
        (lambda L, k, stride=1, padding=0: (L + 2 * padding + k) // stride + 1, "subtracted, not added"),
    ],
    "rnn_step": [
        (lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b, "forgot the activation"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh), "forgot the bias"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b), "previous hidden state"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b), "transposed Wh"),
        (lambda x, h, Wx, Wh, b: sig(x @ Wx + h @ Wh + b), "not the sigmoid"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wh + h @ Wx + b), "Wx multiplies the input"),
    ],
    "rnn_forward": [
        (lambda *a: _rnn(*a, time_axis=0), "axis 1"),
        (lambda *a: _rnn(*a, keep="last"), "every hidden state"),
        (lambda *a: _rnn(*a, carry=False), "carry the hidden state"),
        (lambda X, h0, Wx, Wh, b: np.concatenate([h0[:, None], _rnn(X, h0, Wx, Wh, b)], axis=1), "leave h0 out"),
        (lambda X, h0, Wx, Wh, b: [_rnn_step(X[:, t], h0, Wx, Wh, b) for t in range(X.shape[1])], "list"),
    ],
    "clip_gradient": [
        (lambda g, c: _clip(g, c, always=True), "only shrink"),
        (lambda g, c: np.clip(g, -c, c), "np.clip"),
        (lambda g, c: _clip(g, c, target=1.0), "not 1"),
        (lambda g, c: _clip(g, c, norm=lambda g: np.sum(np.abs(g))), "L2 norm"),
        (lambda g, c: _clip(g, c, norm=lambda g: np.sum(g ** 2)), "square root"),
        (_clip_in_place, "in place"),
        (lambda g, c: g * min(1.0, c / np.sqrt(np.sum(g ** 2))), "norm 0"),
    ],
    "batchnorm_forward": [
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, axis=1), "axis 0"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, ddof=1), "biased variance"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, scale=False), "gamma"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, inside=False), "inside the square root"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b), "eps argument"),
        (_bn_in_place, "in place"),
    ],
    "layernorm_forward": [
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, axis=0), "wrong axis"),
        (lambda X, g, b, eps=1e-5: g * (X - X.mean(1)) / np.sqrt(X.var(1) + eps) + b, "keepdims"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, axis=-1, ddof=1), "biased variance"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, axis=-1, scale=False), "gamma"),
        (lambda X, g, b, eps=1e-5: _bn(X, g, b, eps, axis=-1, inside=False), "inside the square root"),
        (lambda X, g, b, eps=1e-5: _bn(X, b, g, eps, axis=-1), "swapped"),
    ],
    "dropout_forward": [
        (lambda X, p, rng: _dropout(X, p, rng, scale=lambda p: 1.0), "1 / (1 - p)"),
        (lambda X, p, rng: _dropout(X, p, rng, scale=lambda p: 1 - p), "not down"),
        (lambda X, p, rng: _dropout(X, p, rng, keep_prob_mixup=True), "not of keeping"),
        (lambda X, p, rng: _dropout(X, p, rng, shared=True), "every entry"),
        (lambda X, p, rng: _dropout(X, p, rng, global_rng=True), "rng argument"),
        (_dropout_in_place, "in place"),
    ],
    "embedding_lookup": [
        (lambda ids, W: W[ids - 1], "count from 0"),
        (lambda ids, W: W[:, ids], "not columns"),
        (lambda ids, W: np.eye(len(W))[ids], "one-hot matrix"),
        (lambda ids, W: W[ids].sum(axis=1), "do not add"),
        (lambda ids, W: W[ids].mean(axis=1), "do not average"),
        (lambda ids, W: [W[i] for i in ids], "not a numpy array"),
    ],
    "dot_product_attention": [
        (lambda Q, K, V: _attn(Q, K, V, scale=1.0), "sqrt(d)"),
        (lambda Q, K, V: _attn(Q, K, V, scale=Q.shape[-1]), "not by d itself"),
        (lambda Q, K, V: _attn(Q, K, V, axis=-2), "over the keys"),
        (lambda Q, K, V: _sm(Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])), "multiply them by V"),
        (lambda Q, K, V: Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1]) @ V, "forgot the softmax"),
        (lambda Q, K, V: _naive_softmax(Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])) @ V, "maximum"),
        (lambda Q, K, V: _sm(Q @ K.T / np.sqrt(Q.shape[-1])) @ V, "swapaxes"),
    ],
    "causal_attention": [
        (lambda Q, K, V: _attn(Q, K, V), "forgot the mask"),
        (lambda Q, K, V: _attn(Q, K, V, causal=True, diagonal=True), "diagonal"),
        (lambda Q, K, V: _attn(Q, K, V, causal=True, after=True), "before the softmax"),
        (lambda Q, K, V: _attn(Q, K, V, causal=True, zero_fill=True), "-inf"),
        (lambda Q, K, V: _attn(Q, K, V, scale=1.0, causal=True), "sqrt(d)"),
        (lambda Q, K, V: np.flip(_attn(np.flip(Q, -2), np.flip(K, -2), np.flip(V, -2), causal=True), -2),
         "masks the past"),
    ],
    "block_parameters": [
        (lambda d, h: _block(d, h, biases=False), "forgot the biases"),
        (lambda d, h: _block(d, h, norms=0), "forgot the two LayerNorms"),
        (lambda d, h: _block(d, h, norms=1), "two LayerNorms in a block"),
        (lambda d, h: _block(d, h, projections=3), "four projections"),
        (lambda d, h: 4 * d * d + 4 * d + d * h + h + 4 * d, "two Dense layers"),
        (lambda d, h: 12 * d * d + 13 * d, "not always 4 d"),
        (lambda d, h: float(_block(d, h)), "whole number"),
    ],
    "gpt_parameters": [
        (lambda v, c, d, n: _gpt(v, c, d, n, tied=False), "tied"),
        (lambda v, c, d, n: _gpt(v, c, d, n, positions=False), "position embedding"),
        (lambda v, c, d, n: _gpt(v, c, d, n, final=False), "final LayerNorm"),
        (lambda v, c, d, n: _gpt(v, c, d, 1), "number of layers"),
        (lambda v, c, d, n: _gpt(v, c, d, n, hidden=1), "4 dim hidden units"),
        (lambda v, c, d, n: _gpt(v, c, d, n) / 1e6, "whole number"),
    ],
    "pre_ln_residual": [
        (lambda X, f, g, b, eps=1e-5: _ln(X + f(X), g, b, eps), "post-LN"),
        (lambda X, f, g, b, eps=1e-5: f(_ln(X, g, b, eps)), "forgot the residual"),
        (lambda X, f, g, b, eps=1e-5: _ln(X, g, b, eps) + f(_ln(X, g, b, eps)), "never normalised"),
        (lambda X, f, g, b, eps=1e-5: X + f(X), "forgot the LayerNorm"),
        (lambda X, f, g, b, eps=1e-5: X + f(_ln(X, g, b, eps, axis=0)), "the last axis"),
        (lambda X, f, g, b, eps=1e-5: X + f(_ln(X, 1.0, 0.0, eps)), "gamma and beta"),
        (lambda X, f, g, b, eps=1e-5: X + f(_ln(X, g, b, eps, ddof=1)), "biased variance"),
    ],
}


def test_every_fixed_exercise_has_a_checker():
    assert len(CHECKERS) == 33

    assert sorted(WRONG) == sorted(CHECKERS)
    for name in CHECKERS:
        assert callable(getattr(check, name)) and callable(getattr(ref, name))


@pytest.mark.parametrize("name", CHECKERS)
def test_reference_solution_passes_and_is_returned(name, capsys):
    solution = getattr(ref, name)
    returned, out = verdict(getattr(check, name), solution, capsys)
    assert returned is solution
    assert out.startswith(f"✅ {name}: passed") and "Hint" not in out


WRONG_CASES = [(name, i) for name in CHECKERS for i in range(len(WRONG[name]))]


@pytest.mark.parametrize("name", CHECKERS)
def test_at_least_five_kinds_of_wrong_answer(name):
    assert len(WRONG[name]) >= 5


@pytest.mark.parametrize("name, i", WRONG_CASES)
def test_wrong_answer_fails_with_a_relevant_hint(name, i, capsys):
    wrong, expected_hint = WRONG[name][i]
    returned, out = verdict(getattr(check, name), wrong, capsys)
    assert returned is getattr(ref, name)
    assert out.startswith(f"❌ {name}:")
    hint = out.split("Hint:", 1)[1] if "Hint:" in out else ""
    assert expected_hint in hint or expected_hint in out.splitlines()[0], out
    assert "nnlite's version" in out
    assert "Traceback" not in out


# Broken code of every kind: raises, returns junk, loops, exits. Each is a one-argument-agnostic function.
def _raises_value_error(*args, **kwargs):
    raise ValueError("something is off")


def _returns_none(*args, **kwargs):
    return None


def _loops_forever(*args, **kwargs):
    while True:
        pass


def _returns_nan(*args, **kwargs):
    return np.full(np.shape(args[0]) if isinstance(args[0], np.ndarray) else (), np.nan)


def _returns_wrong_shape(*args, **kwargs):
    return np.zeros((7, 1, 3))


def _returns_ints(*args, **kwargs):
    first = next((a for a in args if isinstance(a, np.ndarray)), np.zeros(3))
    return np.round(first).astype(int)


def _mutates_every_input(*args, **kwargs):
    for a in args:
        if isinstance(a, np.ndarray):
            a[...] = 0
        if isinstance(a, list):
            a.clear()
    return args[0]


def _returns_list(*args, **kwargs):
    return [1.0, 2.0, 3.0]


def _prints_garbage(*args, **kwargs):
    print("debug " * 1000)
    print("\x1b[31m garbage \x00")
    return "not a number"


def _not_attempted(*args, **kwargs):
    raise NotImplementedError()


def _keyboard_interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _exits(*args, **kwargs):
    sys.exit(1)


def _wrong_signature():
    return 1.0


def _returns_wrong_tuple(*args, **kwargs):
    return (np.zeros(2),) * 5


def _recurses_forever(*args, **kwargs):
    return _recurses_forever(*args, **kwargs)


def _warns(*args, **kwargs):
    return np.exp(np.full(3, 1e5))


BROKEN = [_raises_value_error, _returns_none, _loops_forever, _returns_nan, _returns_wrong_shape,
          _returns_ints, _mutates_every_input, _returns_list, _prints_garbage, _not_attempted,
          _keyboard_interrupt, _exits, _wrong_signature, _returns_wrong_tuple, _recurses_forever, _warns]


@pytest.mark.parametrize("broken", BROKEN, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("name", CHECKERS)
def test_broken_code_gives_feedback_and_no_exception(name, broken, capsys):
    returned, out = verdict(getattr(check, name), broken, capsys)
    assert returned is getattr(ref, name)
    first = out.splitlines()[0]
    assert first.startswith((f"❌ {name}:", f"⏳ {name}:")), out
    assert "Traceback" not in out and "debug debug" not in out
    assert len(out.splitlines()) <= 4


@pytest.mark.parametrize("name", CHECKERS)
def test_not_implemented_says_not_attempted(name, capsys):
    _, out = verdict(getattr(check, name), _not_attempted, capsys)
    assert "not attempted yet" in out and "nnlite's version" in out


def test_infinite_loop_is_stopped_by_the_time_limit(capsys):
    _, out = verdict(check.relu, _loops_forever, capsys)
    assert "was stopped" in out and "loop" in out


def test_feedback_shows_what_came_back_but_not_the_answer(capsys):
    _, out = verdict(check.relu, np.abs, capsys)
    assert "[2. , 0.5, 0. , 1.5, 3. ]" in out          # the student's own output on the golden input
    assert "[0. , 0. , 0. , 1.5, 3. ]" not in out      # the expected one is never shown


def test_passing_a_value_instead_of_the_function(capsys):
    returned, out = verdict(check.relu, np.zeros(3), capsys)
    assert returned is ref.relu
    assert "check.relu(relu)" in out


def test_time_limit_leaves_no_alarm_behind():
    import signal
    check.relu(ref.relu)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_time_limit_degrades_without_sigalrm(monkeypatch, capsys):
    """Where SIGALRM is missing (Windows) the checker still runs, just without a limit."""
    import signal
    monkeypatch.delattr(signal, "SIGALRM")
    returned, out = verdict(check.relu, ref.relu, capsys)
    assert returned is ref.relu and out.startswith("✅")


@pytest.mark.parametrize("name", CHECKERS)
def test_a_correct_student_function_is_the_one_returned(name, capsys):
    """A student's own correct function (here one that calls nnlite's) is handed back, not nnlite's.
    The references themselves pass through the same input-mutation check in the test above."""
    solution = getattr(ref, name)

    def student(*args, **kwargs):
        return solution(*args, **kwargs)

    returned, out = verdict(getattr(check, name), student, capsys)
    assert returned is student, out


def test_float32_results_are_accepted(capsys):
    returned, _ = verdict(check.relu, lambda x: np.maximum(0, x).astype(np.float32), capsys)
    assert returned is not ref.relu


def test_an_outer_alarm_survives_a_check():
    """A time limit set by someone else (a test runner, say) is put back, less the time spent."""
    import signal
    signal.setitimer(signal.ITIMER_REAL, 50)
    try:
        check.relu(ref.relu)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert 40 < remaining <= 50

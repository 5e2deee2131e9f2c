"""Weight initialisation.

Every function fills a Parameter (or array) in place and returns it, as ``torch.nn.init`` does:

    nl.init.he_normal(layer.W, rng=0)

Fan-in and fan-out come from the weight's shape. Dense weights are laid out (n_in, n_out); convolution
weights ``(out_channels, in_channels, *kernel)``. Pass ``fan_in=`` / ``fan_out=`` to override.

==================  ==========================================  ====================================
function            distribution                                 meant for
==================  ==========================================  ====================================
``uniform_fan_in``  U(-1/sqrt(fan_in), 1/sqrt(fan_in))            nnlite's and PyTorch's default
``xavier_uniform``  U(-a, a), a = sqrt(6 / (fan_in + fan_out))    tanh / sigmoid (Glorot & Bengio 2010)
``xavier_normal``   N(0, 2 / (fan_in + fan_out))                  tanh / sigmoid
``he_uniform``      U(-a, a), a = sqrt(6 / fan_in)                ReLU (He et al. 2015)
``he_normal``       N(0, 2 / fan_in)                              ReLU
``normal``          N(mean, std**2)                               experiments
``zeros``           0                                             biases
==================  ==========================================  ====================================
"""

import numpy as np

from .errors import NNLiteError, NNLiteTypeError

_global_rng = np.random.default_rng()


def manual_seed(seed):
    """Seed the generator that layers use when no ``rng=`` is given, so a notebook is reproducible.

    Args:
        seed: a whole number of 0 or more.
    """
    global _global_rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise NNLiteTypeError(f"manual_seed takes a whole number of 0 or more, such as nl.manual_seed(0); "
                              f"got {seed!r}.")
    _global_rng = np.random.default_rng(int(seed))


def make_rng(rng=None):
    """Turn None (the global generator), an int seed, or a Generator into a numpy Generator."""
    if rng is None:
        return _global_rng
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise NNLiteError(
        f"rng must be None, a whole-number seed of 0 or more or np.random.Generator, got {repr(rng)[:60]}. "
        "Pass rng=0 for a reproducible result."
    )


def check_dtype(dtype):
    """Return np.float32 or np.float64; refuse anything else with advice."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = repr(dtype)
    if dtype not in (np.float32, np.float64):
        raise NNLiteError(f"dtype must be np.float32 or np.float64, got {dtype}. "
                          "Use float64 to learn and check gradients, float32 for speed.")
    return dtype.type


def fans(shape):
    """``(fan_in, fan_out)`` of a weight: ``(n_in, n_out)`` for Dense, ``(out, in, *kernel)`` for convolutions."""
    shape = tuple(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _fill(param, values):
    array = param.value if hasattr(param, "value") else param
    array[...] = values
    return param


def _shape_and_fans(param, fan_in, fan_out):
    array = param.value if hasattr(param, "value") else param
    default_in, default_out = fans(array.shape)
    return array.shape, fan_in or default_in, fan_out or default_out


def zeros(param):
    """Fill with 0 (the usual start for biases)."""
    return _fill(param, 0.0)


def normal(param, std=0.01, mean=0.0, rng=None):
    """Fill with draws from N(mean, std**2)."""
    shape = (param.value if hasattr(param, "value") else param).shape
    return _fill(param, make_rng(rng).normal(mean, std, size=shape))


def uniform_fan_in(param, fan_in=None, rng=None):
    """Fill with U(-1/sqrt(fan_in), 1/sqrt(fan_in)): the default of nnlite's and PyTorch's layers."""
    shape, fan_in, _ = _shape_and_fans(param, fan_in, None)
    bound = 1.0 / np.sqrt(fan_in)
    return _fill(param, make_rng(rng).uniform(-bound, bound, size=shape))


def xavier_uniform(param, fan_in=None, fan_out=None, rng=None):
    """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    shape, fan_in, fan_out = _shape_and_fans(param, fan_in, fan_out)
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return _fill(param, make_rng(rng).uniform(-bound, bound, size=shape))


def xavier_normal(param, fan_in=None, fan_out=None, rng=None):
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out))."""
    shape, fan_in, fan_out = _shape_and_fans(param, fan_in, fan_out)
    return _fill(param, make_rng(rng).normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape))


def he_uniform(param, fan_in=None, rng=None):
    """He/Kaiming uniform for ReLU layers: U(-a, a) with a = sqrt(6 / fan_in)."""
    shape, fan_in, _ = _shape_and_fans(param, fan_in, None)
    bound = np.sqrt(6.0 / fan_in)
    return _fill(param, make_rng(rng).uniform(-bound, bound, size=shape))


def he_normal(param, fan_in=None, rng=None):
    """He/Kaiming normal for ReLU layers: N(0, 2 / fan_in)."""
    shape, fan_in, _ = _shape_and_fans(param, fan_in, None)
    return _fill(param, make_rng(rng).normal(0.0, np.sqrt(2.0 / fan_in), size=shape))


# Friendlier aliases used in the chapters.
glorot_uniform = xavier_uniform
glorot_normal = xavier_normal

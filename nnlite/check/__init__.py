"""Checkers for the course's code exercises: ``relu = check.relu(relu)``.

Every public function here takes one argument, the student's function. It runs that function on golden
values and random shapes (and, for a backward pass, a gradient check against central differences), each
call under a time limit, and prints one verdict:

    ✅ relu: passed 5 checks.
    ❌ relu: it changed its input `x` in place.
       Hint: the caller still needs `x`: compute a new array ...
       Using nnlite's version so the rest of the notebook runs.

It returns the student's function if every check passes, else nnlite's own, so later cells always run.
Whatever the student's code does (raises, returns None, loops forever, prints, returns NaN or a list,
changes its input), the checker prints feedback, never a traceback and never the answer.

The checkers live in one module per topic, named after the chapter they serve:

    neurons        chapter 1, neurons and layers          weighted_sum, dense_forward, neuron_output
    parameters     chapter 2, parameters                  count_parameters, init_uniform, bias_shift
    activations    chapter 3, activation functions        relu, sigmoid, sigmoid_grad
    losses         chapter 4, forward pass and loss       softmax, mse, cross_entropy
    backprop       chapter 5, backpropagation             dense_backward, relu_backward, numerical_gradient
    training       chapter 6, training                    sgd_step, momentum_step, adam_step
    convolution    chapter 7, convolution and pooling     conv1d, maxpool1d, conv_output_length
    recurrent      chapter 8, recurrent layers            rnn_step, rnn_forward, clip_gradient
    normalisation  chapter 9, normalisation and dropout   batchnorm_forward, layernorm_forward, dropout_forward
    attention      chapter 10, embeddings and attention   embedding_lookup, dot_product_attention, causal_attention
                   chapter 11, the transformer block      block_parameters, gpt_parameters, pre_ln_residual

Behind them: ``_runner`` runs the student's function in a child process and prints the verdict,
``_exercise`` compares its results with nnlite's solutions in ``_reference`` and spots known mistakes,
``_common`` holds what the topic modules share.
"""

from .activations import relu, sigmoid, sigmoid_grad
from .attention import (block_parameters, causal_attention, dot_product_attention, embedding_lookup,
                        gpt_parameters, pre_ln_residual)
from .backprop import dense_backward, numerical_gradient, relu_backward
from .convolution import conv1d, conv_output_length, maxpool1d
from .losses import cross_entropy, mse, softmax
from .neurons import dense_forward, neuron_output, weighted_sum
from .normalisation import batchnorm_forward, dropout_forward, layernorm_forward
from .parameters import bias_shift, count_parameters, init_uniform
from .recurrent import clip_gradient, rnn_forward, rnn_step
from .training import adam_step, momentum_step, sgd_step

__all__ = [
    "weighted_sum", "dense_forward", "neuron_output",
    "count_parameters", "init_uniform", "bias_shift",
    "relu", "sigmoid", "sigmoid_grad",
    "softmax", "mse", "cross_entropy",
    "dense_backward", "relu_backward", "numerical_gradient",
    "sgd_step", "momentum_step", "adam_step",
    "conv1d", "maxpool1d", "conv_output_length",
    "rnn_step", "rnn_forward", "clip_gradient",
    "batchnorm_forward", "layernorm_forward", "dropout_forward",
    "embedding_lookup", "dot_product_attention", "causal_attention",
    "block_parameters", "gpt_parameters", "pre_ln_residual",
]

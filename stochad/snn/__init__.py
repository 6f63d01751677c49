"""Spiking neural networks with three gradients of the same loss.

Build a network once (:class:`Network` of :class:`LIF`, :class:`Readout` and
:class:`BinaryDense` layers, each with its own spike generation: :class:`Heaviside` or
:class:`EscapeNoise`) and get, on the same parameters, input, loss and seed:

``"surrogate"``
    surrogate-gradient BPTT (what snntorch/norse/stork compute), in numba kernels;
``"smoothed"``
    :func:`stochad.grad` through the same network written with stochad primitives: the
    smoothed stochastic derivative. Equal to ``"surrogate"`` (to rounding) on the same
    spikes;
``"triple"``
    unbiased stochastic-triple estimates of the gradient of the *expected* loss;
``"score"``
    the score-function (REINFORCE) estimate, optionally with a baseline.

The entry point (contract used by the training toolkit)
--------------------------------------------------------
``value_and_grad(loss, params, inputs, *loss_args, network, method="surrogate", rng=None,
**options) -> (value, grads)``

* ``params``: a flat dict of float64 arrays, the keys of ``network.param_shapes()``
  (``"W0"``, ``"V0"``, ``"b0"``, ``"W1"``, ...); ``grads`` has the same keys and shapes
  (for ``method="triple"`` with ``subset=``, only those keys);
* ``inputs``: an array ``(batch, T, n_in)`` (spikes, or any real input current);
* ``loss(output, *loss_args) -> scalar``, with ``output`` the network's
  ``(batch, T, n_out)`` output, written with stochad primitives (``stochad.mean``,
  ``stochad.sum``, arithmetic, ``stochad.maximum``, ...) so that it runs on numpy arrays,
  tracers and triple arrays alike; ``loss_args`` are plain data (targets, masks);
* ``value``: the loss (a float) on the spikes drawn for the gradient;
* ``rng``: None, an int seed or a ``numpy.random.Generator``; a Generator is advanced, so
  successive calls draw fresh spikes;
* ``return_aux=True`` returns ``(value, grads, aux)``, ``aux`` a dict with ``"output"``
  (the network output as an array) and ``"stderr"`` (a dict like ``grads`` for methods
  that average several samples, else None).

Examples
--------
>>> import numpy as np
>>> from stochad import snn, surrogates
>>> net = snn.Network(4, [snn.LIF(5, spike=snn.EscapeNoise(surrogates.logistic(5.0))),
...                       snn.Readout(2)])
>>> params = net.init_params(rng=0)
>>> x = (np.random.default_rng(1).random((3, 12, 4)) < 0.4) * 1.0
>>> def loss(out, target):
...     return stochad.mean((out - target) ** 2)
>>> import stochad
>>> v1, g1 = snn.value_and_grad(loss, params, x, 0.1, network=net, method="surrogate", rng=7)
>>> v2, g2 = snn.value_and_grad(loss, params, x, 0.1, network=net, method="smoothed", rng=7)
>>> bool(np.isclose(v1, v2)), all(np.allclose(g1[k], g2[k]) for k in params)
(True, True)
"""

from stochad.snn.gradients import METHODS, directional_derivative, value_and_grad
from stochad.snn.layers import LIF, RESETS, BinaryDense, Readout
from stochad.snn.network import Network, Trace
from stochad.snn.objects import Leaky, LIFParameters, LIFState, lif_step
from stochad.snn.spikes import EscapeNoise, Heaviside

__all__ = [
    "LIF", "Readout", "BinaryDense", "RESETS", "Network", "Trace", "Heaviside", "EscapeNoise",
    "value_and_grad", "directional_derivative", "METHODS", "Leaky", "LIFParameters",
    "LIFState", "lif_step",
]  # fmt: skip
from stochad.snn import data as data  # noqa: E402 - the training toolkit (issue 11)
from stochad.snn import initialization as initialization  # noqa: E402
from stochad.snn import losses as losses  # noqa: E402
from stochad.snn import metrics as metrics  # noqa: E402
from stochad.snn import optimizers as optimizers  # noqa: E402
from stochad.snn import training as training  # noqa: E402
from stochad.snn.training import train as train  # noqa: E402

"""A feed-forward stack of layers as a plain function of a parameter dict.

Parameters are a flat dict of float64 arrays named by layer index: ``"W0"`` (``n_in ×
size₀``), ``"V0"`` (recurrent), ``"b0"`` (binary dense bias), ``"W1"``, ... The input is a
spike array ``(batch, T, n_in)``; the output is the last layer's ``(batch, T, size)``
(spikes, or the readout's membrane).

Random draws: layer by layer, and within a stochastic layer one ``(batch, size)`` Bernoulli
draw per time step, all from the evaluation's generator. The numba kernels draw the same
uniforms in the same order, which is why every gradient method sees the same spike trains
under one seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import stochad
from stochad.snn.layers import LIF, BinaryDense, Readout

__all__ = ["Network", "Trace"]

Layer = LIF | Readout | BinaryDense


@dataclass
class Trace:
    """What one run of a network produced.

    Attributes
    ----------
    output : carrier
        the last layer's output, ``(batch, T, size)``.
    layers : list of list
        every layer's per-step outputs (``T`` arrays/carriers of ``(batch, size)``).
    probabilities : list
        for runs with forced spikes: each layer's per-step firing probabilities (None for
        a layer that samples nothing).
    """

    output: object
    layers: list
    probabilities: list


class Network:
    """Layers applied in order to an input spike array ``(batch, T, n_in)``.

    Parameters
    ----------
    n_in : int
        the number of input channels, >= 1.
    layers : sequence of LIF, Readout or BinaryDense
        at least one; a Readout may only be last.

    Raises
    ------
    ValueError
        for ``n_in < 1``, no layers, or a Readout before the last layer.
    TypeError
        for a layer of another type.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn, surrogates
    >>> net = snn.Network(3, [snn.LIF(4, spike=snn.EscapeNoise(surrogates.logistic(5.0))),
    ...                       snn.Readout(2)])
    >>> params = net.init_params(rng=0)
    >>> sorted(params), params["W0"].shape
    (['W0', 'W1'], (3, 4))
    >>> x = (np.random.default_rng(1).random((8, 20, 3)) < 0.3).astype(float)
    >>> net.forward(params, x, rng=2).shape
    (8, 20, 2)
    """

    def __init__(self, n_in: int, layers: Sequence[Layer]):
        if isinstance(n_in, bool) or not isinstance(n_in, (int, np.integer)) or n_in < 1:
            raise ValueError(f"n_in must be a whole number >= 1, got n_in={n_in!r}")
        layers = tuple(layers)
        if not layers:
            raise ValueError("layers must hold at least one layer")
        for k, layer in enumerate(layers):
            if not isinstance(layer, (LIF, Readout, BinaryDense)):
                raise TypeError(
                    f"layers[{k}] must be snn.LIF, snn.Readout or snn.BinaryDense, "
                    f"got {type(layer).__name__}"
                )
            if isinstance(layer, Readout) and k + 1 < len(layers):
                raise ValueError(f"layers[{k}] is a Readout: a readout can only be the last layer")
        self.n_in = int(n_in)
        self.layers = layers

    def __repr__(self) -> str:
        return f"Network({self.n_in}, {list(self.layers)!r})"

    @property
    def stochastic(self) -> bool:
        """Whether any layer samples (escape noise)."""
        return any(layer.stochastic for layer in self.layers)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape."""
        shapes, n_in = {}, self.n_in
        for k, layer in enumerate(self.layers):
            shapes.update({f"{name}{k}": s for name, s in layer.param_shapes(n_in).items()})
            n_in = layer.size
        return shapes

    def layer_params(self, params: dict, k: int) -> dict:
        """Layer ``k``'s parameters with their suffixes (``{"W": ..., "V": ...}``)."""
        names = self.layers[k].param_shapes(1)
        return {name: params[f"{name}{k}"] for name in names}

    def init_params(self, rng=None, scale: float = 1.0) -> dict[str, np.ndarray]:
        """Gaussian weights ``N(0, scale²/fan_in)``, recurrent ones ``N(0, scale²/(4 size))``.

        Biases start at 0. The SNN training toolkit has more careful initializations.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator
        scale : float

        Returns
        -------
        dict of str to ndarray
        """
        g = generator(rng)
        params = {}
        for name, shape in self.param_shapes().items():
            if name.startswith("b"):
                params[name] = np.zeros(shape)
            elif name.startswith("V"):
                params[name] = g.normal(0.0, scale / (2.0 * np.sqrt(shape[0])), shape)
            else:
                params[name] = g.normal(0.0, scale / np.sqrt(shape[0]), shape)
        return params

    def check(self, params: dict, inputs) -> np.ndarray:
        """Validate ``params`` and ``inputs``; return the inputs as float64.

        Raises
        ------
        TypeError
            if ``params`` is not a dict.
        ValueError
            for a missing or unexpected key, a wrong shape, or inputs not of shape
            ``(batch, T, n_in)`` with finite entries.
        """
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
        shapes = self.param_shapes()
        if set(params) != set(shapes):
            raise ValueError(f"params must have the keys {sorted(shapes)}, got {sorted(params)}")
        for name, shape in shapes.items():
            if np.shape(params[name]) != shape:
                raise ValueError(
                    f"params[{name!r}] must have shape {shape}, got {np.shape(params[name])}"
                )
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim != 3 or inputs.shape[2] != self.n_in or 0 in inputs.shape[:2]:
            raise ValueError(
                f"inputs must have shape (batch, T, n_in={self.n_in}) with batch, T >= 1, "
                f"got {inputs.shape}"
            )
        if not np.all(np.isfinite(inputs)):
            raise ValueError("inputs must be finite")
        return inputs

    def run(self, params: dict, inputs: np.ndarray, forced=None) -> Trace:
        """Run every layer on any stochad carrier of ``params`` (see :class:`Trace`).

        ``forced``: one ``(batch, T, size)`` spike array (or None) per layer, used instead
        of sampling that layer. Draws come from the evaluation in force (``stochad.grad``,
        ``derivative_estimate``, ``stochad.using_rng``).
        """
        h = [inputs[:, n, :] for n in range(inputs.shape[1])]
        per_layer, probabilities = [], []
        for k, layer in enumerate(self.layers):
            f = None if forced is None else forced[k]
            h, p = layer.run(self.layer_params(params, k), h, f)
            per_layer.append(h)
            probabilities.append(p)
        return Trace(stochad.stack(h, axis=1), per_layer, probabilities)

    def forward(self, params: dict, inputs, *, rng=None):
        """The network's output ``(batch, T, size_last)`` for one draw of its spikes.

        Parameters
        ----------
        params : dict
            arrays (or, inside ``stochad.grad``/``derivative_estimate``, their carriers).
        inputs : array-like
            ``(batch, T, n_in)``.
        rng : None, int or numpy.random.Generator
            the generator of a plain evaluation; leave None inside ``stochad.grad`` or
            ``derivative_estimate`` (their ``rng`` is used).

        Returns
        -------
        ndarray or carrier

        Raises
        ------
        ValueError
            if ``rng`` is given while ``params`` hold carriers, or as :meth:`check`.
        """
        inputs = self.check(params, inputs)
        if rng is None:
            return self.run(params, inputs).output
        if any(_is_carrier(v) for v in params.values()):
            raise ValueError(
                "rng must be None inside stochad.grad/derivative_estimate: pass rng to them"
            )
        with stochad.using_rng(generator(rng)):
            return self.run(params, inputs).output


def _is_carrier(x) -> bool:
    # carriers (triples, triple arrays, tracers) mark their type with a dispatch priority
    return hasattr(type(x), "__stochad_priority__")


def generator(rng) -> np.random.Generator:
    """A Generator from ``rng``: a Generator itself, an int seed >= 0, or None (fresh)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng seed must be >= 0, got rng={rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )

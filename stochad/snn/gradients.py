"""One entry point, four gradients of the same loss (see :mod:`stochad.snn`).

Which spikes each method sees under one seed (``rng`` an int or a fresh Generator in the
same state):

* ``"surrogate"``, ``"smoothed"``, ``"score"`` and the primal run of ``"triple"`` draw the
  same spike trains (the same uniforms in the same order), so ``"surrogate"`` and
  ``"smoothed"`` agree to rounding, and the loss values of all four agree;
* ``"triple"`` additionally uses an auxiliary stream spawned from the generator (coupled
  alternates, pruning choices); its per-coordinate passes of one sample all reuse the
  sample's primal draws;
* with ``samples=n`` every method draws ``n`` independent sets of spikes in sequence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import stochad
from stochad.snn.bptt import kernel_backward, kernel_forward
from stochad.snn.network import Network, generator

__all__ = ["value_and_grad", "directional_derivative", "METHODS", "log_probability"]

METHODS = ("surrogate", "smoothed", "triple", "score")
_OPTIONS = {"triple": {"subset", "direction", "backend"}, "score": {"baseline"}}
_TINY = 1e-300  # keeps log(p) finite where an escape probability is exactly 0 or 1


def _check_samples(samples) -> int:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"samples must be a whole number >= 1, got samples={samples!r}")
    return int(samples)


def _as_params(network: Network, params: dict, inputs):
    inputs = network.check(params, inputs)
    return {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}, inputs


def _copy_generator(gen: np.random.Generator) -> np.random.Generator:
    """A generator in ``gen``'s current state (to replay its draws)."""
    copy = np.random.Generator(type(gen.bit_generator)())
    copy.bit_generator.state = gen.bit_generator.state
    return copy


def _surrogate(network, loss, params, inputs, loss_args, gen, options):
    tape = kernel_forward(network, params, inputs, gen)
    value, g_out = stochad.value_and_grad(lambda o: loss(o, *loss_args))(tape.output)
    return value, kernel_backward(tape, g_out), tape.output


def _smoothed(network, loss, params, inputs, loss_args, gen, options):
    def objective(p):
        out = network.run(p, inputs).output
        return loss(out, *loss_args), stochad.value(out)

    (value, output), grads = stochad.value_and_grad(objective, has_aux=True, rng=gen)(params)
    return value, grads, np.asarray(output)


def log_probability(network: Network, trace) -> object:
    """``Σ log P(S)`` of a run with forced spikes (escape-noise layers), any carrier.

    Parameters
    ----------
    network : Network
    trace : Trace
        from ``network.run(params, inputs, forced=...)``.

    Returns
    -------
    scalar carrier or float
        the log-probability of all forced spikes, summed over the batch.
    """
    total = 0.0
    for spikes, probs in zip(trace.layers, trace.probabilities, strict=True):
        if probs is None:
            continue
        for s, p in zip(spikes, probs, strict=True):
            log_fire = stochad.log(stochad.maximum(p, _TINY))
            log_rest = stochad.log(stochad.maximum(1.0 - p, _TINY))
            total = total + stochad.sum(stochad.where(s, log_fire, log_rest))
    return total


def _sample_spikes(network, params, inputs, gen):
    """One plain run: its output and each escape-noise layer's spikes ``(B, T, N)``."""
    with stochad.using_rng(gen):
        trace = network.run(params, inputs)
    forced = [
        np.stack(trace.layers[k], axis=1) if layer.stochastic else None
        for k, layer in enumerate(network.layers)
    ]
    return np.asarray(trace.output), forced


def _score_samples(network, loss, params, inputs, loss_args, gen, n, baseline):
    """``n`` REINFORCE samples: pathwise part plus ``(L − b) ∇ log P(S)``."""
    runs = [_sample_spikes(network, params, inputs, gen) for _ in range(n)]
    values = np.array([float(loss(out, *loss_args)) for out, _ in runs])
    if baseline == "leave_one_out":
        if n < 2:
            raise ValueError("baseline='leave_one_out' needs samples >= 2")
        baselines = (values.sum() - values) / (n - 1)
    else:
        baselines = np.full(n, 0.0 if baseline is None else float(baseline))
    grads = []
    for (_, forced), c in zip(runs, values - baselines, strict=True):

        def objective(p, forced=forced, c=c):
            trace = network.run(p, inputs, forced=forced)
            return loss(trace.output, *loss_args) + c * log_probability(network, trace)

        grads.append(stochad.grad(objective)(params))
    return values, grads, runs[0][0]


def _triple_leaves(params, subset):
    if subset is None:
        return list(params)
    subset = [subset] if isinstance(subset, str) else list(subset)
    unknown = [k for k in subset if k not in params]
    if unknown or not subset:
        raise ValueError(f"subset must name parameters among {sorted(params)}, got {subset!r}")
    return subset


def _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend):
    """One triple pass along ``tangents`` (a dict of arrays): (value, contribution)."""

    def f(t):
        p = {k: (v + t * tangents[k] if k in tangents else v) for k, v in params.items()}
        return loss(network.run(p, inputs).output, *loss_args)

    out = stochad.stochastic_triple(f, 0.0, backend=backend, rng=gen)
    return float(stochad.value(out)), float(stochad.derivative_contribution(out))


def _triple_sample(network, loss, params, inputs, loss_args, gen, leaves, direction, backend):
    """One unbiased sample: per-coordinate passes on the same draws, or one random
    direction ``v`` (Rademacher) giving ``(∇L·v) v``, unbiased as ``E[v vᵀ] = I``."""
    start = _copy_generator(gen)
    if direction == "random":
        signs = gen.spawn(1)[0]
        v = {k: signs.choice([-1.0, 1.0], size=params[k].shape) for k in leaves}
        value, d = _triple_run(network, loss, params, inputs, loss_args, gen, v, backend)
        return value, {k: d * v[k] for k in leaves}
    grads, value, end = {}, None, None
    for k in leaves:
        grads[k] = np.empty(params[k].shape)
        for index in np.ndindex(params[k].shape):
            replay = _copy_generator(start)
            tangent = np.zeros(params[k].shape)
            tangent[index] = 1.0
            value, grads[k][index] = _triple_run(
                network, loss, params, inputs, loss_args, replay, {k: tangent}, backend
            )
            end = replay
    gen.bit_generator.state = end.bit_generator.state  # one sample's draws consumed
    return value, grads


def _stderr(grads: list) -> dict | None:
    if len(grads) < 2:
        return None
    return {
        k: np.std([g[k] for g in grads], axis=0, ddof=1) / np.sqrt(len(grads)) for k in grads[0]
    }


def _mean(grads: list) -> dict:
    return {k: np.mean([g[k] for g in grads], axis=0) for k in grads[0]}


def value_and_grad(
    loss: Callable,
    params: dict,
    inputs,
    *loss_args,
    network: Network,
    method: str = "surrogate",
    rng=None,
    samples: int = 1,
    return_aux: bool = False,
    **options,
):
    """The loss of a network and one of four gradients of it (module :mod:`stochad.snn`).

    Parameters
    ----------
    loss : callable
        ``loss(output, *loss_args) -> scalar`` written with stochad primitives; ``output``
        is the network's ``(batch, T, n_out)`` output.
    params : dict of str to ndarray
        the keys and shapes of ``network.param_shapes()``.
    inputs : array-like
        ``(batch, T, n_in)``.
    *loss_args
        passed to ``loss`` after the output (targets, masks, ...).
    network : Network
    method : {"surrogate", "smoothed", "triple", "score"}
        ``"surrogate"``: numba BPTT with each layer's surrogate derivative;
        ``"smoothed"``: :func:`stochad.grad` (equal to ``"surrogate"`` on the same spikes);
        ``"triple"``: unbiased for the gradient of ``E[loss]`` (stochastic triples);
        ``"score"``: unbiased REINFORCE.
    rng : None, int or numpy.random.Generator
        the spikes' generator (None: fresh entropy).
    samples : int
        average this many independent estimates (fresh spikes each); with ``>= 2``
        ``aux["stderr"]`` holds their standard errors.
    return_aux : bool
        also return ``aux = {"output": first sample's output, "stderr": ... or None,
        "values": each sample's loss}``.
    **options
        for ``"triple"``: ``subset`` (parameter names; default all: one pass per
        coordinate, every pass on the sample's draws), ``direction="random"`` (one pass
        along a random ±1 direction ``v`` per sample, estimate ``(∇·v) v``: unbiased and
        cheap, noisy), ``backend`` (``"pruned"``, default). For ``"score"``:
        ``baseline`` (a float, or ``"leave_one_out"`` with ``samples >= 2``; default 0).

    Returns
    -------
    (float, dict) or (float, dict, dict)
        the loss (mean over samples) and the gradient dict (for ``"triple"`` with
        ``subset``, only those keys).

    Raises
    ------
    ValueError
        for an unknown ``method``, an option the method does not take, ``samples < 1``,
        or bad ``params``/``inputs`` (see :meth:`Network.check`).
    TypeError
        if ``loss`` is not callable or ``network`` is not a Network.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn, surrogates
    >>> net = snn.Network(2, [snn.LIF(2, spike=snn.EscapeNoise(surrogates.logistic(4.0))),
    ...                       snn.Readout(1)])
    >>> params = {"W0": np.full((2, 2), 2.0), "W1": np.ones((2, 1))}
    >>> x = np.ones((4, 6, 2))
    >>> loss = lambda out: stochad.mean(out)
    >>> v, g, aux = snn.value_and_grad(loss, params, x, network=net, method="triple",
    ...                                rng=0, samples=3, return_aux=True)
    >>> sorted(g), aux["stderr"]["W1"].shape
    (['W0', 'W1'], (2, 1))
    """
    if not callable(loss):
        raise TypeError(f"loss must be callable, got {type(loss).__name__}")
    if not isinstance(network, Network):
        raise TypeError(f"network must be a stochad.snn.Network, got {type(network).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got method={method!r}")
    bad = set(options) - _OPTIONS.get(method, set())
    if bad:
        raise ValueError(
            f"method={method!r} takes no option {sorted(bad)} "
            f"(options: {sorted(_OPTIONS.get(method, ())) or 'none'})"
        )
    n = _check_samples(samples)
    params, inputs = _as_params(network, params, inputs)
    gen = generator(rng)
    if method == "score":
        baseline = options.get("baseline")
        if baseline is not None and baseline != "leave_one_out":
            baseline = float(baseline)
        values, grads, output = _score_samples(
            network, loss, params, inputs, loss_args, gen, n, baseline
        )
    else:
        values, grads, output = [], [], None
        for _ in range(n):
            if method == "triple":
                direction = options.get("direction")
                if direction not in (None, "random"):
                    raise ValueError(f"direction must be None or 'random', got {direction!r}")
                value, g = _triple_sample(
                    network, loss, params, inputs, loss_args, gen,
                    _triple_leaves(params, options.get("subset")), direction,
                    options.get("backend", "pruned"),
                )  # fmt: skip
                out = None
            else:
                run = _surrogate if method == "surrogate" else _smoothed
                value, g, out = run(network, loss, params, inputs, loss_args, gen, options)
            values.append(value)
            grads.append(g)
            output = out if output is None else output
    value, grad = float(np.mean(values)), _mean(grads)
    if not return_aux:
        return value, grad
    return value, grad, {"output": output, "stderr": _stderr(grads), "values": np.asarray(values)}


def directional_derivative(
    loss: Callable,
    params: dict,
    inputs,
    *loss_args,
    network: Network,
    direction: dict,
    backend: str = "pruned",
    rng=None,
    samples: int = 1,
):
    """Forward-mode derivative of the loss along ``direction``, ``samples`` times.

    ``backend="pruned"`` (or ``"dict"``) gives unbiased samples of ``∇E[loss]·direction``;
    ``backend="smoothed"`` gives the forward-mode (RTRL) smoothed derivative, equal to
    ``"smoothed"``'s gradient dotted with ``direction`` on the same draws.

    Parameters
    ----------
    loss, params, inputs, *loss_args, network
        as :func:`value_and_grad`.
    direction : dict of str to ndarray
        tangents of some parameters (missing keys: 0).
    backend : {"pruned", "smoothed", "dict"}
    rng : None, int or numpy.random.Generator
    samples : int

    Returns
    -------
    stochad.DerivativeEstimate
        ``.mean``, ``.stderr`` and the ``.samples``.

    Raises
    ------
    ValueError
        for a direction key that is not a parameter or of the wrong shape; as
        :func:`value_and_grad` otherwise.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn
    >>> net = snn.Network(1, [snn.BinaryDense(1)])               # y ~ Bernoulli(σ(w x + b))
    >>> params = {"W0": np.zeros((1, 1)), "b0": np.zeros(1)}
    >>> r = snn.directional_derivative(lambda out: stochad.mean(out), params,
    ...     np.ones((500, 1, 1)), network=net, direction={"W0": np.ones((1, 1))},
    ...     rng=0, samples=20)
    >>> abs(r.mean - 0.25) < 5 * r.stderr                        # σ′(0) = 1/4
    True
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a stochad.snn.Network, got {type(network).__name__}")
    params, inputs = _as_params(network, params, inputs)
    if not isinstance(direction, dict):
        raise TypeError(f"direction must be a dict of arrays, got {type(direction).__name__}")
    tangents = {}
    for k, d in direction.items():
        if k not in params or np.shape(d) != params[k].shape:
            raise ValueError(
                f"direction[{k!r}] must be a parameter's tangent of shape "
                f"{params[k].shape if k in params else '(no such parameter)'}"
            )
        tangents[k] = np.asarray(d, dtype=np.float64)
    gen = generator(rng)
    contributions = [
        _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend)[1]
        for _ in range(_check_samples(samples))
    ]
    return stochad.DerivativeEstimate(np.asarray(contributions))

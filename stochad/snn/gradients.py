"""One entry point, four gradients of the same loss (see :mod:`stochad.snn`).

Which spikes each method sees under one seed (``rng`` an int, or Generators in the same
state):

* ``"surrogate"``, ``"smoothed"``, ``"score"`` and the primal run of ``"triple"`` draw the
  same spike trains (the same uniforms in the same order), so ``"surrogate"`` and
  ``"smoothed"`` agree to rounding, and the first sample's loss value is the same for all
  four;
* ``"triple"`` additionally uses an auxiliary stream spawned from the generator (coupled
  alternates, pruning choices); the per-coordinate passes of one sample all replay that
  sample's primal draws;
* with ``samples=n`` every method draws ``n`` independent sets of spikes in sequence.

Per-row losses: ``loss`` may return a vector ``(batch,)`` instead of a scalar. Its mean
is the loss; the unbiased methods then use the rows as independent samples (each row draws
its own spikes): ``"triple"`` keeps one estimate per row (pruning never mixes rows) and
``"score"`` credits each row's log-probability with that row's loss only. Both cut the
variance by about the batch size compared with a scalar mean over rows.
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


def _loss_of(loss, loss_args, batch: int):
    """``loss`` made scalar: a per-row vector ``(batch,)`` is averaged."""

    def scalar(output):
        value = loss(output, *loss_args)
        shape = np.shape(value)
        if shape == (batch,):
            return stochad.mean(value)
        if shape != ():
            raise ValueError(
                f"loss must return a scalar or a per-row vector of shape ({batch},), "
                f"got shape {shape}"
            )
        return value

    return scalar


def _surrogate(network, loss, params, inputs, loss_args, gen):
    tape = kernel_forward(network, params, inputs, gen)
    scalar = _loss_of(loss, loss_args, inputs.shape[0])
    value, g_out = stochad.value_and_grad(scalar)(tape.output)
    return value, kernel_backward(tape, g_out), tape.output


def _smoothed(network, loss, params, inputs, loss_args, gen):
    scalar = _loss_of(loss, loss_args, inputs.shape[0])

    def objective(p):
        out = network.run(p, inputs).output
        return scalar(out), stochad.value(out)

    (value, output), grads = stochad.value_and_grad(objective, has_aux=True, rng=gen)(params)
    return value, grads, np.asarray(output)


def log_probability(network: Network, trace) -> object:
    """Per-row ``log P(S)`` of a run with forced spikes (escape-noise layers), any carrier.

    Parameters
    ----------
    network : Network
    trace : Trace
        from ``network.run(params, inputs, forced=...)``.

    Returns
    -------
    carrier or ndarray of shape (batch,)
        each row's log-probability of its forced spikes (0.0 without escape noise).

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn
    >>> net = snn.Network(1, [snn.BinaryDense(1)])           # P(S = 1) = σ(0) = 1/2
    >>> params = {"W0": np.zeros((1, 1)), "b0": np.zeros(1)}
    >>> trace = net.run(params, np.ones((2, 3, 1)), forced=[np.ones((2, 3, 1))])
    >>> np.round(log_probability(net, trace), 4).tolist()    # 3 log(1/2)
    [-2.0794, -2.0794]
    """
    total = 0.0
    for spikes, probs in zip(trace.layers, trace.probabilities, strict=True):
        for s, p in zip(spikes, probs or [], strict=False):
            log_fire = stochad.log(stochad.maximum(p, _TINY))
            log_rest = stochad.log(stochad.maximum(1.0 - p, _TINY))
            total = total + stochad.sum(stochad.where(s, log_fire, log_rest), axis=1)
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


def _score_estimates(network, loss, params, inputs, loss_args, gen, n, baseline):
    """``n`` REINFORCE samples: the pathwise part (spikes fixed) plus, per row,
    ``(L_b − baseline_b) ∇ log P(S_b)``. A leave-one-out baseline is the mean loss of the
    other rows (per-row losses) or of the other samples (a scalar loss): independent of
    the row's own spikes, so the estimate stays unbiased."""
    runs = [_sample_spikes(network, params, inputs, gen) for _ in range(n)]
    batch = inputs.shape[0]
    losses = np.array([loss(out, *loss_args) for out, _ in runs], dtype=np.float64)
    if losses.shape not in ((n,), (n, batch)):
        raise ValueError(
            f"loss must return a scalar or a per-row vector of shape ({batch},), "
            f"got shape {losses.shape[1:]}"
        )
    per_row = losses.ndim == 2
    if baseline == "leave_one_out":
        axis, count = (1, batch) if per_row else (0, n)
        if count < 2:
            raise ValueError("baseline='leave_one_out' needs at least 2 rows or samples")
        baselines = (losses.sum(axis=axis, keepdims=True) - losses) / (count - 1)
    else:
        baselines = np.full(losses.shape, 0.0 if baseline is None else baseline)
    credits = losses - baselines
    estimates = []
    for (_, forced), credit in zip(runs, credits, strict=True):

        def objective(p, forced=forced, credit=credit):
            trace = network.run(p, inputs, forced=forced)
            pathwise = loss(trace.output, *loss_args)
            # a scalar credit multiplies the summed log-probability of the whole batch
            scored = stochad.sum(credit * log_probability(network, trace))
            return stochad.mean(pathwise + scored / batch) if per_row else pathwise + scored

        estimates.append({k: g[None] for k, g in stochad.grad(objective)(params).items()})
    return losses.mean(axis=-1) if per_row else losses, estimates, runs[0][0]


def _triple_leaves(params, subset):
    if subset is None:
        return list(params)
    subset = [subset] if isinstance(subset, str) else list(subset)
    unknown = [k for k in subset if k not in params]
    if unknown or not subset:
        raise ValueError(f"subset must name parameters among {sorted(params)}, got {subset!r}")
    return subset


def _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend):
    """One forward-mode pass along ``tangents``: (mean loss, contributions).

    The contributions are a ``(1,)`` array for a scalar loss, one per row for a per-row
    loss (each an independent estimate of its row's directional derivative)."""

    def f(t):
        p = {k: (v + t * tangents[k] if k in tangents else v) for k, v in params.items()}
        return loss(network.run(p, inputs).output, *loss_args)

    out = stochad.stochastic_triple(f, 0.0, backend=backend, rng=gen)
    contributions = np.atleast_1d(np.asarray(stochad.derivative_contribution(out), dtype=float))
    if contributions.shape not in ((1,), (inputs.shape[0],)):
        raise ValueError(
            f"loss must return a scalar or a per-row vector of shape ({inputs.shape[0]},), "
            f"got shape {contributions.shape}"
        )
    return float(np.mean(stochad.value(out))), contributions


def _triple_estimates(network, loss, params, inputs, loss_args, gen, leaves, direction, backend):
    """One sample's unbiased estimates ``{name: (m, *shape)}``: per-coordinate passes on
    the same draws, or one random ±1 direction ``v`` giving ``(∇L·v) v`` (unbiased since
    ``E[v vᵀ] = I``; its rows share ``v``, so they are averaged into one estimate)."""
    if direction == "random":
        signs = gen.spawn(1)[0]
        v = {k: signs.choice([-1.0, 1.0], size=params[k].shape) for k in leaves}
        value, d = _triple_run(network, loss, params, inputs, loss_args, gen, v, backend)
        return value, {k: (d.mean() * v[k])[None] for k in leaves}
    start = _copy_generator(gen)
    estimates, value, replay = {}, None, None
    for k in leaves:
        shape = params[k].shape
        rows = []
        for index in np.ndindex(shape):
            replay = _copy_generator(start)
            tangent = np.zeros(shape)
            tangent[index] = 1.0
            value, c = _triple_run(
                network, loss, params, inputs, loss_args, replay, {k: tangent}, backend
            )
            rows.append(c)
        estimates[k] = np.stack(rows, axis=1).reshape(-1, *shape)
    gen.bit_generator.state = replay.bit_generator.state  # one sample's draws consumed
    return value, estimates


def _summary(estimates: list) -> tuple[dict, dict | None]:
    """Mean and standard error over all independent estimates (rows of every sample)."""
    pooled = {k: np.concatenate([e[k] for e in estimates]) for k in estimates[0]}
    mean = {k: v.mean(axis=0) for k, v in pooled.items()}
    count = len(next(iter(pooled.values())))
    if count < 2:
        return mean, None
    return mean, {k: v.std(axis=0, ddof=1) / np.sqrt(count) for k, v in pooled.items()}


def _check_call(loss, network, method, options):
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
    if options.get("direction") not in (None, "random"):
        raise ValueError(f"direction must be None or 'random', got {options['direction']!r}")
    baseline = options.get("baseline")
    if not (baseline is None or baseline == "leave_one_out" or np.isscalar(baseline)):
        raise ValueError(f"baseline must be a float or 'leave_one_out', got {baseline!r}")


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
        ``loss(output, *loss_args)`` written with stochad primitives, returning a scalar
        or a per-row vector ``(batch,)`` (averaged; see the module docstring); ``output``
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
        average this many independent estimates (fresh spikes each).
    return_aux : bool
        also return ``aux = {"output": the first sample's output (None for "triple"),
        "stderr": a dict like the gradient, or None, "values": each sample's loss}``. The
        standard error is over samples, and for ``"triple"`` with a per-row loss over
        rows as well; None when there is only one estimate.
    **options
        for ``"triple"``: ``subset`` (parameter names; default all: one pass per
        coordinate, every pass on the sample's draws), ``direction="random"`` (one pass
        along a random ±1 direction ``v`` per sample, estimate ``(∇·v) v``: unbiased and
        cheap, noisy), ``backend`` (``"pruned"``, the default and the only backend that
        runs on arrays). For ``"score"``: ``baseline`` (a float, or ``"leave_one_out"``;
        default 0).

    Returns
    -------
    (float, dict) or (float, dict, dict)
        the loss (mean over samples) and the gradient dict (for ``"triple"`` with
        ``subset``, only those keys).

    Raises
    ------
    ValueError
        for an unknown ``method``, an option the method does not take, ``samples < 1``,
        a loss of another shape, or bad ``params``/``inputs`` (see :meth:`Network.check`).
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
    >>> per_row = lambda out: stochad.sum(stochad.sum(out, axis=2), axis=1)
    >>> v, g, aux = snn.value_and_grad(per_row, params, x, network=net, method="triple",
    ...                                rng=0, samples=3, return_aux=True)
    >>> sorted(g), aux["stderr"]["W1"].shape
    (['W0', 'W1'], (2, 1))
    """
    _check_call(loss, network, method, options)
    n = _check_samples(samples)
    params, inputs = _as_params(network, params, inputs)
    gen = generator(rng)
    if method == "score":
        baseline = options.get("baseline")
        baseline = baseline if baseline in (None, "leave_one_out") else float(baseline)
        values, estimates, output = _score_estimates(
            network, loss, params, inputs, loss_args, gen, n, baseline
        )
    else:
        values, estimates, output = [], [], None
        for _ in range(n):
            if method == "triple":
                leaves = _triple_leaves(params, options.get("subset"))
                value, e = _triple_estimates(
                    network, loss, params, inputs, loss_args, gen, leaves,
                    options.get("direction"), options.get("backend", "pruned"),
                )  # fmt: skip
            else:
                run = _surrogate if method == "surrogate" else _smoothed
                value, g, out = run(network, loss, params, inputs, loss_args, gen)
                e = {k: v[None] for k, v in g.items()}
                output = out if output is None else output
            values.append(value)
            estimates.append(e)
    grad, stderr = _summary(estimates)
    value = float(np.mean(values))
    if not return_aux:
        return value, grad
    return value, grad, {"output": output, "stderr": stderr, "values": np.asarray(values)}


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

    ``backend="pruned"`` gives unbiased samples of ``∇E[loss]·direction``;
    ``backend="smoothed"`` gives the forward-mode (RTRL) smoothed derivative, equal to
    ``"smoothed"``'s gradient dotted with ``direction`` on the same draws. A per-row loss
    gives one sample per row and pass.

    Parameters
    ----------
    loss, params, inputs, *loss_args, network
        as :func:`value_and_grad`.
    direction : dict of str to ndarray
        tangents of some parameters (missing keys: 0).
    backend : {"pruned", "smoothed"}
    rng : None, int or numpy.random.Generator
    samples : int
        passes, each on fresh draws.

    Returns
    -------
    stochad.DerivativeEstimate
        ``.mean``, ``.stderr`` and the ``.samples``.

    Raises
    ------
    ValueError
        for a direction key that is not a parameter or of the wrong shape; as
        :func:`value_and_grad` otherwise.
    TypeError
        if ``direction`` is not a dict or ``network`` not a Network.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import snn
    >>> net = snn.Network(1, [snn.BinaryDense(1)])               # y ~ Bernoulli(σ(w x + b))
    >>> params = {"W0": np.zeros((1, 1)), "b0": np.zeros(1)}
    >>> per_row = lambda out: stochad.sum(stochad.sum(out, axis=2), axis=1)
    >>> r = snn.directional_derivative(per_row, params, np.ones((4000, 1, 1)), network=net,
    ...                                direction={"W0": np.ones((1, 1))}, rng=0)
    >>> bool(abs(r.mean - 0.25) < 5 * r.stderr)                  # σ′(0) = 1/4
    True
    """
    _check_call(loss, network, "triple", {})
    params, inputs = _as_params(network, params, inputs)
    if not isinstance(direction, dict):
        raise TypeError(f"direction must be a dict of arrays, got {type(direction).__name__}")
    tangents = {}
    for k, d in direction.items():
        if k not in params or np.shape(d) != params[k].shape:
            expected = params[k].shape if k in params else "(no such parameter)"
            raise ValueError(f"direction[{k!r}] must be a parameter's tangent of shape {expected}")
        tangents[k] = np.asarray(d, dtype=np.float64)
    gen = generator(rng)
    contributions = [
        _triple_run(network, loss, params, inputs, loss_args, gen, tangents, backend)[1]
        for _ in range(_check_samples(samples))
    ]
    return stochad.DerivativeEstimate(np.concatenate(contributions))
